import { countTokens } from 'gpt-tokenizer/cjs/encoding/cl100k_base';
import type { StoredToolCall } from './chat-turn';

/**
 * What a chat message costs in a request's context, counted with a real tokenizer (gpt-tokenizer,
 * `cl100k_base`; Anthropic's and newer OpenAI tokenizers differ by a few percent, a budget's margin
 * absorbs that), plus the few tokens every message costs on the wire (role and separators).
 *
 * Counting is not free (tens of microseconds per short message, more for long ones), so a message
 * is counted once, when it is written (`messages.content_tokens`); the history window only sums.
 */
export const MESSAGE_OVERHEAD_TOKENS = 4;

export function textTokens(text: string): number {
  return text.length === 0 ? 0 : countTokens(text);
}

/** Tokens of one message: its text, its tool calls (as the JSON the wire carries) and the per-message overhead. */
export function messageTokens(content: string, toolCalls?: readonly StoredToolCall[] | null): number {
  return textTokens(content) + (toolCalls && toolCalls.length > 0 ? textTokens(JSON.stringify(toolCalls)) : 0) + MESSAGE_OVERHEAD_TOKENS;
}
