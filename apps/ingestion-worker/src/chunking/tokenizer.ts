import { countTokens as countCl100k } from 'gpt-tokenizer/cjs/encoding/cl100k_base';

/** Counts tokens of a text. */
export type TokenCounter = (text: string) => number;

const NO_SPECIAL_TOKENS = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };

/**
 * Tokens as OpenAI's `cl100k_base` BPE counts them (the encoding of `text-embedding-3-*` and
 * `ada-002`), via gpt-tokenizer. Text that looks like a special token (`<|endoftext|>`) is counted
 * as ordinary text instead of being refused.
 */
export const cl100kTokens: TokenCounter = (text) => (text === '' ? 0 : countCl100k(text, NO_SPECIAL_TOKENS));
