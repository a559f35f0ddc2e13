import { snapshotFamily } from './model-family';
import { PricingTable } from './pricing-table';

const usage = { input_tokens: 1_000_000, output_tokens: 1_000_000, cached_tokens: 0 };
const at = new Date('2026-01-01T00:00:00Z');

describe('PricingTable', () => {
  const table = new PricingTable({
    'gpt-x': [
      { effective_from: '2025-01-01', input: 2, output: 8 },
      { effective_from: '2025-06-01', input: 1, output: 4, cached_input: 0.25 },
      { effective_from: '2099-01-01', input: 100, output: 100 },
    ],
    'claude-*': [{ effective_from: '2024-01-01', input: 9, output: 9 }],
    'claude-sonnet-4-5*': [{ effective_from: '2025-09-29', input: 3, output: 15, cached_input: 0.3 }],
  });

  it('picks the latest entry already in force', () => {
    expect(table.priceOf('gpt-x', new Date('2025-03-15T12:00:00Z'))?.effective_from).toBe('2025-01-01');
    expect(table.priceOf('gpt-x', new Date('2025-06-01T00:00:00Z'))?.effective_from).toBe('2025-06-01');
    expect(table.priceOf('gpt-x', new Date('2025-05-31T23:59:59Z'))?.effective_from).toBe('2025-01-01');
    expect(table.priceOf('gpt-x', new Date('2030-01-01T00:00:00Z'))?.input).toBe(1);
  });

  it('has no price before the first entry', () => {
    expect(table.priceOf('gpt-x', new Date('2024-12-31T23:59:59Z'))).toBeUndefined();
  });

  it('matches other names through the most specific glob', () => {
    expect(table.priceOf('claude-sonnet-4-5-20250929', new Date('2025-10-01'))?.key).toBe('claude-sonnet-4-5*');
    expect(table.priceOf('claude-haiku-4-5', new Date('2025-10-01'))?.key).toBe('claude-*');
  });

  it('computes cost with cached input at its own rate (default: the provider ratio, OpenAI 0.5×)', () => {
    const july = new Date('2025-07-01');
    expect(table.costOf('gpt-x', usage, july)).toMatchObject({ usd: 5, priced: true });
    const cached = table.costOf('gpt-x', { input_tokens: 1_000_000, output_tokens: 0, cached_tokens: 400_000 }, july);
    expect(cached.usd).toBeCloseTo(0.6 * 1 + 0.4 * 0.25, 10);
    const noCachedRate = table.costOf('gpt-x', { input_tokens: 1_000, output_tokens: 0, cached_tokens: 1_000 }, new Date('2025-02-01'));
    expect(noCachedRate.usd).toBeCloseTo(0.001, 10);
  });

  it('prices Anthropic cache reads at 0.1× and writes at 1.25× of input when the row sets no cache rates', () => {
    const price = table.priceOf('claude-haiku-4-5', at);
    expect(price).toMatchObject({ input: 9, cached_input: 0.9, cache_write: 11.25 });
    const cost = table.costOf('claude-haiku-4-5', { input_tokens: 1_000_000, output_tokens: 0, cached_tokens: 500_000, cache_write_tokens: 300_000 }, at);
    expect(cost.usd).toBeCloseTo(0.2 * 9 + 0.5 * 0.9 + 0.3 * 11.25, 10);
  });

  it('uses a row\'s own cache-write rate, and no discount for models of unknown providers', () => {
    const own = new PricingTable({ 'claude-own': [{ effective_from: '2024-01-01', input: 2, output: 2, cached_input: 0.1, cache_write: 3 }] });
    expect(own.costOf('claude-own', { input_tokens: 1_000_000, output_tokens: 0, cached_tokens: 0, cache_write_tokens: 1_000_000 }, at).usd).toBeCloseTo(3, 10);
    const other = new PricingTable({ 'meta-llama/*': [{ effective_from: '2024-01-01', input: 1, output: 1 }] });
    expect(other.priceOf('meta-llama/x', at)).toMatchObject({ cached_input: 1, cache_write: 1 });
  });

  it('returns 0 with priced=false for unknown models', () => {
    expect(table.costOf('mystery-model', usage)).toEqual({ usd: 0, priced: false });
  });
});

describe('dated snapshots take their family price', () => {
  // Families that share prefixes with each other, as the real price list does.
  const families = new PricingTable({
    'gpt-4o': [{ effective_from: '2024-08-06', input: 2.5, output: 10 }],
    'gpt-4o-mini': [{ effective_from: '2024-07-18', input: 0.15, output: 0.6 }],
    'gpt-4.1': [{ effective_from: '2025-04-14', input: 2, output: 8 }],
    'gpt-4.1-mini': [{ effective_from: '2025-04-14', input: 0.4, output: 1.6 }],
    o3: [{ effective_from: '2025-06-10', input: 2, output: 8 }],
    'gpt-5': [{ effective_from: '2025-08-07', input: 1.25, output: 10 }],
    'claude-opus-4-5': [{ effective_from: '2025-11-24', input: 5, output: 25 }],
    'claude-opus-4-1': [{ effective_from: '2025-08-05', input: 15, output: 75 }],
    'gpt-4o-2024-05-13': [{ effective_from: '2024-05-13', input: 5, output: 15 }],
  });
  const keyOf = (model: string) => families.priceOf(model, at)?.key;

  it.each([
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
    ['gpt-4.1-2025-04-14', 'gpt-4.1'],
    ['gpt-4.1-mini-2025-04-14', 'gpt-4.1-mini'],
    ['o3-2025-04-16', 'o3'],
    ['gpt-5-2025-08-07', 'gpt-5'],
    ['claude-opus-4-5-20251101', 'claude-opus-4-5'],
    ['claude-opus-4-1-20250805', 'claude-opus-4-1'],
  ])('%s → %s', (model, family) => {
    expect(keyOf(model)).toBe(family);
    expect(families.costOf(model, usage, at)).toEqual(families.costOf(family, usage, at));
  });

  it("prefers a snapshot's own price over its family's", () => {
    expect(families.priceOf('gpt-4o-2024-05-13', at)).toMatchObject({ key: 'gpt-4o-2024-05-13', input: 5 });
  });

  it.each([
    // Shares a prefix with a priced family but is another model.
    'gpt-4o-mini-search-preview',
    'gpt-4o-audio-preview',
    'o3-mini',
    'o3-pro',
    'o3-pro-2025-06-10',
    'gpt-5-mini',
    'gpt-5-mini-2025-08-07',
    'gpt-5-codex',
    'gpt-4.1-nano-2025-04-14',
    'claude-opus-4-50',
    'claude-opus-4-5-fast',
    'claude-opus-4',
    'gpt-4',
    'gpt-4o2024-08-06',
    // Digits that are not a calendar date.
    'gpt-4o-12345678',
    'gpt-4o-20251399',
    'gpt-4o-2025-02-30',
    'gpt-4o-2024-0806',
    'claude-opus-4-5-1101',
  ])('%s is unpriced (no other family’s price)', (model) => {
    expect(families.priceOf(model, at)).toBeUndefined();
    expect(families.costOf(model, usage, at)).toEqual({ usd: 0, priced: false });
  });

  it('states the rule: only a trailing calendar date is stripped', () => {
    expect(snapshotFamily('gpt-4o-2024-08-06')).toBe('gpt-4o');
    expect(snapshotFamily('claude-3-5-sonnet-20241022')).toBe('claude-3-5-sonnet');
    expect(snapshotFamily('meta-llama/Llama-3.1-8B-2024-07-23')).toBe('meta-llama/Llama-3.1-8B');
    expect(snapshotFamily('gpt-4o')).toBeUndefined();
    expect(snapshotFamily('-2024-08-06')).toBeUndefined();
    expect(snapshotFamily('gpt-4o-1999-12-31')).toBeUndefined();
    expect(snapshotFamily('gpt-4o-2024-02-29')).toBe('gpt-4o');
    expect(snapshotFamily('gpt-4o-2025-02-29')).toBeUndefined();
  });
});
