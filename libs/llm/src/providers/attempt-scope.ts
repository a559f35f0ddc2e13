export type AbortCause = 'cancelled' | 'timeout';

/**
 * The signal one upstream attempt runs under: it fires when the caller's signal fires
 * (`cancelled`) or when the armed timer runs out (`timeout`), and remembers which, so a generic
 * SDK abort error can be classified without looking at its message.
 */
export class AttemptScope {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private cause: AbortCause | undefined;

  constructor(private readonly parent: AbortSignal | undefined) {
    if (parent?.aborted) this.abort('cancelled');
    else parent?.addEventListener('abort', this.onParentAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the signal fired, if it did. */
  get abortCause(): AbortCause | undefined {
    return this.cause;
  }

  /** (Re)starts the timeout; a missing or non-positive duration means no timeout. */
  arm(ms: number | undefined): void {
    this.disarm();
    if (ms === undefined || !(ms > 0) || !Number.isFinite(ms) || this.cause !== undefined) return;
    this.timer = setTimeout(this.onTimeout, ms);
  }

  disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.disarm();
    this.parent?.removeEventListener('abort', this.onParentAbort);
  }

  private readonly onParentAbort = (): void => this.abort('cancelled');

  private readonly onTimeout = (): void => {
    this.timer = undefined;
    this.abort('timeout');
  };

  private abort(cause: AbortCause): void {
    if (this.cause !== undefined) return;
    this.cause = cause;
    this.disarm();
    this.controller.abort(cause === 'cancelled' ? this.parent?.reason : new Error('attempt timed out'));
  }
}
