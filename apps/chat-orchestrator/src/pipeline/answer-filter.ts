/** What a filter lets through of the answer so far. */
export interface FilteredText {
  /** Text that can go to the client now (possibly empty). */
  text: string;
  /** A check failed: nothing more goes out, and the answer ends with `finish_reason: "content_filter"`. */
  blocked?: boolean;
}

/** A stage's view of the answer's text as it streams (a plain answer is one chunk): it may hold text back, rewrite it, or stop it. */
export interface AnswerFilter {
  push(text: string): FilteredText;
  /** End of the answer: whatever it still holds. */
  end(): FilteredText;
}

/**
 * The filters of one answer in a row: each one's output is the next one's input. Once one blocks,
 * nothing more goes out.
 */
export class FilterChain implements AnswerFilter {
  private blocked = false;

  constructor(private readonly filters: readonly AnswerFilter[]) {}

  get isBlocked(): boolean {
    return this.blocked;
  }

  push(text: string): FilteredText {
    return this.pass(0, text, false);
  }

  end(): FilteredText {
    return this.pass(0, '', true);
  }

  private pass(from: number, input: string, ending: boolean): FilteredText {
    if (this.blocked) return { text: '', blocked: true };
    let text = input;
    for (let i = from; i < this.filters.length; i += 1) {
      const filter = this.filters[i] as AnswerFilter;
      let out = text === '' && !ending ? { text: '' } : filter.push(text);
      if (!out.blocked && ending) {
        const rest = filter.end();
        out = { text: out.text + rest.text, ...(rest.blocked ? { blocked: true } : {}) };
      }
      if (out.blocked) {
        this.blocked = true;
        return { text: '', blocked: true };
      }
      text = out.text;
    }
    return { text };
  }
}
