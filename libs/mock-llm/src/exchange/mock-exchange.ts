import type { FastifyReply } from 'fastify';
import type { RequestPlan } from '../faults/request-plan';
import type { MockWire, RequestLogEntry } from '../log/request-log';
import { sseHeaders } from '../streaming/sse-frame';

/** How one wire names its request-id header and shapes its error bodies. */
export interface WireAdapter {
  wire: MockWire;
  requestIdHeader: string;
  errorBody(status: number, message: string, requestId: string, param?: string | null): unknown;
}

/** A stream ready to send: opening events, one frame per completion token, closing events. */
export interface StreamFrames {
  head: string;
  frames: readonly string[];
  tail: string;
}

type Step = (exchange: MockExchange) => void;

/**
 * One request's lifecycle: applies the plan's delays and faults, sends the answer, and keeps the
 * log entry up to date (status, tokens sent, end time, client disconnects).
 *
 * Hot-path notes: timers exist only for non-zero delays (zero delays run inline), timer callbacks
 * are shared static functions that get the exchange as an argument (no closure per request), and
 * a zero-delay stream goes out in a single write.
 */
export class MockExchange {
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private cutByMock = false;
  private pendingBody: unknown;
  private pendingStatus = 200;
  private stream: StreamFrames | undefined;
  private sent = 0;

  /** `active` is the server's set of unfinished exchanges: this one is in it until its reply closes. */
  constructor(
    private readonly active: Set<MockExchange>,
    private readonly reply: FastifyReply,
    private readonly adapter: WireAdapter,
    readonly plan: RequestPlan,
    readonly entry: RequestLogEntry,
  ) {
    reply.raw.once('close', this.onClose);
    active.add(this);
  }

  private readonly onClose = (): void => {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.entry.ended_at = Date.now();
    if (!this.cutByMock && !this.reply.raw.writableFinished) this.entry.client_disconnected = true;
    this.active.delete(this);
  };

  /**
   * Handles an injected error status, timeout, or (for non-streaming calls) cut.
   * Returns true when the request is taken care of and the handler must not answer.
   */
  applyFault(): boolean {
    const { plan, entry } = this;
    if (plan.status !== undefined) {
      entry.fault = `status:${plan.status}`;
      const body = this.adapter.errorBody(plan.status, `Mock fault: injected HTTP ${plan.status}`, entry.id);
      if (plan.retryAfter !== undefined) this.reply.header('retry-after', plan.retryAfter);
      this.sendJson(body, plan.status);
      return true;
    }
    if (plan.fault === 'timeout') {
      entry.fault = 'timeout';
      this.reply.hijack();
      return true;
    }
    if (plan.fault === 'cut' && !entry.stream) {
      entry.fault = 'cut';
      this.reply.hijack();
      this.later(plan.latencyMs, MockExchange.dropConnection);
      return true;
    }
    return false;
  }

  /** Sends a JSON body (object, or a string already serialised by {@link sendSerialized}) after the plan's latency. */
  sendJson(body: unknown, status = 200): void {
    this.reply.header(this.adapter.requestIdHeader, this.entry.id);
    this.reply.code(status);
    this.pendingBody = body;
    this.pendingStatus = status;
    this.later(this.plan.latencyMs, MockExchange.sendPending);
  }

  /** Sends an already serialised JSON body after the plan's latency. */
  sendSerialized(json: string): void {
    this.reply.type('application/json; charset=utf-8');
    this.sendJson(json);
  }

  /**
   * Streams `stream`: headers and `head` at once, the first frame after the TTFT, the rest one per
   * token delay, then `tail`. A cut fault drops the connection after `cutAfter` frames instead.
   */
  sendStream(stream: StreamFrames): void {
    const { entry, plan } = this;
    this.reply.hijack();
    const res = this.reply.raw;
    res.writeHead(200, sseHeaders(this.adapter.requestIdHeader, entry.id));
    entry.status = 200;
    if (plan.fault === 'cut') entry.fault = `cut:${plan.cutAfter}`;
    this.stream = stream;
    if (plan.ttftMs === 0 && plan.tokenDelayMs === 0) {
      this.flushFrames(stream.head);
      return;
    }
    res.write(stream.head);
    this.later(plan.ttftMs, MockExchange.streamStep);
  }

  /** Drops the request without answering (server shutdown). */
  abort(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.cutByMock = true;
    this.reply.raw.destroy();
  }

  private later(ms: number, step: Step): void {
    if (ms === 0) step(this);
    else this.timer = setTimeout(step, ms, this);
  }

  private static readonly sendPending: Step = (exchange) => {
    exchange.timer = undefined;
    if (exchange.closed) return;
    const { entry } = exchange;
    entry.status = exchange.pendingStatus;
    if (entry.status < 400) entry.tokens_sent = entry.completion_tokens;
    exchange.reply.send(exchange.pendingBody);
  };

  private static readonly dropConnection: Step = (exchange) => {
    exchange.timer = undefined;
    if (exchange.closed) return;
    exchange.cutByMock = true;
    exchange.reply.raw.destroy();
  };

  private static readonly streamStep: Step = (exchange) => {
    exchange.timer = undefined;
    const stream = exchange.stream;
    if (exchange.closed || stream === undefined) return;
    const { tokenDelayMs } = exchange.plan;
    if (tokenDelayMs === 0) {
      exchange.flushFrames('');
      return;
    }
    if (exchange.sent >= exchange.framesToSend()) {
      exchange.finish('');
      return;
    }
    exchange.reply.raw.write(stream.frames[exchange.sent]);
    exchange.sent++;
    exchange.entry.tokens_sent = exchange.sent;
    exchange.timer = setTimeout(MockExchange.streamStep, tokenDelayMs, exchange);
  };

  /** Frames to send before the stream ends or is cut. */
  private framesToSend(): number {
    const total = this.stream?.frames.length ?? 0;
    return this.plan.fault === 'cut' ? Math.min(this.plan.cutAfter, total) : total;
  }

  /** Writes `prefix` and all remaining frames in one write, then finishes or cuts. */
  private flushFrames(prefix: string): void {
    const stream = this.stream;
    if (stream === undefined) return;
    const end = this.framesToSend();
    let chunk = prefix;
    for (let i = this.sent; i < end; i++) chunk += stream.frames[i];
    this.sent = end;
    this.entry.tokens_sent = end;
    this.finish(chunk);
  }

  /** Ends the stream with `chunk` + tail; for a cut, writes `chunk` and then drops the socket. */
  private finish(chunk: string): void {
    const res = this.reply.raw;
    if (this.plan.fault !== 'cut') {
      res.end(chunk + (this.stream?.tail ?? ''));
      return;
    }
    this.cutByMock = true;
    if (chunk === '') res.destroy();
    else res.write(chunk, () => res.destroy());
  }
}
