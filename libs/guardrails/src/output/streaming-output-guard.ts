import type { OutputCheck, OutputGuard } from './output-guard';

export interface StreamingGuardOptions {
  /**
   * Characters kept back behind the end of the stream (default 32). Any violation of at most this
   * length is complete, and checked, before its first character is released. Tokens (runs without
   * whitespace, e.g. API keys and emails) are always held until they end, and a PEM block until
   * its END line, whatever their length.
   */
  holdBackChars?: number;
}

export interface GuardedChunk {
  /** Text that passed the checks and can go to the client now (possibly empty). */
  text: string;
  /** Set once a check failed: release nothing more and end with `finish_reason: "content_filter"`. */
  blocked?: OutputCheck;
}

/**
 * Output guard for streams: feed the model's chunks, send what it releases. Text is released only
 * once it is past the hold-back window and the checks passed over it (with the window's context
 * before it), so no text that fails a check reaches the client.
 */
export class StreamingOutputGuard {
  private buffer = '';
  private released = 0;
  private failed?: OutputCheck;
  private readonly holdBack: number;

  constructor(
    private readonly guard: OutputGuard,
    options: StreamingGuardOptions = {},
  ) {
    this.holdBack = Math.max(options.holdBackChars ?? 32, guard.longestTerm);
  }

  get finishReason(): 'content_filter' | undefined {
    return this.failed ? 'content_filter' : undefined;
  }

  push(chunk: string): GuardedChunk {
    if (this.failed) return { text: '', blocked: this.failed };
    this.buffer += chunk;
    return this.release(this.releasePoint());
  }

  /** End of stream: checks and releases everything still held. */
  end(): GuardedChunk {
    if (this.failed) return { text: '', blocked: this.failed };
    return this.release(this.buffer.length);
  }

  private releasePoint(): number {
    let point = this.buffer.length - this.holdBack;
    if (point <= this.released) return this.released;
    // Never split a token: release up to the last whitespace before the point.
    while (point > this.released && !/\s/.test(this.buffer[point - 1] as string)) point -= 1;
    const pem = this.buffer.indexOf('-----BEGIN', this.released);
    if (pem !== -1 && pem < point && this.buffer.indexOf('-----END', pem) === -1) point = pem;
    return point;
  }

  private release(point: number): GuardedChunk {
    if (point <= this.released) return { text: '' };
    // Check everything not yet released, with up to a window of released text as context.
    const from = Math.max(0, this.released - this.holdBack);
    const result = this.guard.checkSync(this.buffer.slice(from));
    const relevant = result.violations.filter((v) => from + v.end > this.released);
    if (relevant.length > 0) {
      this.failed = { allowed: false, violations: relevant.map((v) => ({ ...v, start: v.start + from, end: v.end + from })) };
      return { text: '', blocked: this.failed };
    }
    const text = this.buffer.slice(this.released, point);
    this.released = point;
    return { text };
  }
}
