import type { HistoryRow, SessionSummary } from '@conduit/conversations';
import type { ChatMessage } from '@conduit/llm';
import { historyWindow, tokensOf, WindowOptions } from './history-window';

/** How the summary is introduced to the model: clearly Conduit's, clearly not the user's words. */
export const SUMMARY_LABEL = 'Summary of the earlier part of this conversation (written by Conduit; the messages it covers are not repeated below):';

/** The system message that carries a session summary. */
export function summaryMessage(summary: Pick<SessionSummary, 'summary'>): ChatMessage {
  return { role: 'system', content: `${SUMMARY_LABEL}\n${summary.summary}` };
}

export interface SessionContext {
  /** The summary's system message (when there is one), then the history window, oldest first. */
  messages: ChatMessage[];
  /** Tokens of `messages`. */
  tokens: number;
  /** The summary used (null: none, or summaries are off for the request). */
  summary: SessionSummary | null;
  /** Tokens of the messages read that the summary does not cover (all of them without a summary). */
  uncoveredTokens: number;
  /** How many messages read the summary does not cover. */
  uncoveredMessages: number;
  /** The read hit its limit while still after the covered part: older uncovered messages exist. */
  more: boolean;
}

/**
 * A session's context for one request: its summary (if any) as a labelled system message, plus the
 * history window of the messages after the last one the summary covers, together within
 * `maxTokens` (the summary's tokens come off the window's budget). `rows` are newest first, at most
 * `readLimit` of them. Pure and cheap (no tokenizing of stored messages, see `historyWindow`):
 * `bench/memory-context.bench.mjs` measures it.
 */
export function buildSessionContext(rows: readonly HistoryRow[], summary: SessionSummary | null, options: WindowOptions & { readLimit: number }): SessionContext {
  const covered = summary?.coversCreatedAt.getTime();
  const uncovered = covered === undefined ? rows : rows.filter((row) => row.createdAt.getTime() > covered);
  let uncoveredTokens = 0;
  for (const row of uncovered) uncoveredTokens += tokensOf(row);
  const more = rows.length >= options.readLimit && uncovered.length === rows.length;
  if (!summary) {
    const window = historyWindow(uncovered, options);
    return { messages: window.messages, tokens: window.tokens, summary: null, uncoveredTokens, uncoveredMessages: uncovered.length, more };
  }
  const head = summaryMessage(summary);
  // Stored as the tokens of this whole system message (label included).
  const headTokens = summary.tokens;
  const window = historyWindow(uncovered, { ...options, maxTokens: Math.max(0, options.maxTokens - headTokens) });
  return { messages: [head, ...window.messages], tokens: headTokens + window.tokens, summary, uncoveredTokens, uncoveredMessages: uncovered.length, more };
}
