import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import { ConduitHeader } from '@conduit/contracts';
import { createTenantWithUser, removeTenants, TenantWithUser, waitFor } from '@conduit/testing';
import { ChatPlatform, startChatPlatform } from './support/chat-platform';

const ADMIN_KEY = `adm_${randomBytes(24).toString('hex')}`;

interface UsageReport {
  data: { model: string; requests: number; cost_usd: number; cache_hits: number; cost_saved_usd: number }[];
  totals: { requests: number; cost_usd: number; cache_hits: number; cost_saved_usd: number };
}

/**
 * The response cache across the services, as processes: the openai client through the gateway,
 * the orchestrator's cache, billing's ledger, and back through `/v1/usage` and the admin API.
 */
describe('response cache end to end: a hit costs nothing, shows as a saving, and can be purged', () => {
  let platform: ChatPlatform;
  let tenant: TenantWithUser;
  let client: OpenAI;

  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${platform.gateway.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  beforeAll(async () => {
    // A lookup deadline for a loaded test machine (the default 50 ms turns a slow read into a bypass).
    platform = await startChatPlatform({ RESPONSE_CACHE_TIMEOUT_MS: '2000' }, { gatewayEnv: { ADMIN_API_KEY: ADMIN_KEY } });
    tenant = await createTenantWithUser(platform.prisma);
    expect((await admin('PUT', `/v1/admin/tenants/${tenant.tenant.id}/policy`, { cache: { mode: 'exact' } })).status).toBe(200);
    client = new OpenAI({ apiKey: tenant.apiKey, baseURL: `${platform.gateway.url}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    if (!platform) return;
    if (tenant) await removeTenants(platform.prisma, [tenant.tenant]);
    await platform.stop();
  });

  const ask = () => client.chat.completions.create({ model: 'default', messages: [{ role: 'user', content: 'What does a response cache save?' }] }).withResponse();

  it('bills the first call, answers the second from the cache at zero cost, and /v1/usage shows the saving', async () => {
    const first = await ask();
    expect(first.response.headers.get(ConduitHeader.Cache)).toBe('miss');
    const key = first.response.headers.get(ConduitHeader.CacheKey) as string;
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const stored = () => admin('GET', `/v1/admin/tenants/${tenant.tenant.id}/cache`).then((r) => r.json() as Promise<{ entries: number }>);
    await waitFor(stored, { what: 'the answer to be stored', until: (c) => c.entries === 1 });

    const second = await ask();
    expect(second.response.headers.get(ConduitHeader.Cache)).toBe('hit');
    expect(second.data.choices[0]?.message.content).toBe(first.data.choices[0]?.message.content);
    expect(second.data.usage).toEqual(first.data.usage);

    const report = await waitFor(
      async () => (await (await fetch(`${platform.gateway.url}/v1/usage`, { headers: { authorization: `Bearer ${tenant.apiKey}` } })).json()) as UsageReport,
      { what: 'both calls to be billed', until: (r) => r.totals.requests === 2 },
    );
    expect(report.totals.cache_hits).toBe(1);
    expect(report.totals.cost_usd).toBeGreaterThan(0);
    // The hit saved what the first call cost, and cost nothing itself.
    expect(report.totals.cost_saved_usd).toBeCloseTo(report.totals.cost_usd, 9);
    const ledger = await platform.prisma.usageEvent.findMany({ where: { tenantId: tenant.tenant.id }, orderBy: { occurredAt: 'asc' } });
    expect(ledger.map((e) => [e.cacheHit, e.inputTokens, Number(e.costUsd) > 0])).toEqual([
      [false, first.data.usage?.prompt_tokens, true],
      [true, 0, false],
    ]);

    // The admin purges that entry by the key the answer named: the next call misses.
    const purged = await admin('POST', `/v1/admin/tenants/${tenant.tenant.id}/cache/purge`, { key });
    expect(await purged.json()).toMatchObject({ scope: 'key', deleted: 1 });
    expect((await ask()).response.headers.get(ConduitHeader.Cache)).toBe('miss');
  });
});
