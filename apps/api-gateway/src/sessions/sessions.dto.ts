import { z } from 'zod';
import type { Session } from '@conduit/db';
import { cursorParam, jsonObject, limitParam, unixSeconds } from './list-page';

export const SESSION_TITLE_MAX = 200;
export const SESSION_METADATA_MAX_KEYS = 16;
export const SESSION_METADATA_KEY_MAX = 64;
export const SESSION_METADATA_VALUE_MAX = 512;

/** Free-form string tags on a session: at most 16 keys (1..64 chars), string values up to 512 chars. */
export const sessionMetadataSchema = z
  .record(
    z
      .string()
      .min(1, 'metadata keys must not be empty')
      .max(SESSION_METADATA_KEY_MAX, `metadata keys are at most ${SESSION_METADATA_KEY_MAX} characters`),
    z.string().max(SESSION_METADATA_VALUE_MAX, `metadata values are at most ${SESSION_METADATA_VALUE_MAX} characters`),
  )
  .refine((value) => Object.keys(value).length <= SESSION_METADATA_MAX_KEYS, {
    message: `metadata has at most ${SESSION_METADATA_MAX_KEYS} keys`,
  });

/** `POST /v1/sessions`. Unknown keys are rejected; an absent body is an empty one. */
export const createSessionBodySchema = z
  .strictObject({
    title: z.string().max(SESSION_TITLE_MAX, `title is at most ${SESSION_TITLE_MAX} characters`).nullable().optional(),
    metadata: sessionMetadataSchema.optional(),
  })
  .optional()
  .transform((body) => body ?? {});

export type CreateSessionBody = z.output<typeof createSessionBodySchema>;

/** `GET /v1/sessions`. */
export const listSessionsQuerySchema = z.strictObject({
  limit: limitParam(20),
  after: cursorParam,
});

export type ListSessionsQuery = z.output<typeof listSessionsQuerySchema>;

export interface SessionObject {
  id: string;
  object: 'session';
  title: string | null;
  metadata: Record<string, unknown>;
  created_at: number;
  updated_at: number;
  message_count?: number;
}

export interface DeletedSessionObject {
  id: string;
  object: 'session.deleted';
  deleted: true;
}

export function toSessionObject(session: Session, messageCount?: number): SessionObject {
  return {
    id: session.id,
    object: 'session',
    title: session.title,
    metadata: jsonObject(session.metadata),
    created_at: unixSeconds(session.createdAt),
    updated_at: unixSeconds(session.updatedAt),
    ...(messageCount === undefined ? {} : { message_count: messageCount }),
  };
}
