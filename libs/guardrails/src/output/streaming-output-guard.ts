import type { OutputCheck, OutputGuard } from './output-guard';

export interface StreamingGuardOptions {
  /**
   * Characters held back for the checks that have no prefix test — deny-list regexes, names and
   * addresses (default 32; at least the longest deny-listed term): a violation of theirs of at
   * most this length is complete, and checked, before its first character is released. Every
   * other check holds only the tail that could still grow into a match (see `OutputGuard.liveTail`).
   */
  holdBackChars?: number;
  /**
   * Stall flush: when no chunk has come for this many milliseconds, release the unfinished last
   * word if it is only letters (with closing punctuation) — a word the next chunk may still extend
   * but that cannot be a digit group, a key or a full email by itself. Released through `onFlush`.
   * `0` releases such a word at once, in `push`. Unset (the default): never; the word waits for the
   * next chunk. The cost of setting it: if the model pauses inside an email's local part
   * ("john" … "@example.com"), those letters have gone out before the check fails.
   */
  flushAfterMs?: number;
  /** Receives what a stall flush releases (required with a positive `flushAfterMs`). */
  onFlush?: (chunk: GuardedChunk) => void;
}

export interface GuardedChunk {
  /** Text that passed the checks and can go to the client now (possibly empty). */
  text: string;
  /** Set once a check failed: release nothing more and end with `finish_reason: "content_filter"`. */
  blocked?: OutputCheck;
}

/**
 * Released text checked again before the unreleased text (at least `holdBackChars`): cue words
 * before a value ("phone:", "SSN"), and the one kind of match that can start in released text —
 * an email whose local part a stall flush let out (local parts are at most 64 characters).
 * Everything else that could still grow was held, so it is in the unreleased part.
 */
const CONTEXT_CHARS = 64;

/**
 * Output guard for streams: feed the model's chunks, send what it releases. Each push checks the
 * text not yet released (with released context before it) and releases everything up to the
 * live tail — the part that could still grow into a violation — so ordinary text goes out as soon
 * as it arrives and no text that fails a check reaches the client.
 */
export class StreamingOutputGuard {
  private buffer = '';
  private released = 0;
  private failed?: OutputCheck;
  private done = false;
  private timer?: NodeJS.Timeout;
  private readonly holdBack: number;
  private readonly flushAfterMs?: number;
  private readonly onFlush?: (chunk: GuardedChunk) => void;

  constructor(
    private readonly guard: OutputGuard,
    options: StreamingGuardOptions = {},
  ) {
    this.holdBack = Math.max(options.holdBackChars ?? 32, guard.longestTerm);
    if (options.flushAfterMs !== undefined) {
      if (options.flushAfterMs > 0 && !options.onFlush) throw new Error('StreamingOutputGuard: flushAfterMs > 0 needs onFlush');
      this.flushAfterMs = options.flushAfterMs;
    }
    if (options.onFlush) this.onFlush = options.onFlush;
  }

  get finishReason(): 'content_filter' | undefined {
    return this.failed ? 'content_filter' : undefined;
  }

  push(chunk: string): GuardedChunk {
    this.cancelTimer();
    if (this.failed) return { text: '', blocked: this.failed };
    if (this.done) return { text: '' };
    this.buffer += chunk;
    const tail = this.guard.liveTail(this.buffer, this.holdBack, this.released);
    const out = this.release(this.flushAfterMs === 0 ? tail.hold : tail.word);
    if (!out.blocked && this.flushAfterMs !== undefined && this.flushAfterMs > 0 && tail.word < tail.hold && tail.hold > this.released) {
      const target = tail.hold;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        const flushed = this.release(target);
        if (flushed.text.length > 0 || flushed.blocked) this.onFlush?.(flushed);
      }, this.flushAfterMs);
      this.timer.unref();
    }
    return out;
  }

  /** End of stream: checks and releases everything still held. */
  end(): GuardedChunk {
    this.cancelTimer();
    if (this.failed) return { text: '', blocked: this.failed };
    const out = this.release(this.buffer.length);
    this.done = true;
    return out;
  }

  /** The client went away: drop what is held and stop any pending stall flush. */
  abort(): void {
    this.cancelTimer();
    this.done = true;
  }

  private cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private release(point: number): GuardedChunk {
    if (this.failed) return { text: '', blocked: this.failed };
    if (this.done || point <= this.released) return { text: '' };
    // Check everything not yet released, with released text before it as context.
    const from = Math.max(0, this.released - Math.max(this.holdBack, CONTEXT_CHARS));
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
