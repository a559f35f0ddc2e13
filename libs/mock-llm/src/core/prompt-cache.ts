import { createHash } from 'node:crypto';
import { contentTokens, type MessageContent } from './message-text';

/** Cache reads and writes of one request, in prompt tokens (both part of the request's prompt tokens). */
export interface PromptCacheUsage {
  read: number;
  write: number;
}

export const NO_PROMPT_CACHE: PromptCacheUsage = Object.freeze({ read: 0, write: 0 });

/** How far back (in blocks) Anthropic looks from a breakpoint for a cached prefix. */
const LOOKBACK_BLOCKS = 20;

/** OpenAI caches automatically once a prompt reaches this many tokens. */
const OPENAI_MIN_CACHEABLE = 1024;

/** Anthropic's published minimums for the model classes the mock stands in for. */
function anthropicMinCacheable(model: string): number {
  return /haiku/i.test(model) ? 2048 : 1024;
}

interface Block {
  type: string;
  text?: string;
  cache_control?: unknown;
}

interface AnthropicLikeRequest {
  model: string;
  system?: string | readonly Block[];
  tools?: readonly Record<string, unknown>[] | null;
  messages: readonly { role: string; content: string | readonly Block[] }[];
}

interface OpenAiLikeRequest {
  model: string;
  messages: readonly { role: string; content?: MessageContent }[];
}

/** A prefix position: hash of everything up to it and the prompt tokens it covers. */
interface Mark {
  key: string;
  tokens: number;
}

function blocksOf(content: string | readonly Block[] | undefined): readonly Block[] {
  if (content === undefined) return [];
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}

function withoutCacheControl(value: Record<string, unknown>): Record<string, unknown> {
  const { cache_control: _ignored, ...rest } = value;
  return rest;
}

/**
 * The provider prompt caches, simulated: a prefix seen before (same model, same content up to a
 * cache position) is reported as read from the cache, with the wire's usage shape.
 *
 * - Anthropic: only blocks marked `cache_control` (tools, system, message blocks, in prompt order)
 *   are written, and only when the prefix up to them reaches the model's minimum (1024 tokens,
 *   Haiku class 2048). Reads look back from each marked block over up to 20 block boundaries for
 *   the longest prefix written before (as Anthropic does), so marking the last block of each turn
 *   reads the whole previous conversation; the rest up to the last marked block is written. Tools are part of the prefix key but count no tokens (the mock's prompt
 *   tokens are message text only).
 * - OpenAI: automatic; every message boundary at ≥ 1024 tokens is a position; the longest seen one
 *   is reported as `cached_tokens`.
 *
 * Entries are kept up to `capacity` (oldest dropped first); `clear()` forgets them.
 */
export class PromptCacheSimulator {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  /** Anthropic: cache usage of a Messages request, and how many `cache_control` markers it carried. */
  anthropic(body: AnthropicLikeRequest): PromptCacheUsage & { breakpoints: number } {
    const hash = createHash('sha256').update(body.model);
    let tokens = 0;
    /** Every block boundary, and which of them are marked. */
    const boundaries: Mark[] = [];
    const marked: number[] = [];
    const mark = (isMarked: boolean) => {
      boundaries.push({ key: hash.copy().digest('hex'), tokens });
      if (isMarked) marked.push(boundaries.length - 1);
    };
    for (const tool of body.tools ?? []) {
      hash.update(JSON.stringify(withoutCacheControl(tool)));
      mark(tool['cache_control'] != null);
    }
    for (const block of blocksOf(body.system)) {
      hash.update(`system:${block.text ?? ''}`);
      tokens += contentTokens([block]);
      mark(block.cache_control != null);
    }
    for (const message of body.messages) {
      for (const block of blocksOf(message.content)) {
        hash.update(`${message.role}:${JSON.stringify(withoutCacheControl({ ...block }))}`);
        tokens += contentTokens([block]);
        mark(block.cache_control != null);
      }
    }
    const min = anthropicMinCacheable(body.model);
    let read = 0;
    for (const index of marked) {
      for (let k = Math.max(0, index - LOOKBACK_BLOCKS + 1); k <= index; k++) {
        const candidate = boundaries[k];
        if (candidate.tokens >= min && candidate.tokens > read && this.seen.has(candidate.key)) read = candidate.tokens;
      }
    }
    const writes = marked.map((index) => boundaries[index]).filter((m) => m.tokens >= min);
    const longest = writes.reduce((max, m) => Math.max(max, m.tokens), 0);
    for (const m of writes) this.remember(m.key);
    return { read, write: Math.max(0, longest - read), breakpoints: marked.length };
  }

  /** OpenAI: `cached_tokens` of a Chat Completions request (no write charge on this wire). */
  openAi(body: OpenAiLikeRequest): PromptCacheUsage {
    const hash = createHash('sha256').update(body.model);
    let tokens = 0;
    const marks: Mark[] = [];
    for (const message of body.messages) {
      hash.update(`${message.role}:${JSON.stringify(message.content ?? '')}`);
      tokens += contentTokens(message.content);
      if (tokens >= OPENAI_MIN_CACHEABLE) marks.push({ key: hash.copy().digest('hex'), tokens });
    }
    let read = 0;
    for (const m of marks) if (this.seen.has(m.key)) read = Math.max(read, m.tokens);
    for (const m of marks) this.remember(m.key);
    return { read, write: 0 };
  }

  clear(): void {
    this.seen.clear();
  }

  private remember(key: string): void {
    if (this.seen.has(key)) return;
    if (this.seen.size >= this.capacity) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    this.seen.add(key);
  }
}
