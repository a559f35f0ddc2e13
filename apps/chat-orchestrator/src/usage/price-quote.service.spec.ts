import type { PriceBook, UnpricedModelPolicy } from '@conduit/budget';
import { pricingTableOf } from '@conduit/budget';
import { LlmGateway } from '@conduit/llm';
import { PriceQuoteService } from './price-quote.service';
import { UsageErrorCode, UsageException } from './usage.exception';

const table = pricingTableOf([
  { model: 'claude-big*', effectiveFrom: new Date('2020-01-01'), inputUsdPerMtok: 3, outputUsdPerMtok: 15, cachedInputUsdPerMtok: null },
  { model: 'gpt-mid', effectiveFrom: new Date('2020-01-01'), inputUsdPerMtok: 5, outputUsdPerMtok: 8, cachedInputUsdPerMtok: null },
  { model: 'gpt-mid', effectiveFrom: new Date('2099-01-01'), inputUsdPerMtok: 50, outputUsdPerMtok: 80, cachedInputUsdPerMtok: null },
]);
const OPEN_TENANT = 'tenant-that-allows-unpriced-models';

function service(loaded = true) {
  const llm = new LlmGateway({
    providers: [
      { name: 'anthropic', kind: 'anthropic', apiKey: 'k', defaultMaxTokens: 2_048 },
      { name: 'openai', kind: 'openai', apiKey: 'k' },
    ],
    routes: {
      mixed: [
        { provider: 'anthropic', model: 'claude-big-1' },
        { provider: 'openai', model: 'gpt-mid' },
      ],
      claude: [{ provider: 'anthropic', model: 'claude-big-2' }],
      unpriced: [{ provider: 'openai', model: 'gpt-unknown' }],
      'unpriced-fallback': [
        { provider: 'openai', model: 'gpt-mid' },
        { provider: 'openai', model: 'gpt-unknown' },
      ],
    },
  });
  const asked: string[] = [];
  const prices = {
    loaded,
    priceOf: (model: string, at?: Date) => table.priceOf(model, at),
    ready: async () => Promise.reject(new Error('database down')),
  } as unknown as PriceBook;
  const policy = { allows: async (tenantId: string) => (asked.push(tenantId), tenantId === OPEN_TENANT) } as unknown as UnpricedModelPolicy;
  return { quotes: new PriceQuoteService(llm, prices, policy, { history: { maxMessages: 20, maxTokens: 4_000 } }), asked };
}

const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as UsageException);

describe('PriceQuoteService', () => {
  it('quotes the highest input and output prices of any target in the chain', () => {
    expect(service().quotes.quote('mixed', new Date('2026-01-01'))).toEqual({
      model: 'mixed',
      priced: true,
      input_usd_per_mtok: 5,
      output_usd_per_mtok: 15,
      default_max_output_tokens: null,
      history_max_tokens: 4_000,
    });
  });

  it('uses the prices in force at the time asked', () => {
    expect(service().quotes.quote('mixed', new Date('2099-06-01'))).toMatchObject({ input_usd_per_mtok: 50, output_usd_per_mtok: 80 });
  });

  it("bounds the output of a call without max_tokens when every target does (Anthropic's default)", () => {
    expect(service().quotes.quote('claude')).toMatchObject({ default_max_output_tokens: 2_048, output_usd_per_mtok: 15 });
  });

  it('marks a chain with an unpriced target, and refuses a model nothing serves', () => {
    expect(service().quotes.quote('unpriced')).toMatchObject({ priced: false, input_usd_per_mtok: 0, output_usd_per_mtok: 0 });
    expect(service().quotes.quote('unpriced-fallback')).toMatchObject({ priced: false, input_usd_per_mtok: 5 });
    expect(() => service().quotes.quote('default')).toThrow(expect.objectContaining({ code: UsageErrorCode.ModelNotFound }));
  });

  it('answers pricing_unavailable rather than a quote of 0 while the price list is not loaded', () => {
    expect(() => service(false).quotes.quote('mixed')).toThrow(expect.objectContaining({ code: UsageErrorCode.PricingUnavailable }));
  });
});

describe('PriceQuoteService.assertRoutable', () => {
  it('lets a priced route through without asking the tenant policy', async () => {
    const { quotes, asked } = service();
    await expect(quotes.assertRoutable('mixed', 'closed-tenant')).resolves.toBeUndefined();
    await expect(quotes.assertRoutable('claude-big-7', 'closed-tenant')).resolves.toBeUndefined();
    expect(asked).toEqual([]);
  });

  it('refuses a route with any unpriced target unless the tenant allows unpriced models', async () => {
    const { quotes } = service();
    for (const model of ['unpriced', 'unpriced-fallback', 'gpt-5']) {
      const error = await refusal(quotes.assertRoutable(model, 'closed-tenant'));
      expect(error).toBeInstanceOf(UsageException);
      expect(error).toMatchObject({ code: UsageErrorCode.ModelNotPriced, details: { param: 'model' } });
      expect(error?.message).toContain(`"${model}" has no price`);
      await expect(quotes.assertRoutable(model, OPEN_TENANT)).resolves.toBeUndefined();
    }
  });

  it('leaves a model nothing serves to the LLM call, and refuses while prices cannot be loaded', async () => {
    await expect(service().quotes.assertRoutable('default', 'closed-tenant')).resolves.toBeUndefined();
    expect(await refusal(service(false).quotes.assertRoutable('mixed', OPEN_TENANT))).toMatchObject({ code: UsageErrorCode.PricingUnavailable });
  });
});
