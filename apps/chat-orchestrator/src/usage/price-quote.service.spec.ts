import type { PriceBook } from '@conduit/budget';
import { pricingTableOf } from '@conduit/budget';
import { LlmGateway } from '@conduit/llm';
import { PriceQuoteService } from './price-quote.service';

const table = pricingTableOf([
  { model: 'claude-big*', effectiveFrom: new Date('2020-01-01'), inputUsdPerMtok: 3, outputUsdPerMtok: 15, cachedInputUsdPerMtok: null },
  { model: 'gpt-mid', effectiveFrom: new Date('2020-01-01'), inputUsdPerMtok: 5, outputUsdPerMtok: 8, cachedInputUsdPerMtok: null },
  { model: 'gpt-mid', effectiveFrom: new Date('2099-01-01'), inputUsdPerMtok: 50, outputUsdPerMtok: 80, cachedInputUsdPerMtok: null },
]);
const prices = { priceOf: (model: string, at?: Date) => table.priceOf(model, at) } as unknown as PriceBook;

function service() {
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
    },
  });
  return new PriceQuoteService(llm, prices, { history: { maxMessages: 20, maxTokens: 4_000 } });
}

describe('PriceQuoteService', () => {
  it('quotes the highest input and output prices of any target in the chain', () => {
    expect(service().quote('mixed', new Date('2026-01-01'))).toEqual({
      model: 'mixed',
      priced: true,
      input_usd_per_mtok: 5,
      output_usd_per_mtok: 15,
      default_max_output_tokens: null,
      history_max_tokens: 4_000,
    });
  });

  it('uses the prices in force at the time asked', () => {
    expect(service().quote('mixed', new Date('2099-06-01'))).toMatchObject({ input_usd_per_mtok: 50, output_usd_per_mtok: 80 });
  });

  it("bounds the output of a call without max_tokens when every target does (Anthropic's default)", () => {
    expect(service().quote('claude')).toMatchObject({ default_max_output_tokens: 2_048, output_usd_per_mtok: 15 });
  });

  it('marks a chain with an unpriced target, and refuses a model nothing serves', () => {
    expect(service().quote('unpriced')).toMatchObject({ priced: false, input_usd_per_mtok: 0, output_usd_per_mtok: 0 });
    expect(() => service().quote('default')).toThrow(/no route or provider/);
  });
});
