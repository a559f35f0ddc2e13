import type { PriceEntry } from '../config/llm.config';
import type { TokenUsage } from '../llm.types';
import { isModelGlob, modelGlob, patternSpecificity } from '../routing/model-pattern';

/** The price in force for a model: USD per 1M tokens. */
export interface ModelPrice {
  /** The pricing-table key that matched (the model, or a glob such as `claude-sonnet-4-5*`). */
  key: string;
  effective_from: string;
  input: number;
  output: number;
  cached_input: number;
}

export interface CostEstimate {
  usd: number;
  /** False when the model has no price in force: `usd` is then 0, not a real cost. */
  priced: boolean;
  price?: ModelPrice;
}

/**
 * Versioned prices per model. A price applies from 00:00 UTC of its `effective_from` day; the
 * latest entry already in force wins, so future-dated entries announce price changes ahead.
 * Lookup: the exact model id, then the most specific matching glob key.
 */
export class PricingTable {
  private readonly exact = new Map<string, PriceEntry[]>();
  private readonly globs: { key: string; pattern: RegExp; entries: PriceEntry[] }[] = [];

  constructor(table: Record<string, PriceEntry[]>) {
    for (const [key, entries] of Object.entries(table)) {
      const sorted = [...entries].sort((a, b) => b.effective_from.localeCompare(a.effective_from));
      if (isModelGlob(key)) this.globs.push({ key, pattern: modelGlob(key), entries: sorted });
      else this.exact.set(key, sorted);
    }
    this.globs.sort((a, b) => patternSpecificity(b.key) - patternSpecificity(a.key));
  }

  priceOf(model: string, at: Date = new Date()): ModelPrice | undefined {
    const exact = this.exact.get(model);
    if (exact !== undefined) return this.inForce(model, exact, at);
    for (const glob of this.globs) {
      if (glob.pattern.test(model)) return this.inForce(glob.key, glob.entries, at);
    }
    return undefined;
  }

  costOf(model: string, usage: TokenUsage, at: Date = new Date()): CostEstimate {
    const price = this.priceOf(model, at);
    if (price === undefined) return { usd: 0, priced: false };
    const cached = Math.min(usage.cached_tokens, usage.input_tokens);
    const uncached = usage.input_tokens - cached;
    const usd = (uncached * price.input + cached * price.cached_input + usage.output_tokens * price.output) / 1_000_000;
    return { usd, priced: true, price };
  }

  private inForce(key: string, entries: PriceEntry[], at: Date): ModelPrice | undefined {
    const entry = entries.find((e) => Date.parse(`${e.effective_from}T00:00:00Z`) <= at.getTime());
    if (entry === undefined) return undefined;
    return {
      key,
      effective_from: entry.effective_from,
      input: entry.input,
      output: entry.output,
      cached_input: entry.cached_input ?? entry.input,
    };
  }
}
