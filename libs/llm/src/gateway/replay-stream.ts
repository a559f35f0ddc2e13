import { LlmError } from '../errors/llm.exception';
import type { ChatStreamEvent } from '../llm.types';
import type { DoneEvent } from '../providers/provider-call';

export type StreamEnd =
  | { outcome: 'ok'; done: DoneEvent }
  | { outcome: 'error'; error: LlmError }
  /** The caller aborted, or stopped reading before the end. */
  | { outcome: 'cancelled'; error?: LlmError };

export interface ReplayTarget {
  provider: string;
  model: string;
}

/**
 * The events of an upstream stream whose first event was already read: replays it, then continues
 * with the rest. `onEnd` runs exactly once: at the `done` event, on an error (rethrown as
 * {@link LlmError}), when the consumer leaves early, or when `signal` fires — whichever comes first.
 * Leaving early or aborting closes the upstream request.
 */
export function replayStream(
  first: ChatStreamEvent,
  rest: AsyncIterator<ChatStreamEvent>,
  target: ReplayTarget,
  signal: AbortSignal | undefined,
  onEnd: (end: StreamEnd) => void,
): AsyncGenerator<ChatStreamEvent, void, undefined> {
  let ended = false;
  const end = (result: StreamEnd) => {
    if (ended) return;
    ended = true;
    signal?.removeEventListener('abort', onAbort);
    onEnd(result);
  };
  // Also covers a consumer that never reads the events at all.
  const onAbort = () => {
    end({ outcome: 'cancelled' });
    void rest.return?.().catch(() => undefined);
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });

  async function* events(): AsyncGenerator<ChatStreamEvent, void, undefined> {
    try {
      if (first.type === 'done') end({ outcome: 'ok', done: first });
      yield first;
      let finished = first.type === 'done';
      while (!finished) {
        const next = await rest.next();
        if (next.done) {
          throw new LlmError({
            kind: 'connection',
            code: 'stream_incomplete',
            provider: target.provider,
            model: target.model,
            message: `${target.provider}/${target.model}: the stream ended without a done event`,
          });
        }
        if (next.value.type === 'done') {
          finished = true;
          end({ outcome: 'ok', done: next.value });
        }
        yield next.value;
      }
    } catch (thrown) {
      const error =
        thrown instanceof LlmError
          ? thrown
          : new LlmError({ kind: 'unknown', provider: target.provider, model: target.model, message: String(thrown), cause: thrown });
      end(error.kind === 'cancelled' ? { outcome: 'cancelled', error } : { outcome: 'error', error });
      throw error;
    } finally {
      end({ outcome: 'cancelled' });
      await rest.return?.().catch(() => undefined);
    }
  }

  return events();
}
