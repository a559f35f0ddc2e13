import type { ChatStreamEvent, CompleteResult, StreamResult } from '@conduit/llm';
import type { CacheEntry } from '@conduit/response-cache';

/** Code points per replayed content chunk. */
const CHUNK = 64;

/** A cache hit as the model call's result: the stored answer, no attempt made. */
export function replayCompletion(entry: CacheEntry): CompleteResult {
  return {
    completion: { content: entry.content, finish_reason: entry.finish_reason, usage: { ...entry.usage }, model: entry.model },
    provider: entry.provider,
    model: entry.model,
    attempts: [],
    latencyMs: 0,
  };
}

/** The stored text in chunks (never splitting a surrogate pair), then `done` with the stored usage. */
async function* replayEvents(entry: CacheEntry): AsyncGenerator<ChatStreamEvent> {
  const points = Array.from(entry.content);
  for (let at = 0; at < points.length; at += CHUNK) yield { type: 'text', text: points.slice(at, at + CHUNK).join('') };
  yield { type: 'done', finish_reason: entry.finish_reason, usage: { ...entry.usage }, model: entry.model };
}

/** A cache hit as an opened stream: the controller writes it like any other (role chunk, content, usage, `[DONE]`). */
export function replayStream(entry: CacheEntry): StreamResult {
  return { provider: entry.provider, model: entry.model, attempts: [], ttftMs: 0, events: replayEvents(entry) };
}
