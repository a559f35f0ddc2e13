import { z } from 'zod';
import { DocumentStatus, type Collection, type Document } from '@conduit/db';
import { cursorParam, limitParam, unixSeconds } from '../sessions/list-page';

export const COLLECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const collectionNameSchema = z
  .string({ error: 'collection is required' })
  .regex(COLLECTION_NAME, 'collection must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');

/** The non-file fields of `POST /v1/documents` (multipart). */
export const uploadFieldsSchema = z.strictObject({ collection: collectionNameSchema });
export type UploadFields = z.output<typeof uploadFieldsSchema>;

const DOCUMENT_STATUSES = Object.values(DocumentStatus);

/** `GET /v1/documents`. */
export const listDocumentsQuerySchema = z.strictObject({
  limit: limitParam(20),
  after: cursorParam,
  collection: collectionNameSchema.optional(),
  status: z.enum(DocumentStatus, { error: `status must be one of ${DOCUMENT_STATUSES.join(', ')}` }).optional(),
});
export type ListDocumentsQuery = z.output<typeof listDocumentsQuerySchema>;

export interface DocumentObject {
  id: string;
  object: 'document';
  collection: string;
  filename: string;
  media_type: string;
  size_bytes: number;
  sha256: string;
  status: DocumentStatus;
  error: string | null;
  progress: { chunks_done: number; chunks_total: number };
  attempts: number;
  created_at: number;
  updated_at: number;
  indexed_at: number | null;
}

export interface DeletedDocumentObject {
  id: string;
  object: 'document.deleted';
  deleted: true;
}

export function toDocumentObject(document: Document & { collection: Pick<Collection, 'name'> }): DocumentObject {
  return {
    id: document.id,
    object: 'document',
    collection: document.collection.name,
    filename: document.filename,
    media_type: document.mediaType,
    size_bytes: document.sizeBytes,
    sha256: document.sha256,
    status: document.status,
    error: document.error,
    progress: { chunks_done: document.chunksDone, chunks_total: document.chunksTotal },
    attempts: document.attempts,
    created_at: unixSeconds(document.createdAt),
    updated_at: unixSeconds(document.updatedAt),
    indexed_at: document.indexedAt ? unixSeconds(document.indexedAt) : null,
  };
}

/**
 * A display name from the client's file name: the last path segment, without control
 * characters, at most 255 characters; `upload` when nothing is left. Only ever shown, never used
 * as a path or to decide the type.
 */
export function displayFilename(raw: string | undefined): string {
  const base = (raw ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001F\u007F]/g, '').trim().slice(0, 255);
  return clean === '' || clean === '.' || clean === '..' ? 'upload' : clean;
}
