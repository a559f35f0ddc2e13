/**
 * The default reply: "Mock reply: " plus the first `maxWords` words of the last user message,
 * so different prompts get different but repeatable answers.
 */
export function buildReplyText(lastUserText: string, maxWords: number): string {
  const words = lastUserText.split(/\s+/).filter((word) => word.length > 0);
  if (words.length === 0 || maxWords === 0) return 'Mock reply.';
  return `Mock reply: ${words.slice(0, maxWords).join(' ')}`;
}

/** Phrase in the last (user) message that makes the mock answer with a tool call when tools are given. */
export const TOOL_CALL_TRIGGER = /\bcall tool\b(?:\s+([A-Za-z0-9_.-]+))?/i;

/**
 * Which tool to call, or undefined for a text reply. "call tool" picks the first tool,
 * "call tool <name>" picks that tool when it exists (else the first).
 */
export function pickToolCall(lastMessageText: string, toolNames: readonly string[]): string | undefined {
  if (toolNames.length === 0) return undefined;
  const match = TOOL_CALL_TRIGGER.exec(lastMessageText);
  if (!match) return undefined;
  const wanted = match[1];
  return wanted !== undefined && toolNames.includes(wanted) ? wanted : toolNames[0];
}
