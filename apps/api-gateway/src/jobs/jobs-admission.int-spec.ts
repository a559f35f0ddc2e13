import { randomBytes, randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Redis } from 'ioredis';
import { UsageControls } from '@conduit/budget';
import { AsyncJobObject, QueueName } from '@conduit/contracts';
import { PrismaService } from '@conduit/db';
import { jobIds } from '@conduit/jobs';
import { JobProducer, REDIS_CONNECTION } from '@conduit/queue';
import { ApiKeyRegistry } from '@conduit/tenancy';
import { createTenantWithUser, removeTenants, TenantWithUser, waitFor } from '@conduit/testing';
import { expectApiError } from '../testing/api-error.assertion';
import { createGatewayTestApp } from '../testing/gateway-test-app';
import { PriceQuoteServer, startPriceQuoteServer } from '../testing/price-quote-server';
import { usageTestModule } from '../testing/usage-test-module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { JOB_RESERVATION_GRACE_MS } from './jobs.service';
import { JobsModule } from './jobs.module';

/**
 * Quotes (the orchestrator's answer for each model, over a real socket):
 * - `budget`: output $10 per 1M tokens, input free: a request with max_tokens 10 costs at most
 *   exactly 10 × $10/1M = $0.0001 (CALL_USD).
 * - `free`: costs nothing. `unpriced`: a route with a target without a price.
 */
const MAX_TOKENS = 10;
const CALL_USD = (MAX_TOKENS * 10) / 1_000_000;
const NANO = 1_000_000_000;
const quote = (output: number, priced = true) => ({ priced, input_usd_per_mtok: 0, output_usd_per_mtok: output, default_max_output_tokens: 4_096, history_max_tokens: 0 });

const request = (model: string, content = 'Hello async') => ({ model, max_tokens: MAX_TOKENS, messages: [{ role: 'user', content }] });
const completion = (model = 'budget', extra: Record<string, unknown> = {}) => ({ type: 'chat.completion', input: request(model), ...extra });
const batch = (models: string[]) => ({ type: 'chat.batch', input: { requests: models.map((model, i) => ({ custom_id: `r${i}`, body: request(model, `item ${i}`) })) } });

interface BudgetErrorBody {
  error: { code: string; type: string; message: string; param: string | null; budget: Record<string, unknown> };
}

/**
 * Async jobs go through the same admission as chat calls (issue 13, deliver 1): priced models,
 * rate limits and a budget reservation of the job's worst case, at submit; the reservation lives
 * as long as the job may wait, and a cancel gives it back. In-process gateway, real Redis and
 * Postgres.
 */
describe('jobs admission: rate limits and budget reservations at submit', () => {
  let app: NestFastifyApplication;
  let prisma: PrismaService;
  let controls: UsageControls;
  let redis: Redis;
  let quotes: PriceQuoteServer;
  const internalToken = randomBytes(16).toString('hex');
  const queuePrefix = `test-${randomBytes(6).toString('hex')}`;
  const tenants: { id: string }[] = [];

  const submit = (who: TenantWithUser, body: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/v1/jobs', headers: { authorization: who.authHeader, ...headers }, payload: body as object });
  const account = async (tier: 'free' | 'pro' = 'pro') => {
    const created = await createTenantWithUser(prisma, { tier });
    tenants.push(created.tenant);
    return created;
  };
  const setUserDailyCap = (who: TenantWithUser, usd: number) =>
    prisma.budgetCap.create({ data: { tenantId: who.tenant.id, scope: 'user', subjectId: who.user.id, userId: who.user.id, period: 'daily', capUsd: usd } });
  /** What the caller's daily counter holds for calls in progress (reservations), in USD. */
  const heldUsd = async (who: TenantWithUser) => {
    const counters = await controls.snapshot(who.tenant.id, who.user.id);
    const daily = counters.find((c) => c.scope === 'user' && c.period === 'daily');
    return (daily?.heldNano ?? 0) / NANO;
  };
  const reservationRecord = (who: TenantWithUser, jobId: string) => controls.keys.reservation(who.tenant.id, jobIds.reservation(jobId));

  beforeAll(async () => {
    quotes = await startPriceQuoteServer({ budget: quote(10), free: quote(0), unpriced: quote(0, false) }, internalToken);
    app = await createGatewayTestApp(
      [
        JobsModule.register(
          {
            jobs: { maxAttempts: 3, retryDelayMs: 1_000, defaultTimeoutS: 600, maxTimeoutS: 7_200 },
            webhookPolicy: { allowHttp: false, allowedCidrs: [] },
            maxTokensLimit: 4_096,
          },
          usageTestModule({ prefix: queuePrefix, quotesUrl: quotes.url, internalToken, policy: { free: { key_rpm: 3 } } }),
        ),
        WebhooksModule,
      ],
      { queuePrefix },
    );
    prisma = app.get(PrismaService);
    controls = app.get(UsageControls);
    redis = app.get(REDIS_CONNECTION);
  }, 30_000);

  afterAll(async () => {
    if (prisma) await removeTenants(prisma, tenants);
    await app?.get(JobProducer).queue(QueueName.Jobs).obliterate({ force: true });
    await app?.close();
    await quotes?.close();
  });

  it('200 concurrent submits against a budget for exactly 50 let exactly 50 in; the other 150 get 402 and store nothing', async () => {
    const alice = await account();
    // Room for 50 jobs and half of another.
    await setUserDailyCap(alice, 50.5 * CALL_USD);
    const answers = await Promise.all(Array.from({ length: 200 }, () => submit(alice, completion())));
    const accepted = answers.filter((r) => r.statusCode === 202);
    const refused = answers.filter((r) => r.statusCode === 402);
    expect(accepted).toHaveLength(50);
    expect(refused).toHaveLength(150);
    expect(refused[0].json<BudgetErrorBody>().error).toMatchObject({
      code: 'budget_exceeded',
      type: 'insufficient_quota',
      budget: { scope: 'user', period: 'daily', cap_usd: expect.closeTo(50.5 * CALL_USD, 9), requested_usd: expect.closeTo(CALL_USD, 9) },
    });
    expect(await prisma.job.count({ where: { userId: alice.user.id } })).toBe(50);
    expect(await heldUsd(alice)).toBeCloseTo(50 * CALL_USD, 9);
    // Each accepted job holds its own reservation, named after the job.
    const states = await Promise.all(accepted.map((r) => redis.hget(reservationRecord(alice, r.json<AsyncJobObject>().id), 'state')));
    expect(new Set(states)).toEqual(new Set(['held']));
  });

  it("holds an API key to its own cap (402 naming the key's cap) while another key of the same user goes on", async () => {
    const carol = await account();
    const cappedKey = await prisma.apiKey.findFirstOrThrow({ where: { userId: carol.user.id } });
    const sibling = await app.get(ApiKeyRegistry, { strict: false }).create(carol.tenant.id, carol.user.id, { name: 'sibling' });
    // Room for two jobs and half of another on the first key; nothing caps the user or the tenant.
    await prisma.budgetCap.create({ data: { tenantId: carol.tenant.id, scope: 'key', subjectId: cappedKey.id, apiKeyId: cappedKey.id, period: 'daily', capUsd: 2.5 * CALL_USD } });
    const answers = await Promise.all(Array.from({ length: 5 }, () => submit(carol, completion())));
    expect(answers.map((r) => r.statusCode).sort()).toEqual([202, 202, 402, 402, 402]);
    expect(answers.find((r) => r.statusCode === 402)?.json<BudgetErrorBody>().error).toMatchObject({
      code: 'budget_exceeded',
      message: expect.stringContaining("this API key's daily budget"),
      budget: { scope: 'key', period: 'daily', subject_id: cappedKey.id, cap_usd: expect.closeTo(2.5 * CALL_USD, 9) },
    });
    const other = { ...carol, authHeader: `Bearer ${sibling.secret}` };
    for (let i = 0; i < 3; i += 1) expect((await submit(other, completion())).statusCode).toBe(202);
    // The user's counter holds all five admitted jobs; the capped key's only its two.
    expect(await heldUsd(carol)).toBeCloseTo(5 * CALL_USD, 9);
    const keyDaily = (await controls.snapshot(carol.tenant.id, carol.user.id, new Date(), cappedKey.id)).find((c) => c.scope === 'key' && c.period === 'daily');
    expect((keyDaily?.heldNano ?? 0) / NANO).toBeCloseTo(2 * CALL_USD, 9);
  });

  it("reserves a chat.batch's worst case (the sum of its requests), and refuses at submit a batch over the cap with 402 naming the cap", async () => {
    const bob = await account();
    await setUserDailyCap(bob, 4.5 * CALL_USD);
    const within = await submit(bob, batch(['budget', 'budget', 'budget', 'free']));
    expect(within.statusCode).toBe(202);
    expect(await heldUsd(bob)).toBeCloseTo(3 * CALL_USD, 9);

    const over = await submit(bob, batch(['budget', 'budget']));
    expect(over.statusCode).toBe(402);
    const { error } = over.json<BudgetErrorBody>();
    expect(error).toMatchObject({
      code: 'budget_exceeded',
      budget: {
        scope: 'user',
        period: 'daily',
        cap_usd: expect.closeTo(4.5 * CALL_USD, 9),
        reserved_usd: expect.closeTo(3 * CALL_USD, 9),
        requested_usd: expect.closeTo(2 * CALL_USD, 9),
      },
    });
    expect(error.message).toContain(`daily budget of $${error.budget.cap_usd}`);
    expect(await prisma.job.count({ where: { userId: bob.user.id } })).toBe(1);
    expect(await heldUsd(bob)).toBeCloseTo(3 * CALL_USD, 9);
  });

  it('a cancelled job releases its reservation', async () => {
    const carol = await account();
    await setUserDailyCap(carol, 1.5 * CALL_USD);
    const job = (await submit(carol, completion())).json<AsyncJobObject>();
    expect(await heldUsd(carol)).toBeCloseTo(CALL_USD, 9);
    // The budget is used up while the job waits in the queue.
    expect((await submit(carol, completion())).statusCode).toBe(402);

    const cancel = await app.inject({ method: 'POST', url: `/v1/jobs/${job.id}/cancel`, headers: { authorization: carol.authHeader } });
    expect(cancel.json<AsyncJobObject>().status).toBe('cancelled');
    await waitFor(() => heldUsd(carol), { what: 'the reservation to be released', until: (held) => held === 0 });
    expect(await redis.hget(reservationRecord(carol, job.id), 'state')).toBe('released');
    expect((await submit(carol, completion())).statusCode).toBe(202);
  });

  it('keeps the reservation as long as the job may wait in the queue (its deadline), not a chat call’s lifetime', async () => {
    const dave = await account();
    const job = (await submit(dave, completion('budget', { timeout_seconds: 7_200 }))).json<AsyncJobObject>();
    const ttlMs = await redis.pttl(reservationRecord(dave, job.id));
    // The record lives until the deadline plus the grace (and the record grace of the scripts) — far beyond the 60 s default.
    expect(ttlMs).toBeGreaterThan(7_200_000 + JOB_RESERVATION_GRACE_MS - 60_000);
    const expiresAt = Number(await redis.zscore(controls.keys.reservationIndex(dave.tenant.id), jobIds.reservation(job.id)));
    expect(expiresAt).toBeGreaterThan(Date.now() + 7_200_000);
  });

  it('an Idempotency-Key replay reserves nothing more', async () => {
    const erin = await account();
    const key = randomUUID();
    const first = await submit(erin, completion(), { 'idempotency-key': key });
    const replay = await submit(erin, completion(), { 'idempotency-key': key });
    expect(replay.statusCode).toBe(202);
    expect(replay.json<AsyncJobObject>().id).toBe(first.json<AsyncJobObject>().id);
    await waitFor(() => heldUsd(erin), { what: "the replay's reservation to be released", until: (held) => Math.abs(held - CALL_USD) < 1e-12 });
  });

  it('refuses a job whose model has no price with 400 model_not_priced, naming the request', async () => {
    const frank = await account();
    expectApiError(await submit(frank, completion('unpriced')), 400, 'model_not_priced', 'input.model');
    expectApiError(await submit(frank, batch(['free', 'unpriced'])), 400, 'model_not_priced', 'input.requests.1.body.model');
    expect(await prisma.job.count({ where: { userId: frank.user.id } })).toBe(0);
  });

  it('applies the rate limits: a job counts as a request of the API key', async () => {
    const gina = await account('free');
    for (let i = 0; i < 3; i += 1) {
      const accepted = await submit(gina, completion('free'));
      expect(accepted.statusCode).toBe(202);
      expect(accepted.headers['x-ratelimit-remaining-requests']).toBe(String(2 - i));
    }
    const limited = await submit(gina, completion('free'));
    expect(limited.statusCode).toBe(429);
    expect(limited.json<BudgetErrorBody>().error.code).toBe('rate_limit_exceeded');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});
