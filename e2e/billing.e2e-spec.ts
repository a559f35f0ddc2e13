import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { JobName, usageEventSchema } from '@conduit/contracts';
import { createPrismaClient } from '@conduit/db';
import { createTenantWithUser, removeTenants, TenantWithUser, waitFor } from '@conduit/testing';
import { ChatPlatform, startChatPlatform } from './support/chat-platform';
import { baseEnv, ROOT } from './support/service-process';

/**
 * Usage, budgets and rate limits across gateway → orchestrator → billing, as processes. Prices
 * come from `model_prices` rows this suite adds for its own models:
 * - BUDGET_MODEL: input free, output $10 per 1M tokens. A call with max_tokens 10 whose answer is
 *   longer (the mock echoes 15 tokens) reserves exactly 10 × $10/1M = $0.0001 and settles at that.
 * - FREE_MODEL: costs nothing.
 */
const tag = randomUUID().slice(0, 8);
const BUDGET_MODEL = `e2e-budget-${tag}`;
const FREE_MODEL = `e2e-free-${tag}`;
const MAX_TOKENS = 10;
const CALL_USD = (MAX_TOKENS * 10) / 1_000_000;
const ADMIN_KEY = `admin-${randomUUID()}-${randomUUID()}`;
const LONG_PROMPT = 'Please repeat these words back to me: alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike november oscar papa';

const llmConfigFile = join(tmpdir(), `conduit-e2e-billing-${process.pid}.json`);
writeFileSync(
  llmConfigFile,
  JSON.stringify({
    routes: {
      default: [{ provider: 'anthropic', model: 'claude-sonnet-4-6' }],
      'budget-e2e': [{ provider: 'openai', model: BUDGET_MODEL }],
      'free-e2e': [{ provider: 'openai', model: FREE_MODEL }],
    },
    retry: { baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 50 },
  }),
);

/** A counter's value on a service's `/metrics` page (0 when absent). */
async function counter(serviceUrl: string, name: string, labels: string): Promise<number> {
  const page = await (await fetch(`${serviceUrl}/metrics`)).text();
  const line = page.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line ? Number(line.split(' ')[1]) : 0;
}
const releasesBy = (serviceUrl: string) => counter(serviceUrl, 'conduit_budget_reservations_ended_total', 'action="release"');

interface ErrorBody {
  error: { code: string; type: string; message: string; budget?: Record<string, unknown>; rate_limit?: Record<string, unknown> };
}

describe('billing, budgets and rate limits end to end', () => {
  let platform: ChatPlatform;
  let redis: Redis;
  const tenants: TenantWithUser[] = [];

  const chat = (key: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    fetch(`${platform.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ messages: [{ role: 'user', content: LONG_PROMPT }], ...body }),
    });
  const get = (path: string, key: string) => fetch(`${platform.gateway.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  const budgetOf = async (key: string) =>
    (await (await get('/v1/budget', key)).json()) as { budgets: { scope: string; period: string; cap_usd: number | null; spent_usd: number; reserved_usd: number; remaining_usd: number | null }[] };
  const account = async (tier: 'free' | 'pro') => {
    const created = await createTenantWithUser(platform.prisma, { tier });
    tenants.push(created);
    return created;
  };
  const setCap = (who: TenantWithUser, scope: 'user' | 'tenant', period: 'daily' | 'monthly', usd: number) =>
    platform.prisma.budgetCap.create({
      data: {
        tenantId: who.tenant.id,
        scope,
        subjectId: scope === 'user' ? who.user.id : who.tenant.id,
        userId: scope === 'user' ? who.user.id : null,
        period,
        capUsd: usd,
      },
    });
  const ledgerOf = (userId: string) =>
    platform.prisma.usageEvent.aggregate({ where: { userId }, _count: true, _sum: { inputTokens: true, outputTokens: true, costUsd: true } });

  beforeAll(async () => {
    const prisma = createPrismaClient(process.env.DATABASE_URL ?? '', 2);
    await prisma.modelPrice.createMany({
      data: [
        { model: BUDGET_MODEL, effectiveFrom: new Date('2020-01-01'), inputUsdPerMtok: 0, outputUsdPerMtok: 10 },
        { model: FREE_MODEL, effectiveFrom: new Date('2020-01-01'), inputUsdPerMtok: 0, outputUsdPerMtok: 0 },
      ],
    });
    await prisma.$disconnect();
    platform = await startChatPlatform(
      { LLM_CONFIG_FILE: llmConfigFile, LLM_MAX_RETRIES: '0', LLM_TIMEOUT_MS: '10000' },
      { gatewayEnv: { ADMIN_API_KEY: ADMIN_KEY }, billingEnv: { USAGE_JOB_LOCK_MS: '2000' } },
    );
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0');
  });

  afterAll(async () => {
    redis?.disconnect();
    if (!platform) return;
    await removeTenants(platform.prisma, tenants.map((t) => t.tenant));
    await platform.prisma.modelPrice.deleteMany({ where: { model: { in: [BUDGET_MODEL, FREE_MODEL] } } });
    await platform.stop();
  });

  beforeEach(() => platform.mock.state.faults.clear());

  it('200 concurrent calls with budget for exactly 50: 50 succeed, 150 get 402, settled spend stays under the cap', async () => {
    const alice = await account('pro');
    // Room for 50 calls and half of another.
    await setCap(alice, 'user', 'daily', 50.5 * CALL_USD);
    // Slow answers keep all 50 admitted calls in flight while the other 150 arrive.
    platform.mock.state.faults.add({ match: { model: BUDGET_MODEL }, fault: { latency_ms: 2_500 } });
    const responses = await Promise.all(
      Array.from({ length: 200 }, () => chat(alice.apiKey, { model: 'budget-e2e', max_tokens: MAX_TOKENS }).then(async (r) => ({ status: r.status, body: (await r.json()) as ErrorBody & { usage?: { completion_tokens: number } } }))),
    );
    expect(responses.filter((r) => r.status === 200)).toHaveLength(50);
    const refused = responses.filter((r) => r.status === 402);
    expect(refused).toHaveLength(150);
    expect(refused[0].body.error).toMatchObject({
      code: 'budget_exceeded',
      type: 'insufficient_quota',
      budget: { scope: 'user', period: 'daily', cap_usd: expect.closeTo(50.5 * CALL_USD, 9), requested_usd: expect.closeTo(CALL_USD, 9), resets_at: expect.stringMatching(/T00:00:00.000Z$/) },
    });
    expect(responses.filter((r) => r.status === 200).every((r) => r.body.usage?.completion_tokens === MAX_TOKENS)).toBe(true);

    const ledger = await waitFor(() => ledgerOf(alice.user.id), { what: '50 calls in the ledger', until: (l) => l._count === 50, timeoutMs: 15_000 });
    expect(Number(ledger._sum.costUsd)).toBeCloseTo(50 * CALL_USD, 9);
    expect(Number(ledger._sum.costUsd)).toBeLessThanOrEqual(50.5 * CALL_USD);
    const budget = await waitFor(() => budgetOf(alice.apiKey), { what: 'every reservation settled', until: (b) => b.budgets[0].reserved_usd === 0 });
    expect(budget.budgets[0]).toMatchObject({ scope: 'user', period: 'daily', cap_usd: expect.closeTo(50.5 * CALL_USD, 9), spent_usd: expect.closeTo(50 * CALL_USD, 9), remaining_usd: expect.closeTo(0.5 * CALL_USD, 9) });
    // The messages show the billed cost.
    const messages = await platform.prisma.message.findMany({ where: { userId: alice.user.id, role: 'assistant' } });
    expect(messages.every((m) => Number(m.costUsd) === CALL_USD)).toBe(true);

    // Budgets survive losing Redis: the counters are rebuilt from the ledger.
    const keys = await redis.keys(`${platform.queuePrefix}:bud:{${alice.tenant.id}}:*`);
    expect(keys.length).toBeGreaterThan(0);
    await redis.del(...keys);
    const after = await chat(alice.apiKey, { model: 'budget-e2e', max_tokens: MAX_TOKENS });
    expect(after.status).toBe(402);
    expect(((await after.json()) as ErrorBody).error.budget).toMatchObject({ spent_usd: expect.closeTo(50 * CALL_USD, 9) });
  });

  it('never blocks a user with no budget, nor a zero-cost call of a user whose budget is spent', async () => {
    const bob = await account('pro');
    const outcomes = await Promise.all(Array.from({ length: 30 }, () => chat(bob.apiKey, { model: 'default' }).then((r) => r.status)));
    expect(outcomes.every((status) => status === 200)).toBe(true);
    const budget = await budgetOf(bob.apiKey);
    expect(budget.budgets.map((b) => b.cap_usd)).toEqual([null, null, null, null]);

    const carol = await account('pro');
    await setCap(carol, 'tenant', 'monthly', 0);
    expect((await chat(carol.apiKey, { model: 'budget-e2e', max_tokens: MAX_TOKENS })).status).toBe(402);
    const free = await Promise.all(Array.from({ length: 20 }, () => chat(carol.apiKey, { model: 'free-e2e', max_tokens: MAX_TOKENS }).then((r) => r.status)));
    expect(free.every((status) => status === 200)).toBe(true);
  });

  it('gives back the reservation of a call that fails, so failures never use up a budget', async () => {
    const gina = await account('pro');
    await setCap(gina, 'user', 'daily', 1.5 * CALL_USD);
    platform.mock.state.faults.add({ match: { model: BUDGET_MODEL }, fault: { status: 503 }, times: 3 });
    for (let i = 0; i < 3; i += 1) {
      const failed = await chat(gina.apiKey, { model: 'budget-e2e', max_tokens: MAX_TOKENS });
      expect([502, 503]).toContain(failed.status);
    }
    const budget = await waitFor(() => budgetOf(gina.apiKey), { what: 'every reservation released', until: (b) => b.budgets[0].reserved_usd === 0 });
    expect(budget.budgets[0].spent_usd).toBe(0);
    expect((await chat(gina.apiKey, { model: 'budget-e2e', max_tokens: MAX_TOKENS })).status).toBe(200);
    expect((await chat(gina.apiKey, { model: 'budget-e2e', max_tokens: MAX_TOKENS })).status).toBe(402);
  });

  it('bills a usage event delivered three times once', async () => {
    const dave = await account('pro');
    const queue = new Queue('usage', { connection: redis, prefix: platform.queuePrefix });
    const event = usageEventSchema.parse({
      event_id: `evt_${randomUUID()}`,
      tenant_id: dave.tenant.id,
      user_id: dave.user.id,
      api_key_id: null,
      request_id: 'redelivered',
      provider: 'openai',
      model: BUDGET_MODEL,
      input_tokens: 10,
      output_tokens: 1_000,
      latency_ms: 5,
      feature: 'job',
      occurred_at: new Date().toISOString(),
    });
    // Three deliveries that BullMQ cannot deduplicate (distinct job ids), as after a producer retry.
    for (let i = 0; i < 3; i += 1) await queue.add(JobName.UsageRecord, event, { jobId: `redelivery-${event.event_id}-${i}` });
    await waitFor(async () => (await Promise.all([0, 1, 2].map((i) => queue.getJobState(`redelivery-${event.event_id}-${i}`)))).every((s) => s === 'completed'), {
      what: 'three deliveries processed',
      timeoutMs: 15_000,
    });
    await queue.close();
    const ledger = await ledgerOf(dave.user.id);
    expect(ledger._count).toBe(1);
    expect(Number(ledger._sum.costUsd)).toBeCloseTo(0.01, 9);
    const daily = await platform.prisma.usageDaily.findMany({ where: { userId: dave.user.id } });
    expect(daily.map((d) => d.requests)).toEqual([1]);
    expect((await budgetOf(dave.apiKey)).budgets[0].spent_usd).toBe(0.01);
  });

  it('loses and duplicates nothing when the billing worker is killed mid-batch and restarted', async () => {
    const erin = await account('pro');
    const calls = 120;
    await platform.billing.stop('SIGTERM');
    const usage = { prompt: 0, completion: 0 };
    // Groups of concurrent calls: the orchestrator writes each group's turns in a batch or a few,
    // and sends each batch's usage events as one job, so billing gets many jobs of several events.
    const group = 10;
    for (let batch = 0; batch < calls / group; batch += 1) {
      const answers = await Promise.all(
        Array.from({ length: group }, (_, i) =>
          chat(erin.apiKey, { model: 'default', max_tokens: 5 + ((batch * group + i) % 7) }).then(
            async (r) => (await r.json()) as { usage: { prompt_tokens: number; completion_tokens: number } },
          ),
        ),
      );
      for (const answer of answers) {
        usage.prompt += answer.usage.prompt_tokens;
        usage.completion += answer.usage.completion_tokens;
      }
    }
    const queue = new Queue('usage', { connection: redis, prefix: platform.queuePrefix });
    // The orchestrator sends the usage events of each write-behind batch of turns as one job.
    const eventsWaiting = async () =>
      (await queue.getWaiting(0, -1)).reduce((n, job) => n + (job.name === JobName.UsageRecordBatch ? (job.data as { events: unknown[] }).events.length : 1), 0);
    await waitFor(eventsWaiting, { what: `${calls} usage events waiting`, until: (waiting) => waiting >= calls, timeoutMs: 15_000 });
    expect(await queue.getWaitingCount()).toBeLessThan(calls);

    // One job at a time, so the kill lands between the first billed batch and the last.
    const billing = await platform.startBilling({ USAGE_CONCURRENCY: '1' });
    const seen = await waitFor(() => platform.prisma.usageEvent.count({ where: { userId: erin.user.id } }), {
      what: 'the first events billed',
      until: (n) => n > 0,
      timeoutMs: 15_000,
      intervalMs: 2,
    });
    billing.child.kill('SIGKILL');
    await billing.exited;
    const atKill = await platform.prisma.usageEvent.count({ where: { userId: erin.user.id } });
    expect(seen).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(calls);

    await platform.startBilling();
    // Every event processed (a job the killed worker held counts as active until it is retried)...
    await waitFor(() => queue.getJobCounts('active', 'waiting', 'delayed'), {
      what: 'the usage queue to drain',
      until: (c) => c.active + c.waiting + c.delayed === 0,
      timeoutMs: 30_000,
    });
    await queue.close();
    // ...and each billed once.
    const ledger = await ledgerOf(erin.user.id);
    expect(ledger._count).toBe(calls);
    expect(ledger._sum.inputTokens).toBe(usage.prompt);
    expect(ledger._sum.outputTokens).toBe(usage.completion);
    const daily = await platform.prisma.usageDaily.aggregate({ where: { userId: erin.user.id }, _sum: { requests: true, costUsd: true } });
    expect(daily._sum.requests).toBe(calls);
    expect(Number(daily._sum.costUsd)).toBeCloseTo(Number(ledger._sum.costUsd), 9);
    // Redis budget counters agree with the ledger: nothing was counted twice there either.
    const budget = await budgetOf(erin.apiKey);
    expect(budget.budgets[0].spent_usd).toBeCloseTo(Number(ledger._sum.costUsd), 6);
    expect(budget.budgets[0].reserved_usd).toBe(0);

    // The usage API reports the same totals, as JSON and as CSV.
    const report = (await (await get('/v1/usage', erin.apiKey)).json()) as { data: { model: string; requests: number }[]; totals: { requests: number; input_tokens: number; output_tokens: number; cost_usd: number } };
    expect(report.totals).toMatchObject({ requests: calls, input_tokens: usage.prompt, output_tokens: usage.completion });
    expect(report.totals.cost_usd).toBeCloseTo(Number(ledger._sum.costUsd), 9);
    expect(report.data.map((row) => row.model)).toEqual(['claude-sonnet-4-6']);
    const csv = await get('/v1/usage?format=csv', erin.apiKey);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('date,model,requests,input_tokens,output_tokens,cached_tokens,cost_usd,cache_hits,cost_saved_usd');
    expect(lines[1]).toContain(`,claude-sonnet-4-6,${calls},${usage.prompt},${usage.completion},`);

    // Operators see it per tenant and user with the admin key; tenant keys are not admin keys.
    const admin = await fetch(`${platform.gateway.url}/v1/admin/usage?tenant_id=${erin.tenant.id}&group_by=tenant,user`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(admin.status).toBe(200);
    expect(((await admin.json()) as { data: unknown[] }).data).toEqual([
      expect.objectContaining({ tenant_id: erin.tenant.id, user_id: erin.user.id, requests: calls }),
    ]);
    // A user's API key is not an admin credential (403 admin_required).
    expect((await get(`/v1/admin/usage?tenant_id=${erin.tenant.id}`, erin.apiKey)).status).toBe(403);
  });

  it('sends OpenAI rate-limit headers matching the remaining counts, and 429 with retry-after on the 61st call in a minute', async () => {
    const frank = await account('free');
    const remaining: number[] = [];
    for (let i = 0; i < 60; i += 1) {
      const response = await chat(frank.apiKey, { model: 'free-e2e', max_tokens: 10 });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ratelimit-limit-requests')).toBe('60');
      expect(response.headers.get('x-ratelimit-limit-tokens')).toBe('100000');
      expect(response.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+(\.\d+)?(ms|s)$|^\d+m\d+(\.\d+)?s$/);
      remaining.push(Number(response.headers.get('x-ratelimit-remaining-requests')));
      await response.arrayBuffer();
    }
    expect(remaining).toEqual(Array.from({ length: 60 }, (_, i) => 59 - i));
    const sixtyFirst = await chat(frank.apiKey, { model: 'free-e2e', max_tokens: 10 });
    expect(sixtyFirst.status).toBe(429);
    const retryAfter = Number(sixtyFirst.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(sixtyFirst.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    const body = (await sixtyFirst.json()) as ErrorBody;
    expect(body.error).toMatchObject({ code: 'rate_limit_exceeded', type: 'rate_limit_error', rate_limit: { subject: 'api_key', dimension: 'requests', limit: 60 } });
  });
  it('lets the orchestrator end every reservation it received; the gateway releases only a call it could not deliver', async () => {
    const hank = await account('pro');
    await setCap(hank, 'user', 'daily', 10 * CALL_USD);
    const reserved = async () => (await budgetOf(hank.apiKey)).budgets[0].reserved_usd;
    const gatewayReleases = await releasesBy(platform.gateway.url);
    const orchestratorReleases = await releasesBy(platform.orchestrator.url);

    // The orchestrator answered (a provider failure, then a success): it released, then settled.
    platform.mock.state.faults.add({ match: { model: BUDGET_MODEL }, fault: { status: 503 }, times: 1 });
    expect([502, 503]).toContain((await chat(hank.apiKey, { model: 'budget-e2e', max_tokens: MAX_TOKENS })).status);
    expect((await chat(hank.apiKey, { model: 'budget-e2e', max_tokens: MAX_TOKENS })).status).toBe(200);
    await waitFor(reserved, { what: 'the reservations ended', until: (usd) => usd === 0 });
    expect(await waitFor(() => releasesBy(platform.orchestrator.url), { what: "the orchestrator's release", until: (n) => n === orchestratorReleases + 1 })).toBe(orchestratorReleases + 1);
    expect(await releasesBy(platform.gateway.url)).toBe(gatewayReleases);

    // The orchestrator is gone (the price quote is cached): the gateway gives the reservation back.
    await platform.orchestrator.stop('SIGTERM');
    try {
      const refused = await chat(hank.apiKey, { model: 'budget-e2e', max_tokens: MAX_TOKENS });
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as ErrorBody).error.code).toBe('orchestrator_unavailable');
      expect(await releasesBy(platform.gateway.url)).toBe(gatewayReleases + 1);
      expect(await waitFor(reserved, { what: 'the reservation given back', until: (usd) => usd === 0 })).toBe(0);
    } finally {
      await platform.startOrchestrator();
    }
  });

  it('finding 5 of issue 12 (budget bypass through unpriced models): a user whose cap is spent is refused gpt-4o-2024-08-06, claude-opus-4-5, o3 and gpt-5, never served at $0', async () => {
    const judy = await account('pro');
    await setCap(judy, 'user', 'daily', CALL_USD);
    expect((await chat(judy.apiKey, { model: 'budget-e2e', max_tokens: MAX_TOKENS })).status).toBe(200);
    await waitFor(() => budgetOf(judy.apiKey), { what: 'the first call settled', until: (b) => b.budgets[0].spent_usd > 0 && b.budgets[0].reserved_usd === 0, timeoutMs: 15_000 });
    platform.mock.state.requests.clear();

    const outcomes: Record<string, { status: number; code: string }> = {};
    for (const model of ['gpt-4o-2024-08-06', 'claude-opus-4-5', 'o3', 'gpt-5']) {
      for (const stream of [false, true]) {
        const response = await chat(judy.apiKey, { model, max_tokens: MAX_TOKENS, stream });
        const body = (await response.json()) as ErrorBody;
        outcomes[`${model}${stream ? ' (stream)' : ''}`] = { status: response.status, code: body.error.code };
        if (response.status === 400) expect(body.error).toMatchObject({ type: 'invalid_request_error', param: 'model', message: expect.stringContaining(`"${model}" has no price`) });
      }
    }
    // Priced (a dated snapshot takes its family's price): over budget. Unpriced: refused outright.
    expect(outcomes).toEqual({
      'gpt-4o-2024-08-06': { status: 402, code: 'budget_exceeded' },
      'gpt-4o-2024-08-06 (stream)': { status: 402, code: 'budget_exceeded' },
      'claude-opus-4-5': { status: 400, code: 'model_not_priced' },
      'claude-opus-4-5 (stream)': { status: 400, code: 'model_not_priced' },
      o3: { status: 400, code: 'model_not_priced' },
      'o3 (stream)': { status: 400, code: 'model_not_priced' },
      'gpt-5': { status: 400, code: 'model_not_priced' },
      'gpt-5 (stream)': { status: 400, code: 'model_not_priced' },
    });
    // No provider was called, nothing was billed beyond the first call.
    expect(platform.mock.state.requests.list()).toEqual([]);
    const ledger = await ledgerOf(judy.user.id);
    expect(ledger._count).toBe(1);
    expect(await platform.prisma.usageEvent.count({ where: { tenantId: judy.tenant.id, priced: false } })).toBe(0);

    // A tenant that opted in (admin CLI) is served an unpriced model, billed at 0 and marked unpriced.
    const kate = await account('pro');
    execFileSync('node', ['dist/apps/api-gateway/src/cli/admin.js', 'set-unpriced-models', '--tenant', kate.tenant.slug, '--allow', 'yes'], {
      cwd: ROOT,
      env: baseEnv(),
      stdio: 'pipe',
    });
    expect((await chat(kate.apiKey, { model: 'gpt-5', max_tokens: MAX_TOKENS })).status).toBe(200);
    const billed = await waitFor(() => platform.prisma.usageEvent.findMany({ where: { userId: kate.user.id } }), { what: 'the unpriced call billed', until: (rows) => rows.length === 1, timeoutMs: 15_000 });
    expect(billed[0]).toMatchObject({ model: 'gpt-5', priced: false });
    expect(Number(billed[0].costUsd)).toBe(0);
  });
});
