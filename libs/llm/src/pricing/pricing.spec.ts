import { parseLlmConfig } from '../config/llm.config';
import { PricingTable } from './pricing';

const usage = { input_tokens: 1_000_000, output_tokens: 1_000_000, cached_tokens: 0 };

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

  it('matches dated snapshots through the most specific glob', () => {
    expect(table.priceOf('claude-sonnet-4-5-20250929', new Date('2025-10-01'))?.key).toBe('claude-sonnet-4-5*');
    expect(table.priceOf('claude-haiku-4-5', new Date('2025-10-01'))?.key).toBe('claude-*');
  });

  it('computes cost with cached input at its own rate (default: the input rate)', () => {
    const at = new Date('2025-07-01');
    expect(table.costOf('gpt-x', usage, at)).toMatchObject({ usd: 5, priced: true });
    const cached = table.costOf('gpt-x', { input_tokens: 1_000_000, output_tokens: 0, cached_tokens: 400_000 }, at);
    expect(cached.usd).toBeCloseTo(0.6 * 1 + 0.4 * 0.25, 10);
    const noCachedRate = table.costOf('gpt-x', { input_tokens: 1_000, output_tokens: 0, cached_tokens: 1_000 }, new Date('2025-02-01'));
    expect(noCachedRate.usd).toBeCloseTo(0.002, 10);
  });

  it('returns 0 with priced=false for unknown models', () => {
    expect(table.costOf('mystery-model', usage)).toEqual({ usd: 0, priced: false });
  });

  it('merges configured prices over the built-in table; a newer entry wins', () => {
    const config = parseLlmConfig({ pricing: { 'gpt-4.1': { effective_from: '2030-01-01', input: 1, output: 2 }, 'my-model': [{ effective_from: '2020-01-01', input: 1, output: 1 }] } });
    const merged = new PricingTable(config.pricing);
    expect(merged.priceOf('gpt-4.1', new Date('2026-01-01'))).toMatchObject({ input: 2, output: 8, cached_input: 0.5 });
    expect(merged.priceOf('gpt-4.1', new Date('2030-01-02'))).toMatchObject({ input: 1, output: 2 });
    expect(merged.priceOf('my-model')?.input).toBe(1);
    expect(new PricingTable(parseLlmConfig({ builtinPricing: false }).pricing).priceOf('gpt-4.1')).toBeUndefined();
  });
});
