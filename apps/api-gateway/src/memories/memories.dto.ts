import { z } from 'zod';
import { MAX_MEMORY_CHARS, MEMORY_KINDS, type MemoryRecord } from '@conduit/memory';
import { cursorParam, limitParam, unixSeconds } from '../sessions/list-page';

/** `POST /v1/memories`: a fact the user states about themselves. */
export const createMemoryBodySchema = z.strictObject({
  content: z
    .string()
    .trim()
    .min(1, 'content must not be empty')
    .max(MAX_MEMORY_CHARS, `content is at most ${MAX_MEMORY_CHARS} characters`),
  kind: z.enum(MEMORY_KINDS).default('other'),
});
export type CreateMemoryBody = z.output<typeof createMemoryBodySchema>;

/** `GET /v1/memories`. */
export const listMemoriesQuerySchema = z.strictObject({
  limit: limitParam(20),
  after: cursorParam,
});
export type ListMemoriesQuery = z.output<typeof listMemoriesQuerySchema>;

export interface MemoryObject {
  id: string;
  object: 'memory';
  kind: string;
  content: string;
  /** `extracted` (from the user's conversations) or `stated` (`POST /v1/memories`). */
  origin: string;
  /** The assistant messages of the turns it was extracted from. */
  source_message_ids: string[];
  created_at: number;
  updated_at: number;
}

export interface DeletedMemoryObject {
  id: string;
  object: 'memory.deleted';
  deleted: true;
}

export interface ForgottenMemoriesObject {
  object: 'memory.forgotten';
  deleted: number;
}

export function toMemoryObject(memory: MemoryRecord): MemoryObject {
  return {
    id: memory.id,
    object: 'memory',
    kind: memory.kind,
    content: memory.content,
    origin: memory.origin,
    source_message_ids: memory.sourceMessageIds,
    created_at: unixSeconds(memory.createdAt),
    updated_at: unixSeconds(memory.updatedAt),
  };
}
