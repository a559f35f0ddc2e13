/** What one embeddings call consumed, for billing (`feature: embedding` usage events). */
export interface EmbeddingUsage {
  /** `openai` (any OpenAI-compatible API) or `local` (computed in process). */
  provider: string;
  model: string;
  /** Input tokens as the provider counted them (the hashing embedder counts words). */
  inputTokens: number;
}

/** Collects the usage an embedder reports during one or more calls, summed per provider and model. */
export class EmbeddingUsageTally {
  private readonly totals = new Map<string, EmbeddingUsage>();

  /** Pass as `onUsage`. */
  readonly add = (usage: EmbeddingUsage): void => {
    const key = `${usage.provider}\u0000${usage.model}`;
    const total = this.totals.get(key);
    if (total) total.inputTokens += usage.inputTokens;
    else this.totals.set(key, { ...usage });
  };

  /** The sums, one per provider and model that reported anything. */
  usages(): EmbeddingUsage[] {
    return [...this.totals.values()];
  }
}
