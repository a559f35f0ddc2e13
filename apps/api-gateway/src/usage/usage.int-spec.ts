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

  it('refuses a reversed or malformed date range', async () => {
    const reversed = await app.inject({ method: 'GET', url: '/v1/usage?start=2026-05-02&end=2026-05-01', headers: { authorization: ada.authHeader } });
    expectApiError(reversed, 400, 'invalid_range', 'start');
    const malformed = await app.inject({ method: 'GET', url: '/v1/usage?start=yesterday', headers: { authorization: ada.authHeader } });
    expectApiError(malformed, 400, 'invalid_request', 'start');
  });
});
