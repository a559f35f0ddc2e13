import { ChatCompletionRequest, textOf } from '@conduit/contracts';

/** Tokens a message costs beyond its text (role, separators), as chat formats add. */
const PER_MESSAGE = 4;
const PER_REQUEST = 3;

/**
 * A deliberately generous prompt-token estimate for reservations: one token per three characters
 * (English prose averages about four), plus per-message overhead, tool definitions and tool calls.
 * Cheap enough for the request path (no tokenizer); the settled cost replaces it when the call ends.
 */
export function estimatePromptTokens(body: Pick<ChatCompletionRequest, 'messages' | 'tools'>): number {
  let chars = 0;
  let tokens = PER_REQUEST;
  for (const message of body.messages) {
    tokens += PER_MESSAGE;
    chars += textOf(message.content ?? null).length;
    if (message.role === 'assistant' && message.tool_calls) chars += JSON.stringify(message.tool_calls).length;
  }
  if (body.tools) chars += JSON.stringify(body.tools).length;
  return tokens + Math.ceil(chars / 3);
}
