import { z } from 'zod';
import type { Collection } from '@conduit/db';
import { unixSeconds } from '../sessions/list-page';
import { collectionNameSchema } from './documents.dto';

/** `POST /v1/collections`: private by default; `tenant` (shared with every user of the tenant) needs a tenant admin. */
export const createCollectionBodySchema = z.strictObject({
  name: collectionNameSchema,
  visibility: z.enum(['private', 'tenant'], { error: 'visibility must be private or tenant' }).default('private'),
});
export type CreateCollectionBody = z.output<typeof createCollectionBodySchema>;

export interface CollectionObject {
  id: string;
  object: 'collection';
  name: string;
  /** `private`: only its owner uploads into and searches it; `tenant`: every user of the tenant. */
  visibility: 'private' | 'tenant';
  /** Whether the caller created it. */
  owned: boolean;
  embedding_model: string;
  embedding_dimension: number;
  created_at: number;
}

export function toCollectionObject(collection: Collection, userId: string): CollectionObject {
  return {
    id: collection.id,
    object: 'collection',
    name: collection.name,
    visibility: collection.visibility,
    owned: collection.ownerUserId === userId,
    embedding_model: collection.embeddingModel,
    embedding_dimension: collection.embeddingDimension,
    created_at: unixSeconds(collection.createdAt),
  };
}
