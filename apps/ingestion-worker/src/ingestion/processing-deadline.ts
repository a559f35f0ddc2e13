import { ProcessingTimeoutError } from './ingestion.exception';

/**
 * The time one ingestion run may take. Past it `signal` aborts with a {@link ProcessingTimeoutError}
 * (which terminates a document processing thread), {@link race} rejects, and {@link check} throws,
 * so a run that is still going writes nothing more.
 */
export class ProcessingDeadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly expired: Promise<never>;

  constructor(readonly ms: number) {
    this.expired = new Promise<never>((_, reject) => {
      this.controller.signal.addEventListener('abort', () => reject(this.controller.signal.reason as Error), { once: true });
    });
    // Observed by race(); a run that finishes in time never awaits it.
    this.expired.catch(() => undefined);
    this.timer = setTimeout(() => this.controller.abort(new ProcessingTimeoutError(ms)), ms);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Throws the timeout error once the deadline has passed. */
  check(): void {
    this.controller.signal.throwIfAborted();
  }

  /** `work`, or the timeout error as soon as the deadline passes, whichever comes first. */
  race<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.expired]);
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}
