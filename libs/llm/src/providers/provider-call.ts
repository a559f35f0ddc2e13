import { classifyError } from '../errors/sdk-error.classifier';
import { LlmError } from '../errors/llm.exception';
import type { CallOptions, ChatStreamEvent } from '../llm.types';
import { AttemptScope } from './attempt-scope';

export interface CallContext {
  provider: string;
  model: string;
}

export type DoneEvent = Extract<ChatStreamEvent, { type: 'done' }>;

/** Turns one wire's stream chunks into neutral events. */
export interface StreamTranslator<Chunk> {
  push(chunk: Chunk): ChatStreamEvent[];
  /** The closing `done` event once the upstream stream ended, or undefined when it ended too early. */
  finish(): DoneEvent | undefined;
}

/**
 * Runs one non-streaming call under the attempt's signal (caller abort + `timeoutMs` for the whole
 * call) and maps whatever it throws to an {@link LlmError}.
 */
export async function runCall<T>(
  context: CallContext,
  options: CallOptions,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const scope = new AttemptScope(options.signal);
  scope.arm(options.timeoutMs);
  try {
    return await call(scope.signal);
  } catch (error) {
    throw classifyError(error, { ...context, abortCause: scope.abortCause });
  } finally {
    scope.dispose();
  }
}

/**
 * Drives one upstream stream: `timeoutMs` bounds the wait for the first content event,
 * `idleTimeoutMs` (default `timeoutMs`) each later wait on the upstream. Errors become
 * {@link LlmError}s; a stream that ends without its terminal event is a `connection` error
 * (`stream_incomplete`). Leaving early (consumer `break`/`return`) aborts the upstream request.
 */
export async function* streamEvents<Chunk>(
  context: CallContext,
  options: CallOptions,
  open: (signal: AbortSignal) => Promise<AsyncIterable<Chunk>>,
  translator: StreamTranslator<Chunk>,
): AsyncGenerator<ChatStreamEvent, void, undefined> {
  const scope = new AttemptScope(options.signal);
  const idleMs = options.idleTimeoutMs ?? options.timeoutMs;
  const fail = (error: unknown) => classifyError(error, { ...context, abortCause: scope.abortCause });
  let iterator: AsyncIterator<Chunk> | undefined;
  let finished = false;
  let flowing = false;
  scope.arm(options.timeoutMs);
  try {
    try {
      iterator = (await open(scope.signal))[Symbol.asyncIterator]();
    } catch (error) {
      throw fail(error);
    }
    for (;;) {
      if (flowing) scope.arm(idleMs);
      let next: IteratorResult<Chunk>;
      try {
        next = await iterator.next();
      } catch (error) {
        throw fail(error);
      }
      if (flowing) scope.disarm();
      // The SDKs end the iteration quietly when their request is aborted.
      if (scope.abortCause !== undefined) throw fail(undefined);
      if (next.done) break;
      for (const event of translator.push(next.value)) {
        if (!flowing) {
          flowing = true;
          scope.disarm();
        }
        yield event;
      }
    }
    const done = translator.finish();
    if (done === undefined) {
      throw new LlmError({
        kind: 'connection',
        code: 'stream_incomplete',
        provider: context.provider,
        model: context.model,
        message: `${context.provider}/${context.model}: the upstream stream ended before completion`,
      });
    }
    finished = true;
    yield done;
  } finally {
    scope.dispose();
    if (!finished && iterator?.return !== undefined) await iterator.return().catch(() => undefined);
  }
}
