import { isModelGlob, modelGlob, patternSpecificity } from '@conduit/contracts';
import { snapshotFamily } from './model-family';

/**
 * Token counts of a call, as the LLM layer reports them: `cached_tokens` (prompt-cache reads) and
 * `cache_write_tokens` (prompt-cache writes) are both part of `input_tokens`.
 */
export interface TokenCounts {
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cache_write_tokens?: number;
}

/**
 * Prompt-cache rates as a multiple of the input price, used when a price row leaves them empty:
 * the providers' published ratios. Anthropic: reads 0.1×, writes (5-minute cache) 1.25×. OpenAI
 * (`gpt-*`, `o1`/`o3`/`o4`…): cached input 0.5×, no write surcharge. Any other model: no discount
 * known, so 1× (set the row's rates when its provider publishes some).
 */
export function defaultCacheRatios(model: string): { read: number; write: number } {
  if (/claude/i.test(model)) return { read: 0.1, write: 1.25 };
  if (/^(gpt-|chatgpt-|o\d)/i.test(model)) return { read: 0.5, write: 1 };
  return { read: 1, write: 1 };
}

/** One dated price of a model, in USD per 1M tokens. */
export interface PriceEntry {
  /** First UTC day this price applies (YYYY-MM-DD). */
  effective_from: string;
  input: number;
  output: number;
  /** Prompt-cache reads. Default: the input price × {@link defaultCacheRatios}' read ratio. */
  cached_input?: number;
  /** Prompt-cache writes. Default: the input price × {@link defaultCacheRatios}' write ratio. */
  cache_write?: number;
}

/** The price in force for a model: USD per 1M tokens. */
export interface ModelPrice {
  /** The price-list key that matched: the model, its family (dated snapshots), or a glob. */
  key: string;
  effective_from: string;
  input: number;
  output: number;
  cached_input: number;
  cache_write: number;
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
 *
 * Lookup, first match decides:
 * 1. the model's own key (`gpt-4o-2024-08-06` priced on its own);
 * 2. its family's key when the model is a dated snapshot ({@link snapshotFamily}:
 *    `gpt-4o-2024-08-06` → `gpt-4o`, `claude-opus-4-5-20251101` → `claude-opus-4-5`);
 * 3. the most specific glob key matching the model (`meta-llama/*`).
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
    const own = this.exact.get(model);
    if (own !== undefined) return this.inForce(model, own, at);
    const family = snapshotFamily(model);
    const familyEntries = family === undefined ? undefined : this.exact.get(family);
    if (family !== undefined && familyEntries !== undefined) return this.inForce(family, familyEntries, at);
    for (const glob of this.globs) {
      if (glob.pattern.test(model)) return this.inForce(glob.key, glob.entries, at);
    }
    return undefined;
  }

  costOf(model: string, usage: TokenCounts, at: Date = new Date()): CostEstimate {
    const price = this.priceOf(model, at);
    if (price === undefined) return { usd: 0, priced: false };
    const cached = Math.min(usage.cached_tokens, usage.input_tokens);
    const written = Math.min(usage.cache_write_tokens ?? 0, usage.input_tokens - cached);
    const uncached = usage.input_tokens - cached - written;
    const usd =
      (uncached * price.input + cached * price.cached_input + written * price.cache_write + usage.output_tokens * price.output) /
      1_000_000;
    return { usd, priced: true, price };
  }

  private inForce(key: string, entries: PriceEntry[], at: Date): ModelPrice | undefined {
    const entry = entries.find((e) => Date.parse(`${e.effective_from}T00:00:00Z`) <= at.getTime());
    if (entry === undefined) return undefined;
    const ratios = defaultCacheRatios(key);
    return {
      key,
      effective_from: entry.effective_from,
      input: entry.input,
      output: entry.output,
      cached_input: entry.cached_input ?? entry.input * ratios.read,
      cache_write: entry.cache_write ?? entry.input * ratios.write,
    };
  }
}
