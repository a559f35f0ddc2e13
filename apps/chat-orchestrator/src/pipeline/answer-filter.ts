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
  /**
   * For a filter that may release held text between pushes (the output guard's stall flush):
   * called once, when the answer starts, with where to send that text.
   */
  listen?(release: (out: FilteredText) => void): void;
  /**
   * For a filter whose last check is asynchronous (an external classifier on the whole answer):
   * used instead of `end` when the answer is over.
   */
  endAsync?(): Promise<FilteredText>;
}

const BLOCKED: FilteredText = Object.freeze({ text: '', blocked: true });

/** A filter's output followed by what it still held. */
function joined(head: FilteredText, rest: FilteredText): FilteredText {
  return { text: head.text + rest.text, ...(rest.blocked ? { blocked: true } : {}) };
}

/**
 * The filters of one answer in a row: each one's output is the next one's input. Once one blocks,
 * nothing more goes out. Text a filter releases on its own (a stall flush) goes through the
 * filters after it and then to `onRelease`'s listener.
 */
export class FilterChain implements AnswerFilter {
  private blocked = false;
  private listener?: ((out: FilteredText) => void) | undefined;
  /** Some filter may release text between pushes. */
  readonly releasesLater: boolean;

  constructor(private readonly filters: readonly AnswerFilter[]) {
    this.releasesLater = filters.some((filter) => filter.listen !== undefined);
    filters.forEach((filter, i) => filter.listen?.((out) => this.released(i, out)));
  }

  get isBlocked(): boolean {
    return this.blocked;
  }

  /** Where text released between pushes goes (`undefined`: nowhere, e.g. once the answer is over). */
  onRelease(listener: ((out: FilteredText) => void) | undefined): void {
    this.listener = listener;
  }

  push(text: string): FilteredText {
    return this.pass(0, text, false);
  }

  end(): FilteredText {
    return this.pass(0, '', true);
  }

  /** End of the answer, awaiting the filters with an asynchronous last check. */
  async endAsync(): Promise<FilteredText> {
    if (this.blocked) return BLOCKED;
    let text = '';
    for (const filter of this.filters) {
      const head = filter.push(text);
      const out = head.blocked ? head : joined(head, filter.endAsync ? await filter.endAsync() : filter.end());
      if (out.blocked || this.blocked) return this.block();
      text = out.text;
    }
    return { text };
  }

  private block(): FilteredText {
    this.blocked = true;
    return BLOCKED;
  }

  private released(from: number, out: FilteredText): void {
    if (this.blocked) return;
    const rest = out.blocked ? this.block() : this.pass(from + 1, out.text, false);
    if (rest.blocked || rest.text !== '') this.listener?.(rest);
  }

  private pass(from: number, input: string, ending: boolean): FilteredText {
    if (this.blocked) return BLOCKED;
    let text = input;
    for (let i = from; i < this.filters.length; i += 1) {
      const filter = this.filters[i] as AnswerFilter;
      let out = text === '' && !ending ? { text: '' } : filter.push(text);
      if (!out.blocked && ending) out = joined(out, filter.end());
      if (out.blocked) return this.block();
      text = out.text;
    }
    return { text };
  }
}
