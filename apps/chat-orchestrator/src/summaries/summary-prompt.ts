import type { HistoryRow } from '@conduit/conversations';
import type { ChatMessage } from '@conduit/llm';

/**
 * The first line of every summariser request's user message. mock-llm answers a message starting
 * with it with a deterministic `Summary: ...` (libs/mock-llm/src/summariser), like the judge prompt.
 */
export const SUMMARISER_MARKER = 'Conduit session summariser.';

export const SUMMARISER_SYSTEM_PROMPT = [
  'You maintain the running summary of a conversation between a user and an assistant.',
  'Merge the previous summary (if any) with the new messages into one updated summary.',
  'Keep facts, decisions, names, numbers, open questions and what the user asked for; drop small talk.',
  'Write plain prose in the third person, at most 250 words. Answer with the summary only.',
].join(' ');

/** Longest text of one message that goes into the transcript (a long tool output is cut). */
const MESSAGE_CHARS_MAX = 4_000;

function line(row: HistoryRow): string {
  const text = row.content.length > MESSAGE_CHARS_MAX ? `${row.content.slice(0, MESSAGE_CHARS_MAX)} [...]` : row.content;
  if (row.role === 'tool') return `tool result: ${text}`;
  if (row.role === 'assistant' && row.toolCalls?.length) {
    const calls = row.toolCalls.map((call) => `${call.function.name}(${call.function.arguments.slice(0, 500)})`).join(', ');
    return text === '' ? `assistant called: ${calls}` : `assistant: ${text}\nassistant called: ${calls}`;
  }
  return `${row.role}: ${text}`;
}

/** The summariser's request: the previous summary and the messages it does not cover yet, as a transcript. */
export function summariserMessages(previous: string | null, rows: readonly HistoryRow[]): ChatMessage[] {
  const user = [
    SUMMARISER_MARKER,
    'Previous summary:',
    previous ?? '(none)',
    '',
    'New messages:',
    ...rows.map(line),
  ].join('\n');
  return [
    { role: 'system', content: SUMMARISER_SYSTEM_PROMPT },
    { role: 'user', content: user },
  ];
}
