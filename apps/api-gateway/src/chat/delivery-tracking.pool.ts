import type { Duplex } from 'node:stream';
import { Dispatcher, Pool } from 'undici';

/** Whether undici wrote a request out in full (headers and body handed to the socket). */
export interface Delivery {
  sent: boolean;
}

const deliveries = new WeakMap<Dispatcher.DispatchOptions, Delivery>();

/**
 * A keep-alive pool that can say whether a failed request was ever sent: the gateway gives a
 * budget reservation back only for a call the orchestrator never received (connection refused,
 * no connection, or aborted while still queued); once sent, the orchestrator owns it.
 * `request(options)` hands the same `options` object to `dispatch`, which marks it.
 */
export class DeliveryTrackingPool extends Pool {
  /** `options` of a following `request()` will report into `delivery`. */
  track<T extends Dispatcher.DispatchOptions>(options: T, delivery: Delivery): T {
    deliveries.set(options, delivery);
    return options;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const delivery = deliveries.get(options);
    return super.dispatch(options, delivery ? new DeliveryHandler(handler, delivery) : handler);
  }
}

/** Forwards every callback of undici's (legacy-style) request handler and records `onRequestSent`. */
class DeliveryHandler implements Dispatcher.DispatchHandler {
  constructor(
    private readonly inner: Dispatcher.DispatchHandler,
    private readonly delivery: Delivery,
  ) {}

  onRequestSent(): void {
    this.delivery.sent = true;
    (this.inner as { onRequestSent?: () => void }).onRequestSent?.();
  }

  onConnect(abort: (err?: Error) => void): void {
    this.inner.onConnect?.(abort);
  }

  onError(err: Error): void {
    this.inner.onError?.(err);
  }

  onUpgrade(statusCode: number, headers: Buffer[] | string[] | null, socket: Duplex): void {
    this.inner.onUpgrade?.(statusCode, headers, socket);
  }

  onResponseStarted(): void {
    this.inner.onResponseStarted?.();
  }

  onHeaders(statusCode: number, headers: Buffer[], resume: () => void, statusText: string): boolean {
    return this.inner.onHeaders?.(statusCode, headers, resume, statusText) ?? true;
  }

  onData(chunk: Buffer): boolean {
    return this.inner.onData?.(chunk) ?? true;
  }

  onComplete(trailers: string[] | null): void {
    this.inner.onComplete?.(trailers);
  }

  onBodySent(chunkSize: number, totalBytesSent: number): void {
    this.inner.onBodySent?.(chunkSize, totalBytesSent);
  }
}
