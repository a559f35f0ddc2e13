/*
 * `session_summaries` as plain SQL on the pg pool (`PrismaService.pg`): one statement per read on
 * the chat path. Only `SessionSummaryStore` runs them; `session-summary.store.int-spec.ts` proves them.
 */

/** The owner's summary of a session (no row: none, or not the owner's). */
export const SUMMARY_OF_SESSION_SQL = `
SELECT summary, covers_message_id::text AS covers_message_id, covers_created_at, covered_messages, tokens, model, updated_at
FROM session_summaries
WHERE session_id = $1::uuid AND tenant_id = $2::uuid AND user_id = $3::uuid
`;

/**
 * Stores a summary of the owner's session: inserts it, or replaces one that covers less (a
 * summary only ever moves forward, so a late job never overwrites a newer summary). The session
 * must be the owner's and not deleted. Returns a row when it was stored.
 */
export const SAVE_SUMMARY_SQL = `
INSERT INTO session_summaries AS ss (
  session_id, tenant_id, user_id, summary, covers_message_id, covers_created_at, covered_messages, tokens, model, created_at, updated_at
)
SELECT s.id, s.tenant_id, s.user_id, $4, $5::uuid, $6::timestamptz, $7, $8, $9, now(), now()
FROM sessions AS s
WHERE s.id = $1::uuid AND s.tenant_id = $2::uuid AND s.user_id = $3::uuid AND s.deleted_at IS NULL
ON CONFLICT (session_id) DO UPDATE SET
  summary = EXCLUDED.summary,
  covers_message_id = EXCLUDED.covers_message_id,
  covers_created_at = EXCLUDED.covers_created_at,
  covered_messages = EXCLUDED.covered_messages,
  tokens = EXCLUDED.tokens,
  model = EXCLUDED.model,
  updated_at = now()
WHERE ss.covers_created_at < EXCLUDED.covers_created_at
RETURNING session_id
`;

export interface SummarySqlRow {
  summary: string;
  covers_message_id: string;
  covers_created_at: Date;
  covered_messages: number;
  tokens: number;
  model: string;
  updated_at: Date;
}
