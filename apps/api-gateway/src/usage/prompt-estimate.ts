import { ChatCompletionRequest, imagesOf, imageTokenEstimate, textOf } from '@conduit/contracts';

/** Tokens a message costs beyond its text (role, separators), as chat formats add. */
const PER_MESSAGE = 4;
const PER_REQUEST = 3;

/**
 * About the length of `value` as JSON text (strings by length, punctuation per value), without
 * building the text and without recursion: a tool definition nested thousands deep costs a loop.
 */
export function jsonLength(value: unknown): number {
  const stack: unknown[] = [value];
  let length = 0;
  while (stack.length > 0) {
    const current = stack.pop();
    if (typeof current === 'string') length += current.length + 2;
    else if (Array.isArray(current)) {
      length += 2 + current.length;
      for (const item of current) stack.push(item);
    } else if (current !== null && typeof current === 'object') {
      const entries = Object.entries(current);
      length += 2 + entries.length;
      for (const [key, item] of entries) {
        length += key.length + 3;
        stack.push(item);
      }
    } else length += String(current).length;
  }
  return length;
}

/**
 * A deliberately generous prompt-token estimate for reservations: one token per three characters
 * (English prose averages about four), plus per-message overhead, tool definitions and tool calls.
 * Each image counts {@link imageTokenEstimate} (85 tokens at `detail: low`, else 1,600).
 * Cheap enough for the request path (no tokenizer); the settled cost replaces it when the call ends.
 */
export function estimatePromptTokens(body: Pick<ChatCompletionRequest, 'messages' | 'tools'>): number {
  let chars = 0;
  let tokens = PER_REQUEST;
  for (const message of body.messages) {
    tokens += PER_MESSAGE;
    chars += textOf(message.content ?? null).length;
    if (message.role === 'user') for (const image of imagesOf(message.content)) tokens += imageTokenEstimate(image.detail);
    if (message.role === 'assistant' && message.tool_calls) chars += jsonLength(message.tool_calls);
  }
  if (body.tools) chars += jsonLength(body.tools);
  return tokens + Math.ceil(chars / 3);
}
