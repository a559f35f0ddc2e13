import { Link, ROOT_CONTEXT, SpanStatusCode, context, trace } from '@opentelemetry/api';

const tracer = trace.getTracer('conduit-billing');

/** Writes one batch: a result (or the error) per item, in the items' order. */
export type BatchFlush<I, O> = (items: readonly I[]) => Promise<PromiseSettledResult<O>[]>;

export interface MicroBatcherOptions {
  /** Span name of a flush (linked to the spans of the jobs whose items it carries). */
  name: string;
  /** Most items one flush carries; the rest wait for the next. */
  maxBatch: number;
}

interface Pending<I, O> {
  item: I;
  link: Link | undefined;
  resolve: (value: O) => void;
  reject: (reason: unknown) => void;
}

/**
 * Coalesces work submitted by concurrently running jobs into batches, while each caller still
 * awaits its own item's result (so the one-job-per-event contract of the queue is unchanged).
 *
 * - Idle: the first submission schedules a flush on the next turn of the event loop
 *   (`setImmediate`), so everything submitted meanwhile rides along.
 * - Busy (a flush in flight): submissions accumulate and go as the next batch the moment the
 *   flush ends, so batches grow with load instead of piling up round trips.
 * - At most one flush in flight and at most `maxBatch` items in one.
 *
 * A flush runs outside the callers' traces (it serves many) in a span of its own, linked to them.
 */
export class MicroBatcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private scheduled = false;
  private flushing = false;

  constructor(
    private readonly flush: BatchFlush<I, O>,
    private readonly options: MicroBatcherOptions,
  ) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) throw new RangeError(`${options.name}: maxBatch must be a positive integer`);
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      const spanContext = trace.getSpanContext(context.active());
      this.queue.push({ item, link: spanContext ? { context: spanContext } : undefined, resolve, reject });
      this.schedule();
    });
  }

  /** Items waiting for a flush (not counting the one in flight). */
  get waiting(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.flushing || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.options.maxBatch);
        await context.with(ROOT_CONTEXT, () => this.run(batch));
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Settles every caller of `batch`; never throws. */
  private async run(batch: Pending<I, O>[]): Promise<void> {
    const links = batch.flatMap((pending) => (pending.link ? [pending.link] : []));
    await tracer.startActiveSpan(this.options.name, { links, attributes: { 'conduit.batch.size': batch.length } }, async (span) => {
      try {
        const results = await this.flush(batch.map((pending) => pending.item));
        if (results.length !== batch.length) throw new Error(`${this.options.name}: flush returned ${results.length} results for ${batch.length} items`);
        let failed = 0;
        results.forEach((result, index) => {
          if (result.status === 'fulfilled') batch[index].resolve(result.value);
          else {
            failed += 1;
            batch[index].reject(result.reason);
          }
        });
        if (failed > 0) span.setAttributes({ 'conduit.batch.failed': failed });
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        for (const pending of batch) pending.reject(error);
      } finally {
        span.end();
      }
    });
  }
}
