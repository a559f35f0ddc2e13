import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DEFAULT_TIER_POLICY, mergeTierPolicy } from '@conduit/budget';
import { PrismaService } from '@conduit/db';
import { expectApiError } from '../testing/api-error.assertion';
import { createTenantWithUser, removeTenants, TenantWithUser } from '@conduit/testing';
import { createGatewayTestApp } from '../testing/gateway-test-app';
import { UsageModule } from './usage.module';

async function usageApp(): Promise<NestFastifyApplication> {
  const prefix = `test-${randomBytes(6).toString('hex')}`;
  return createGatewayTestApp(
    [
      UsageModule.register(
        {
          redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0',
          prefix,
          policy: mergeTierPolicy({ free: { user_daily_usd: 2 } }, DEFAULT_TIER_POLICY),
          reservationTtlMs: 60_000,
          settledTtlMs: 60_000,
          capCacheTtlMs: 0,
          priceRefreshMs: 60_000,
          pricing: false,
        },
        { orchestratorUrl: 'http://127.0.0.1:9', quoteTtlMs: 0, maxTokensLimit: 4_096 },
      ),
    ],
    { queuePrefix: prefix },
  );
}

describe('usage and budget API (in-process gateway, real Postgres and Redis)', () => {
  let app: NestFastifyApplication;
  let prisma: PrismaService;
  let ada: TenantWithUser;

  beforeAll(async () => {
    app = await usageApp();
    prisma = app.get(PrismaService);
    ada = await createTenantWithUser(prisma);
  });

  afterAll(async () => {
    await removeTenants(prisma, [ada.tenant]);
    await app.close();
  });

  it('shows caps with their source, spend, remaining and reset time, and the rate limits', async () => {
    await prisma.budgetCap.create({ data: { tenantId: ada.tenant.id, scope: 'tenant', subjectId: ada.tenant.id, period: 'monthly', capUsd: 100 } });
    const day = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()));
    await prisma.usageDaily.create({ data: { tenantId: ada.tenant.id, userId: ada.user.id, day, model: 'gpt-4.1', requests: 2, costUsd: 0.5 } });
    const response = await app.inject({ method: 'GET', url: '/v1/budget', headers: { authorization: ada.authHeader } });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ budgets: Record<string, unknown>[]; rate_limits: unknown }>();
    expect(body.budgets).toEqual([
      expect.objectContaining({ scope: 'user', period: 'daily', cap_usd: 2, source: 'tier_default', spent_usd: 0.5, reserved_usd: 0, remaining_usd: 1.5 }),
      expect.objectContaining({ scope: 'user', period: 'monthly', cap_usd: null, source: 'none', remaining_usd: null }),
      expect.objectContaining({ scope: 'tenant', period: 'daily', cap_usd: null, source: 'none', spent_usd: 0.5 }),
      expect.objectContaining({ scope: 'tenant', period: 'monthly', cap_usd: 100, source: 'override', remaining_usd: 99.5 }),
    ]);
    expect(Date.parse(body.budgets[0].resets_at as string)).toBe(day.getTime() + 86_400_000);
    expect(body.rate_limits).toEqual({
      api_key: { requests_per_minute: 60, tokens_per_minute: 100_000 },
      user: { requests_per_minute: 120, tokens_per_minute: 200_000 },
    });
  });

  it('shows response cache hits and their savings in /v1/usage (JSON and CSV), hits at zero cost', async () => {
    const bea = await createTenantWithUser(prisma);
    try {
      const day = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()));
      // What billing writes for one provider call ($0.01) and two hits of its answer (each saving $0.01, costing 0).
      await prisma.usageDaily.create({
        data: { tenantId: bea.tenant.id, userId: bea.user.id, day, model: 'gpt-4.1', requests: 3, inputTokens: 100, outputTokens: 50, costUsd: 0.01, cacheHits: 2, costSavedUsd: 0.02 },
      });
      const response = await app.inject({ method: 'GET', url: '/v1/usage', headers: { authorization: bea.authHeader } });
      expect(response.statusCode).toBe(200);
      const report = response.json<{ data: Record<string, unknown>[]; totals: Record<string, unknown> }>();
      expect(report.data).toEqual([
        { date: day.toISOString().slice(0, 10), model: 'gpt-4.1', requests: 3, input_tokens: 100, output_tokens: 50, cached_tokens: 0, cost_usd: 0.01, cache_hits: 2, cost_saved_usd: 0.02 },
      ]);
      expect(report.totals).toMatchObject({ requests: 3, cost_usd: 0.01, cache_hits: 2, cost_saved_usd: 0.02 });
      const csv = await app.inject({ method: 'GET', url: '/v1/usage?format=csv', headers: { authorization: bea.authHeader } });
      expect(csv.body.split('\r\n')[0]).toBe('date,model,requests,input_tokens,output_tokens,cached_tokens,cost_usd,cache_hits,cost_saved_usd');
      expect(csv.body.split('\r\n')[1]).toMatch(/,3,100,50,0,0\.010000000,2,0\.020000000$/);
    } finally {
      await removeTenants(prisma, [bea.tenant]);
    }
  });

  it('refuses a reversed or malformed date range', async () => {
    const reversed = await app.inject({ method: 'GET', url: '/v1/usage?start=2026-05-02&end=2026-05-01', headers: { authorization: ada.authHeader } });
    expectApiError(reversed, 400, 'invalid_range', 'start');
    const malformed = await app.inject({ method: 'GET', url: '/v1/usage?start=yesterday', headers: { authorization: ada.authHeader } });
    expectApiError(malformed, 400, 'invalid_request', 'start');
  });
});
