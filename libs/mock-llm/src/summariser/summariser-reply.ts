/**
 * Summariser mode: a request whose last user message starts with the line
 * `Conduit session summariser.` (the prompt of the chat-orchestrator's session summary job,
 * `apps/chat-orchestrator/src/summaries/summary-prompt.ts`) is answered with a deterministic
 * summary instead of an echo:
 *
 *   `Summary: <previous summary's points> | <user: first 80 characters of each new user message> | ...`
 *
 * built from the prompt's `Previous summary:` and `New messages:` sections (only the user's lines
 * of the new messages, each cut at 80 characters; at most 2,000 characters in all, the oldest points
 * first). So tests can find a marker of an early message in the summary the provider later receives,
 * and an incremental summary keeps the points of the one before. Same prompt, same summary.
 */
export const SUMMARISER_PROMPT_PATTERN = /^Conduit session summariser\.\n/;

const POINT_CHARS = 80;
const SUMMARY_CHARS = 2_000;

/** The summariser's reply, or undefined when the text is not a summariser prompt. */
export function summariserReply(text: string): string | undefined {
  if (!SUMMARISER_PROMPT_PATTERN.test(text)) return undefined;
  const lines = text.split('\n');
  const previousAt = lines.indexOf('Previous summary:');
  const newAt = lines.indexOf('New messages:');
  const points: string[] = [];
  if (previousAt !== -1 && newAt > previousAt) {
    const previous = lines.slice(previousAt + 1, newAt).join(' ').trim();
    if (previous !== '' && previous !== '(none)') points.push(previous.replace(/^Summary: /, ''));
  }
  if (newAt !== -1) {
    for (const line of lines.slice(newAt + 1)) {
      if (line.startsWith('user: ')) points.push(`user: ${line.slice(6, 6 + POINT_CHARS)}`);
    }
  }
  if (points.length === 0) points.push('nothing to summarise');
  return `Summary: ${points.join(' | ')}`.slice(0, SUMMARY_CHARS);
}
