import type { HistoryRow } from '@conduit/conversations';
import { messageTokens } from '@conduit/conversations';
import type { ChatMessage } from '@conduit/llm';

/** Token counts of rows written before counts were stored, by message id (bounded; a message's text never changes). */
const countedLegacyRows = new Map<string, number>();
const LEGACY_COUNT_CACHE_MAX = 20_000;

/** A stored message's tokens: the count written with it, else counted once per process and cached. */
export function tokensOf(row: HistoryRow): number {
  if (row.tokens !== null) return row.tokens;
  let tokens = countedLegacyRows.get(row.id);
  if (tokens === undefined) {
    tokens = messageTokens(row.content, row.toolCalls);
    if (countedLegacyRows.size >= LEGACY_COUNT_CACHE_MAX) countedLegacyRows.clear();
    countedLegacyRows.set(row.id, tokens);
  }
  return tokens;
}

export interface WindowOptions {
  /** Token budget of the window (real token counts, see `messageTokens`). */
  maxTokens: number;
  /** At most this many messages. */
  maxMessages: number;
  /** Tool call ids of assistant messages the request itself carries: those calls come from the request, not from history. */
  requestCallIds?: ReadonlySet<string>;
  /** Call ids of the tool results the request carries: they may complete the newest stored call. */
  requestResultIds?: ReadonlySet<string>;
}

export interface HistoryWindow {
  /** Oldest first, ready for the provider. */
  messages: ChatMessage[];
  tokens: number;
}

/** A unit the window keeps or drops whole: one message, or an assistant's tool calls with their results. */
interface Unit {
  rows: HistoryRow[];
  tokens: number;
  /** Tool calls of the unit's assistant message (empty: not a tool call group). */
  callIds: string[];
  /** Calls still without a stored result. */
  missing: Set<string>;
  /** A tool result whose call is not in the history read (or not stored): never sent. */
  orphan: boolean;
}

/**
 * The history window: the newest messages of a session that fit `maxTokens` and `maxMessages`,
 * oldest first, in a form every provider accepts. An assistant message that called tools and the
 * results of those calls are kept or dropped together: never a tool result without its call (the
 * window never starts with one), never a call without all of its results — unless the request
 * itself brings the missing results (the client answering the calls of the previous turn). A call
 * the request repeats (a client that resends the assistant message) is left to the request.
 *
 * `rows` come newest first, as the history statement reads them. Costs a pass over the rows and no
 * tokenizing for rows whose count was stored.
 */
export function historyWindow(rows: readonly HistoryRow[], options: WindowOptions): HistoryWindow {
  const units: Unit[] = [];
  for (let i = rows.length - 1; i >= 0; i -= 1) {
    const row = rows[i] as HistoryRow;
    const tokens = tokensOf(row);
    const open = units[units.length - 1];
    if (row.role === 'tool') {
      if (open && row.toolCallId !== null && open.missing.has(row.toolCallId)) {
        open.rows.push(row);
        open.tokens += tokens;
        open.missing.delete(row.toolCallId);
      } else {
        units.push({ rows: [row], tokens, callIds: [], missing: new Set(), orphan: true });
      }
      continue;
    }
    const callIds = row.role === 'assistant' && row.toolCalls ? row.toolCalls.map((call) => call.id) : [];
    units.push({ rows: [row], tokens, callIds, missing: new Set(callIds), orphan: false });
  }

  const kept: Unit[] = [];
  let budget = options.maxTokens;
  let count = 0;
  for (let i = units.length - 1; i >= 0; i -= 1) {
    const unit = units[i] as Unit;
    if (unit.orphan) continue;
    if (unit.callIds.length > 0) {
      if (options.requestCallIds && unit.callIds.some((id) => options.requestCallIds?.has(id))) continue;
      if (unit.missing.size > 0) {
        const completedByRequest = i === units.length - 1 && [...unit.missing].every((id) => options.requestResultIds?.has(id));
        if (!completedByRequest) continue;
      }
    }
    if (unit.tokens > budget || count + unit.rows.length > options.maxMessages) break;
    budget -= unit.tokens;
    count += unit.rows.length;
    kept.push(unit);
  }

  const messages: ChatMessage[] = [];
  for (let i = kept.length - 1; i >= 0; i -= 1) {
    for (const row of (kept[i] as Unit).rows) messages.push(toChatMessage(row));
  }
  return { messages, tokens: options.maxTokens - budget };
}

function toChatMessage(row: HistoryRow): ChatMessage {
  if (row.role === 'tool') return { role: 'tool', content: row.content, tool_call_id: row.toolCallId ?? '' };
  if (row.role === 'assistant' && row.toolCalls && row.toolCalls.length > 0) return { role: 'assistant', content: row.content, tool_calls: row.toolCalls.map((call) => ({ ...call, function: { ...call.function } })) };
  return { role: row.role, content: row.content };
}
