import { DatabaseError } from 'pg';
import type { MessageStatus, Prisma } from '@conduit/db';
import type { ChatTurn, StoredToolCall } from './chat-turn';
import { messageTokens } from './token-count';

/*
 * The chat path's persistence as plain SQL on the pg pool under Prisma (`PrismaService.pg`).
 * Prisma cost a quarter of the orchestrator's CPU per request here (JS query path, wasm query
 * compiler, a transaction of three statements per batch); one parameterised statement per batch
 * and one per history read cost a fraction of that. Table and column names, enum types and
 * defaults follow prisma/migrations. Only `ConversationStore` runs them;
 * `conversation.store.int-spec.ts` proves them.
 */

/** A session created by a batch; `created_at`/`updated_at` come from the statement's `$4`. */
export interface SessionRow {
  id: string;
  tenant_id: string;
  user_id: string;
  title: string;
}

/** A session a batch continued: its `updated_at` is bumped if it is the turn's owner's. */
export interface TouchedSessionRow {
  id: string;
  tenant_id: string;
  user_id: string;
}

/** One `messages` row, every column Prisma's createMany sent (or left to its default) spelled out. */
export interface MessageRow {
  id: string;
  session_id: string;
  tenant_id: string;
  user_id: string;
  role: 'user' | 'tool' | 'assistant';
  content: string;
  status: MessageStatus;
  tokens_in: number;
  tokens_out: number;
  provider: string | null;
  model: string | null;
  cost_usd: number;
  latency_ms: number | null;
  ttft_ms: number | null;
  metadata: Prisma.InputJsonObject;
  /** The prompt template version the turn was rendered from (both of its rows carry it). */
  prompt_name: string | null;
  prompt_version: number | null;
  /** An assistant's tool calls; null for none. */
  tool_calls: StoredToolCall[] | null;
  /** A tool result's call id; null for other messages. */
  tool_call_id: string | null;
  /** The message's tokens (content, tool calls, per-message overhead), counted once here. */
  content_tokens: number;
  /** ISO-8601 with milliseconds, like the `Date` Prisma sent (the column is timestamptz(3)). */
  created_at: string;
}

export interface TurnRows {
  sessions: SessionRow[];
  touched: TouchedSessionRow[];
  messages: MessageRow[];
}

/**
 * Writes a batch of turns in one statement (so atomically, like the transaction it replaced):
 * new sessions (`$1`), the `updated_at` bump of continued sessions (`$2`, owners included) and the
 * messages (`$3`), each passed as one jsonb array. Re-writing a turn is a no-op: rows are keyed by the
 * turn's ids (`ON CONFLICT (id) DO NOTHING`). The data-modifying CTEs share one snapshot, so the
 * bump does not see sessions inserted by the same statement; those get the same `$4` anyway.
 * Foreign keys are checked at the end of the statement, after the sessions are in.
 *
 * The bump must find continued sessions by primary key, whatever the statistics say. Joined to
 * `jsonb_to_recordset` (always guessed at 100 rows) it scanned all sessions; with the owner
 * columns in the same scan, statistics taken while a user had few sessions made it walk all of
 * that user's sessions through `(tenant_id, user_id, created_at)` (one user may own millions:
 * every chat without a session id opens one). So the sessions are looked up by id alone — `$5`,
 * `$2`'s ids as an array — in a materialized CTE, and their owners compared after.
 */
export const WRITE_TURNS_SQL = `
WITH new_sessions AS (
  INSERT INTO sessions (id, tenant_id, user_id, title, created_at, updated_at)
  SELECT r.id, r.tenant_id, r.user_id, r.title, $4::timestamptz, $4::timestamptz
  FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, tenant_id uuid, user_id uuid, title text)
  ON CONFLICT (id) DO NOTHING
), continued AS MATERIALIZED (
  SELECT id, tenant_id, user_id FROM sessions WHERE id = ANY ($5::uuid[])
), continued_sessions AS (
  UPDATE sessions AS s SET updated_at = $4::timestamptz
  FROM continued AS c, jsonb_to_recordset($2::jsonb) AS r(id uuid, tenant_id uuid, user_id uuid)
  WHERE s.id = ANY ($5::uuid[]) AND s.id = c.id AND c.id = r.id AND c.tenant_id = r.tenant_id AND c.user_id = r.user_id
)
INSERT INTO messages (
  id, session_id, tenant_id, user_id, role, content, status, tokens_in, tokens_out,
  provider, model, cost_usd, latency_ms, ttft_ms, metadata, prompt_name, prompt_version, created_at,
  tool_calls, tool_call_id, content_tokens
)
SELECT
  r.id, r.session_id, r.tenant_id, r.user_id, r.role, r.content, r.status, r.tokens_in, r.tokens_out,
  r.provider, r.model, r.cost_usd, r.latency_ms, r.ttft_ms, r.metadata, r.prompt_name, r.prompt_version, r.created_at,
  r.tool_calls, r.tool_call_id, r.content_tokens
FROM jsonb_to_recordset($3::jsonb) AS r(
  id uuid, session_id uuid, tenant_id uuid, user_id uuid, role "MessageRole", content text,
  status "MessageStatus", tokens_in integer, tokens_out integer, provider text, model text,
  cost_usd numeric, latency_ms integer, ttft_ms integer, metadata jsonb, prompt_name text,
  prompt_version integer, created_at timestamptz, tool_calls jsonb, tool_call_id text, content_tokens integer
)
ON CONFLICT (id) DO NOTHING
`;

/**
 * A session's recent history in one round trip. The session row is the left side of a lateral
 * join, so "not the caller's session" (no row) and "no messages yet" (one row, nulls) differ.
 * Like the Prisma query it replaced, it ignores `deleted_at`.
 *
 * The newest messages are read in the order of `(session_id, created_at)`, so the limit stops
 * the index scan however long the session (Prisma read them all). Only the rows found are then
 * ordered with a tie-break: equal timestamps put the assistant's answer after the user's question
 * once reversed (the enum order is system, user, assistant, tool). A tie-break in the inner ORDER
 * BY would let the planner sort all of a session's messages when its statistics are stale.
 *
 * The session is fetched by id alone (a materialized CTE: the owner check cannot be pushed into
 * it), so the primary key is always the way in — see {@link WRITE_TURNS_SQL} for the plan that
 * walked all of a user's sessions otherwise.
 *
 * Tool results (role `tool`) come with the assistant message that called them (`tool_calls`), so
 * the caller can keep or drop a call and its results together. `$6` (nullable): only messages
 * after this instant — the part a session summary does not cover.
 */
export const HISTORY_SQL = `
WITH session AS MATERIALIZED (
  SELECT id, tenant_id, user_id, deleted_at FROM sessions WHERE id = $1::uuid
)
SELECT m.id::text AS id, m.role::text AS role, m.content, m.tool_calls, m.tool_call_id, m.content_tokens, m.created_at
FROM session AS s
LEFT JOIN LATERAL (
  SELECT id, role, content, tool_calls, tool_call_id, content_tokens, created_at
  FROM messages
  WHERE session_id = s.id
    AND status IN ('complete', 'partial')
    AND role IN ('user', 'assistant', 'tool')
    AND id <> ALL ($4::uuid[])
    AND ($6::timestamptz IS NULL OR created_at > $6::timestamptz)
  ORDER BY created_at DESC
  LIMIT $5
) AS m ON true
WHERE s.tenant_id = $2::uuid AND s.user_id = $3::uuid AND s.deleted_at IS NULL
ORDER BY m.created_at DESC, m.role DESC
`;

const LONE_SURROGATE = /\p{Surrogate}/gu;

/**
 * The text as Postgres will take it. Prisma passed strings straight to pg, whose UTF-8 encoding
 * turns a lone surrogate (e.g. an emoji cut in half by the 80-character title) into U+FFFD; inside
 * a JSON parameter it would be a `\ud83d` escape that jsonb refuses, failing the whole turn.
 */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/** The rows a batch writes: each new session once, every continued session with its owner, all messages. */
export function turnRows(batch: readonly ChatTurn[]): TurnRows {
  const sessions = new Map<string, SessionRow>();
  const touched = new Map<string, TouchedSessionRow>();
  const messages: MessageRow[] = [];
  for (const turn of batch) {
    const owner = { tenant_id: turn.context.tenantId, user_id: turn.context.userId };
    if (turn.newSession) {
      if (!sessions.has(turn.sessionId)) sessions.set(turn.sessionId, { id: turn.sessionId, ...owner, title: wellFormed(turn.title) });
    } else {
      touched.set(`${turn.sessionId}/${owner.tenant_id}/${owner.user_id}`, { id: turn.sessionId, ...owner });
    }
    for (const result of turn.toolResults ?? []) messages.push(userMessageRow(turn, { ...result, role: 'tool' }));
    if (turn.userMessage) messages.push(userMessageRow(turn, turn.userMessage));
    messages.push(assistantMessageRow(turn));
  }
  // Bumped in id order, so two batches continuing the same sessions lock them in the same order
  // (no deadlock between overlapping flushes or replicas).
  const bumps = [...touched.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { sessions: [...sessions.values()], touched: bumps, messages };
}

/** The caller's message: no provider, tokens or cost; the columns Prisma left to their defaults are given. */
function userMessageRow(turn: ChatTurn, message: NonNullable<ChatTurn['userMessage']>): MessageRow {
  const content = wellFormed(message.content);
  return {
    id: message.id,
    session_id: turn.sessionId,
    tenant_id: turn.context.tenantId,
    user_id: turn.context.userId,
    role: message.role,
    content,
    status: 'complete',
    tokens_in: 0,
    tokens_out: 0,
    provider: null,
    model: null,
    cost_usd: 0,
    latency_ms: null,
    ttft_ms: null,
    metadata: {},
    prompt_name: turn.prompt?.name ?? null,
    prompt_version: turn.prompt?.version ?? null,
    created_at: message.createdAt.toISOString(),
    tool_calls: null,
    tool_call_id: message.role === 'tool' && message.toolCallId ? message.toolCallId : null,
    content_tokens: messageTokens(content),
  };
}

function assistantMessageRow(turn: ChatTurn): MessageRow {
  const { context, assistant } = turn;
  const content = wellFormed(assistant.content);
  const toolCalls = assistant.toolCalls && assistant.toolCalls.length > 0 ? assistant.toolCalls : null;
  return {
    id: assistant.id,
    session_id: turn.sessionId,
    tenant_id: context.tenantId,
    user_id: context.userId,
    role: 'assistant',
    content,
    status: assistant.status,
    tokens_in: assistant.usage.input_tokens,
    tokens_out: assistant.usage.output_tokens,
    provider: assistant.provider === null ? null : wellFormed(assistant.provider),
    model: assistant.model === null ? null : wellFormed(assistant.model),
    cost_usd: assistant.costUsd,
    latency_ms: assistant.latencyMs,
    ttft_ms: assistant.ttftMs,
    metadata: { ...assistant.metadata, request_id: context.requestId, usage_estimated: assistant.usageEstimated },
    prompt_name: turn.prompt?.name ?? null,
    prompt_version: turn.prompt?.version ?? null,
    created_at: assistant.createdAt.toISOString(),
    tool_calls: toolCalls,
    tool_call_id: null,
    content_tokens: messageTokens(content, toolCalls),
  };
}

/**
 * Postgres reports a JSON parameter it refuses (e.g. a `\u0000` in a message, which text columns
 * cannot hold) with up to 50 bytes of the JSON before the fault in `where` — message text that
 * would end up in the logs with the error. Prisma's errors never carried it; drop it.
 */
export function withoutJsonContext(error: unknown): unknown {
  if (error instanceof DatabaseError && error.where?.startsWith('JSON data')) error.where = 'JSON data (omitted: message text)';
  return error;
}

/** A message of a session's history, as the history window reads it. */
export interface HistoryRow {
  id: string;
  role: 'user' | 'assistant' | 'tool';
  content: string;
  /** An assistant's tool calls (null: none). */
  toolCalls: StoredToolCall[] | null;
  /** A tool result's call id (null: not a tool result, or one stored before tool calls were kept). */
  toolCallId: string | null;
  /** Counted when written; null for rows written before the count was kept (the reader counts those). */
  tokens: number | null;
  createdAt: Date;
}

/**
 * The part of a session a summary job reads: its messages after `$4` (null: from the start), oldest
 * first, at most `$5`, with the same filters as {@link HISTORY_SQL}; no row when the session is not
 * the owner's (missing, another user's or tenant's, soft-deleted), one row of nulls when it has no
 * such messages. Walks `(session_id, created_at)` from the covered point.
 */
export const SESSION_MESSAGES_AFTER_SQL = `
WITH session AS MATERIALIZED (
  SELECT id, tenant_id, user_id, deleted_at FROM sessions WHERE id = $1::uuid
)
SELECT m.id::text AS id, m.role::text AS role, m.content, m.tool_calls, m.tool_call_id, m.content_tokens, m.created_at
FROM session AS s
LEFT JOIN LATERAL (
  SELECT id, role, content, tool_calls, tool_call_id, content_tokens, created_at
  FROM messages
  WHERE session_id = s.id
    AND status IN ('complete', 'partial')
    AND role IN ('user', 'assistant', 'tool')
    AND ($4::timestamptz IS NULL OR created_at > $4::timestamptz)
  ORDER BY created_at
  LIMIT $5
) AS m ON true
WHERE s.tenant_id = $2::uuid AND s.user_id = $3::uuid AND s.deleted_at IS NULL
ORDER BY m.created_at, m.role
`;

/** A row of {@link HISTORY_SQL} or {@link SESSION_MESSAGES_AFTER_SQL} (all null: the session has no such messages). */
export interface HistorySqlRow {
  id: string | null;
  role: HistoryRow['role'] | null;
  content: string | null;
  tool_calls: StoredToolCall[] | null;
  tool_call_id: string | null;
  content_tokens: number | null;
  created_at: Date | null;
}

/** The rows of a session's messages; the lateral join's row of nulls (no messages) is none. */
export function historyRowsOf(rows: readonly HistorySqlRow[]): HistoryRow[] {
  return rows.flatMap((row) =>
    row.id === null || row.role === null || row.content === null || row.created_at === null
      ? []
      : [{ id: row.id, role: row.role, content: row.content, toolCalls: row.tool_calls, toolCallId: row.tool_call_id, tokens: row.content_tokens, createdAt: row.created_at }],
  );
}

/**
 * The prompt template version a session started with: its first message rendered from template
 * `$4` (sessions keep their A/B version). Walks `(session_id, created_at)`; owner-checked.
 */
export const SESSION_PROMPT_VERSION_SQL = `
SELECT m.prompt_version
FROM messages AS m
JOIN sessions AS s ON s.id = m.session_id AND s.tenant_id = $2::uuid AND s.user_id = $3::uuid
WHERE m.session_id = $1::uuid AND m.prompt_name = $4 AND m.prompt_version IS NOT NULL
ORDER BY m.created_at
LIMIT 1
`;
