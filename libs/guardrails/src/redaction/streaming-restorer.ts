import { isPlaceholderPrefix, MAX_PLACEHOLDER_LENGTH, restore, type PlaceholderVault } from './placeholders';

/**
 * Restores placeholders in a streamed answer. Text is released as soon as it cannot be part of a
 * placeholder; only a tail that could still become one (`<EMA`, `<EMAIL_1`) is held back, so a
 * placeholder split across chunks is restored whole and nothing else is delayed.
 */
export class StreamingRestorer {
  private pending = '';

  constructor(private readonly vault: PlaceholderVault) {}

  /** Feeds one chunk; returns the text that can be sent now (possibly empty). */
  push(chunk: string): string {
    const text = this.pending + chunk;
    const hold = this.holdFrom(text);
    this.pending = text.slice(hold);
    return restore(text.slice(0, hold), this.vault);
  }

  /** End of stream: everything still held. */
  flush(): string {
    const rest = this.pending;
    this.pending = '';
    return restore(rest, this.vault);
  }

  private holdFrom(text: string): number {
    if (this.vault.size === 0) return text.length;
    const lt = text.lastIndexOf('<');
    if (lt === -1 || text.length - lt > MAX_PLACEHOLDER_LENGTH) return text.length;
    return isPlaceholderPrefix(text.slice(lt)) ? lt : text.length;
  }
}
