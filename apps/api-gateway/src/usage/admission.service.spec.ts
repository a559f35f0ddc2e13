import type { AdmitInput, BudgetCapStore, UnpricedModelPolicy, UsageControls } from '@conduit/budget';
import { DEFAULT_TIER_POLICY, rateLimitsFor, resolveCaps } from '@conduit/budget';
import type { ChatCompletionRequest, PriceQuote } from '@conduit/contracts';
import type { Principal } from '../auth/principal';
import { AdmissionService } from './admission.service';
import type { PriceQuoteClient } from './price-quote.client';
import { estimatePromptTokens } from './prompt-estimate';
import { GATEWAY_ERROR_STATUS } from '../errors/error-status';
import { UsageException } from './usage.exception';


const principal: Principal = {
  tenantId: '00000000-0000-4000-8000-000000000001',
  userId: '00000000-0000-4000-8000-000000000002',
  apiKeyId: '00000000-0000-4000-8000-000000000003',
  tier: 'free',
  tenantTier: 'pro',
};

const quote: PriceQuote = {
  model: 'default',
  priced: true,
  input_usd_per_mtok: 3,
  output_usd_per_mtok: 15,
  default_max_output_tokens: null,
  history_max_tokens: 4_000,
};

const OPEN_TENANT = '00000000-0000-4000-8000-0000000000ff';

function setup(outcome: Awaited<ReturnType<UsageControls['admit']>> = { admitted: true, rate: {} }, quoted: PriceQuote | null = quote) {
  const admitted: AdmitInput[] = [];
  const controls = { admit: async (input: AdmitInput) => (admitted.push(input), outcome) } as unknown as UsageControls;
  const caps = {
    capsFor: async () => resolveCaps(DEFAULT_TIER_POLICY, { userTier: 'free', tenantTier: 'pro' }, []),
    rateLimitsFor: (tier: 'free') => rateLimitsFor(DEFAULT_TIER_POLICY, tier),
  } as unknown as BudgetCapStore;
  const quotes = { quoteFor: async () => quoted } as unknown as PriceQuoteClient;
  const policy = { allows: async (tenantId: string) => tenantId === OPEN_TENANT } as unknown as UnpricedModelPolicy;
  const service = new AdmissionService(controls, caps, policy, quotes, { orchestratorUrl: 'http://x', quoteTtlMs: 0, maxTokensLimit: 4_096 });
  return { service, admitted };
}

const body = (overrides: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest => ({
  model: 'default',
  messages: [{ role: 'user', content: 'x'.repeat(300) }],
  ...overrides,
});

describe('AdmissionService', () => {
  it('reserves prompt tokens plus max_tokens at the highest prices of the route', async () => {
    const { service, admitted } = setup();
    await service.admitChat(principal, body({ max_tokens: 100 }));
    const prompt = estimatePromptTokens(body());
    expect(prompt).toBe(3 + 4 + 100);
    expect(admitted[0]).toMatchObject({ estimateNano: (prompt * 3 + 100 * 15) * 1_000, estimateTokens: prompt + 100, apiKeyId: principal.apiKeyId });
    expect(admitted[0].rate).toEqual({ keyRpm: 60, keyTpm: 100_000, userRpm: 120, userTpm: 200_000 });
  });

  it('bounds the output of a call without max_tokens by the route default, else the gateway limit, and adds session history', async () => {
    const { service, admitted } = setup(undefined, { ...quote, default_max_output_tokens: 1_024 });
    await service.admitChat(principal, body(), { withHistory: true });
    const prompt = estimatePromptTokens(body()) + 4_000;
    expect(admitted[0]).toMatchObject({ estimateNano: (prompt * 3 + 1_024 * 15) * 1_000, estimateTokens: prompt });
    const unbounded = setup();
    await unbounded.service.admitChat(principal, body());
    expect(unbounded.admitted[0].estimateNano).toBe((estimatePromptTokens(body()) * 3 + 4_096 * 15) * 1_000);
  });

  it('reserves nothing for a model without a quote (the orchestrator refuses it)', async () => {
    const { service, admitted } = setup(undefined, null);
    await service.admitChat(principal, body({ max_tokens: 10 }));
    expect(admitted[0].estimateNano).toBe(0);
  });

  it('refuses a model without a price with 400 model_not_priced before reserving, unless the tenant allows unpriced models', async () => {
    const unpriced = { ...quote, priced: false, input_usd_per_mtok: 0, output_usd_per_mtok: 0 };
    const { service, admitted } = setup(undefined, unpriced);
    const error = (await service.admitChat(principal, body({ model: 'gpt-5' })).catch((e: unknown) => e)) as UsageException;
    expect(error).toBeInstanceOf(UsageException);
    expect(error).toMatchObject({ code: 'model_not_priced', details: { param: 'model' } });
    expect(GATEWAY_ERROR_STATUS[error.code]).toBe(400);
    expect(error.message).toContain('"gpt-5" has no price');
    expect(admitted).toEqual([]);
    await service.admitChat({ ...principal, tenantId: OPEN_TENANT }, body({ model: 'gpt-5', max_tokens: 10 }));
    expect(admitted).toHaveLength(1);
  });

  it('answers 402 budget_exceeded with the cap, the spend and the reset time', async () => {
    const resetsAt = new Date(Date.now() + 3_600_000);
    const { service } = setup({
      admitted: false,
      reason: 'budget_exceeded',
      scope: 'tenant',
      period: 'monthly',
      capNano: 5_000_000_000,
      spentNano: 4_990_000_000,
      heldNano: 5_000_000,
      requestedNano: 7_000_000,
      resetsAt,
    });
    const error = (await service.admitChat(principal, body()).catch((e: unknown) => e)) as UsageException;
    expect(error).toBeInstanceOf(UsageException);
    expect(GATEWAY_ERROR_STATUS[error.code]).toBe(402);
    expect(error.code).toBe('budget_exceeded');
    expect(error.details).toEqual({
      budget: {
        scope: 'tenant',
        period: 'monthly',
        subject_id: principal.tenantId,
        cap_usd: 5,
        spent_usd: 4.99,
        reserved_usd: 0.005,
        requested_usd: 0.007,
        resets_at: resetsAt.toISOString(),
      },
    });
    expect(error.message).toMatch(/monthly budget of \$5 .*resets at/);
  });

  it('answers 429 rate_limit_exceeded with retry-after and the limit headers', async () => {
    const { service } = setup({ admitted: false, reason: 'rate_limited', subject: 'api_key', dimension: 'requests', limit: 60, retryAfterMs: 12_300 });
    const error = (await service.admitChat(principal, body()).catch((e: unknown) => e)) as UsageException;
    expect(GATEWAY_ERROR_STATUS[error.code]).toBe(429);
    expect(error.headers).toMatchObject({
      'retry-after': '13',
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '12.3s',
    });
  });

  it('gives an admission that must first seed its counters from Postgres the longer deadline, not the 1 s Redis one', async () => {
    jest.useFakeTimers();
    try {
      let land: (outcome: { admitted: true; rate: object }) => void = () => undefined;
      const controls = {
        admit: (input: AdmitInput) =>
          new Promise((resolve) => {
            land = resolve;
            input.onSeed?.();
          }),
        release: async () => 'released',
      } as unknown as UsageControls;
      const caps = { capsFor: async () => resolveCaps(DEFAULT_TIER_POLICY, { userTier: 'free', tenantTier: 'pro' }, []), rateLimitsFor: (tier: 'free') => rateLimitsFor(DEFAULT_TIER_POLICY, tier) } as unknown as BudgetCapStore;
      const service = new AdmissionService(controls, caps, { allows: async () => false } as unknown as UnpricedModelPolicy, { quoteFor: async () => quote } as unknown as PriceQuoteClient, {
        orchestratorUrl: 'http://x',
        quoteTtlMs: 0,
        maxTokensLimit: 4_096,
      });
      const admitting = service.admit(principal, 0.01, 10).catch((e: unknown) => e);
      await jest.advanceTimersByTimeAsync(3_000);
      land({ admitted: true, rate: {} });
      const admission = (await admitting) as { reservationId: string };
      expect(admission).not.toBeInstanceOf(Error);
      expect(admission.reservationId).toEqual(expect.any(String));
      // Seeding still has a bound: a ledger that never answers is a 503 too.
      const stuck = service.admit(principal, 0.01, 10).catch((e: unknown) => e);
      await jest.advanceTimersByTimeAsync(6_001);
      expect(((await stuck) as UsageException).code).toBe('usage_controls_unavailable');
    } finally {
      jest.useRealTimers();
    }
  });

  it('answers 503 when Redis does not admit within a second, and releases a reservation the script still makes afterwards', async () => {
    jest.useFakeTimers();
    try {
      let land: (outcome: { admitted: true; rate: object }) => void = () => undefined;
      const released: string[] = [];
      const controls = {
        admit: () => new Promise((resolve) => (land = resolve)),
        release: async (_tenantId: string, reservationId: string) => (released.push(reservationId), 'released'),
      } as unknown as UsageControls;
      const caps = { capsFor: async () => resolveCaps(DEFAULT_TIER_POLICY, { userTier: 'free', tenantTier: 'pro' }, []), rateLimitsFor: (tier: 'free') => rateLimitsFor(DEFAULT_TIER_POLICY, tier) } as unknown as BudgetCapStore;
      const service = new AdmissionService(controls, caps, { allows: async () => false } as unknown as UnpricedModelPolicy, { quoteFor: async () => quote } as unknown as PriceQuoteClient, {
        orchestratorUrl: 'http://x',
        quoteTtlMs: 0,
        maxTokensLimit: 4_096,
      });
      const admitting = service.admit(principal, 0.01, 10, { id: 'late-reservation', ttlMs: 60_000 }).catch((e: unknown) => e);
      await jest.advanceTimersByTimeAsync(1_001);
      const error = (await admitting) as UsageException;
      expect(error).toBeInstanceOf(UsageException);
      expect(error.code).toBe('usage_controls_unavailable');
      expect(released).toEqual([]);
      land({ admitted: true, rate: {} });
      await jest.advanceTimersByTimeAsync(0);
      expect(released).toEqual(['late-reservation']);
    } finally {
      jest.useRealTimers();
    }
  });
});
