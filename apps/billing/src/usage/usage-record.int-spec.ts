import { ActiveUsers } from './active-users';
import { metricsRegistry } from '@conduit/observability';
import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Redis } from 'ioredis';
import { BUDGET_REDIS, BudgetModule, DEFAULT_TIER_POLICY, LedgerSpend, NANO_PER_USD, PriceBook, UsageControls, decimalToNano } from '@conduit/budget';
import { JobName, UsageEvent, usageEventSchema, UsageEventInput, webhookDeliverJobId, uuidFromName } from '@conduit/contracts';
import { DbModule, PrismaService } from '@conduit/db';
import { JobProducer, QueueModule, REDIS_CONNECTION } from '@conduit/queue';
import { SecretKeyring } from '@conduit/config';
import { SecretKeyringModule } from '@conduit/webhooks';
import { SpikeBaselines } from '../alerts/spike-baselines';
import { LedgerWriteError } from '../ledger/ledger.exception';
import { LedgerModule } from '../ledger/ledger.module';
import { NO_USER } from '../ledger/ledger.writer';
import { UsageBatchHandler } from './usage-batch.handler';
import { UsageRecordHandler } from './usage-record.handler';
import { removeTenantIds } from '@conduit/testing';

const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/conduit_test';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const prefix = `test-billing-${randomUUID().slice(0, 8)}`;
/** A model only this suite prices: $2 per 1M input tokens, $10 per 1M output, cached $0.5, cache writes $2.5. */
const MODEL = `billing-test-${randomUUID().slice(0, 8)}`;

describe('billing: usage events → priced ledger, aggregates, budget counters and alerts', () => {
  let app: INestApplicationContext;
  let prisma: PrismaService;
  let handler: UsageRecordHandler;
  let controls: UsageControls;
  let tenantId: string;
  let userId: string;
  const tenants: string[] = [];

  const event = (overrides: Partial<UsageEventInput> = {}): UsageEvent =>
    usageEventSchema.parse({
      event_id: randomUUID(),
      tenant_id: tenantId,
      user_id: userId,
      api_key_id: null,
      request_id: 'req-test',
      provider: 'openai',
      model: MODEL,
      input_tokens: 1_000,
      output_tokens: 500,
      cached_tokens: 200,
      latency_ms: 12,
      feature: 'chat',
      occurred_at: new Date().toISOString(),
      ...overrides,
    });

  beforeAll(async () => {
    @Module({
      imports: [
        DbModule.forRoot({ url: databaseUrl, poolSize: 8 }),
        QueueModule.forRoot({ redisUrl, prefix }),
        BudgetModule.forRoot({
          redisUrl,
          prefix,
          policy: DEFAULT_TIER_POLICY,
          reservationTtlMs: 60_000,
          settledTtlMs: 60_000,
          capCacheTtlMs: 0,
          priceRefreshMs: 60_000,
          pricing: true,
        }),
        LedgerModule.register({ spikeFactor: 3, spikeMinUsd: 0.01, baselineHours: 24, utilisationTopN: 20 }),
        SecretKeyringModule.forRoot(SecretKeyring.fromSeed('usage-record-int-spec')),
      ],
      providers: [UsageRecordHandler, UsageBatchHandler],
    })
    class TestModule {}
    app = await NestFactory.createApplicationContext(TestModule, { logger: false });
    prisma = app.get(PrismaService);
    await prisma.modelPrice.createMany({
      data: [
        { model: MODEL, effectiveFrom: new Date('2020-01-01'), inputUsdPerMtok: 2, outputUsdPerMtok: 10, cachedInputUsdPerMtok: 0.5, cacheWriteUsdPerMtok: 2.5 },
        { model: MODEL, effectiveFrom: new Date('2099-01-01'), inputUsdPerMtok: 4, outputUsdPerMtok: 20 },
      ],
    });
    await app.get(PriceBook).refresh();
    handler = app.get(UsageRecordHandler);
    controls = app.get(UsageControls);
  });

  beforeEach(async () => {
    const tenant = await prisma.tenant.create({ data: { name: 'Billing test', slug: `billing-${randomUUID().slice(0, 12)}`, tier: 'free' } });
    const user = await prisma.user.create({ data: { tenantId: tenant.id, email: `${randomUUID()}@example.test`, tier: 'free' } });
    tenantId = tenant.id;
    userId = user.id;
    tenants.push(tenant.id);
  });

  afterAll(async () => {
    if (prisma) await removeTenantIds(prisma, tenants);
    await prisma?.modelPrice.deleteMany({ where: { model: MODEL } });
    const queue = app?.get(JobProducer).queue('webhooks');
    await queue?.obliterate({ force: true });
    await app?.close();
  });

  it('counts the distinct users billed in the last five minutes, once however often they are billed (conduit_active_users)', async () => {
    const activeUsers = app.get(ActiveUsers);
    const before = await activeUsers.refresh();
    await handler.handle(event());
    await handler.handle(event());
    const otherUser = await prisma.user.create({ data: { tenantId, email: `${randomUUID()}@example.test`, tier: 'free' } });
    await handler.handle(event({ user_id: otherUser.id }));
    // Billed ten minutes ago: outside the window.
    const stale = await prisma.user.create({ data: { tenantId, email: `${randomUUID()}@example.test`, tier: 'free' } });
    await handler.handle(event({ user_id: stale.id, occurred_at: new Date(Date.now() - 10 * 60_000).toISOString() }));
    expect(await activeUsers.refresh()).toBe(before + 2);
    // A user already counted in a minute costs no Redis round trip for that minute.
    const at = new Date().toISOString();
    await handler.handle(event({ occurred_at: at }));
    const multi = jest.spyOn(app.get<Redis>(REDIS_CONNECTION), 'multi');
    await handler.handle(event({ occurred_at: at }));
    expect(multi).not.toHaveBeenCalled();
    multi.mockRestore();
    expect(await activeUsers.refresh()).toBe(before + 2);
    expect((await metricsRegistry.getSingleMetric('conduit_active_users')?.get())?.values[0]?.value).toBe(before + 2);
  });

  it('bills an event delivered three times exactly once, in the ledger, the aggregates and Redis', async () => {
    const once = event();
    const results = [await handler.handle(once), await handler.handle(once), await handler.handle(once)];
    expect(results.map((r) => r.recorded)).toEqual([true, false, false]);
    // 800 uncached input at $2, 200 cached at $0.5, 500 output at $10 (per 1M tokens).
    const expectedUsd = (800 * 2 + 200 * 0.5 + 500 * 10) / 1_000_000;
    const rows = await prisma.usageEvent.findMany({ where: { tenantId } });
    expect(rows).toHaveLength(1);
    expect(Number(rows[0].costUsd)).toBeCloseTo(expectedUsd, 9);
    expect(rows[0]).toMatchObject({ priced: true, priceModel: MODEL, reservationId: null });
    expect(rows[0].priceEffectiveFrom?.toISOString().slice(0, 10)).toBe('2020-01-01');
    const daily = await prisma.usageDaily.findMany({ where: { tenantId } });
    expect(daily).toHaveLength(1);
    expect(daily[0]).toMatchObject({ userId, model: MODEL, requests: 1, inputTokens: 1_000n, outputTokens: 500n, cachedTokens: 200n });
    const [userDaily, , tenantDaily] = await controls.snapshot(tenantId, userId);
    expect(userDaily.spentNano).toBe(Math.round(expectedUsd * NANO_PER_USD));
    expect(tenantDaily.spentNano).toBe(Math.round(expectedUsd * NANO_PER_USD));
  });

  it('prices prompt-cache reads and writes at their cache rates, and counts cached tokens in the ledger and aggregates', async () => {
    await handler.handle(event({ input_tokens: 2_000, cached_tokens: 1_200, cache_write_tokens: 300, output_tokens: 100 }));
    // 500 uncached at $2, 1,200 read at $0.5, 300 written at $2.5, 100 output at $10 (per 1M tokens).
    const rows = await prisma.usageEvent.findMany({ where: { tenantId } });
    expect(Number(rows[0].costUsd)).toBeCloseTo((500 * 2 + 1_200 * 0.5 + 300 * 2.5 + 100 * 10) / 1_000_000, 9);
    expect(rows[0]).toMatchObject({ inputTokens: 2_000, cachedTokens: 1_200 });
    const daily = await prisma.usageDaily.findMany({ where: { tenantId } });
    expect(daily[0]).toMatchObject({ inputTokens: 2_000n, cachedTokens: 1_200n });
  });

  it("settles a key's budget: its counters start from the key's ledger rows and count each billed event of the key once", async () => {
    const key = (name: string) => prisma.apiKey.create({ data: { tenantId, userId, name, prefix: 'cdt_test', keyHash: randomUUID() } });
    const [mine, other] = [await key('mine'), await key('other')];
    const costNano = decimalToNano(((800 * 2 + 200 * 0.5 + 500 * 10) / 1_000_000).toFixed(9));
    const keyDaily = async () => (await controls.snapshot(tenantId, userId, new Date(), mine.id)).find((c) => c.scope === 'key' && c.period === 'daily');
    // Billed before the key's counters existed: the first snapshot (or admission) seeds them from the ledger.
    await handler.handle(event({ api_key_id: mine.id }));
    expect((await keyDaily())?.spentNano).toBe(costNano);
    // From then on billing counts the key's events into them, each once; another key's stay out.
    const again = event({ api_key_id: mine.id });
    await handler.handle(again);
    await handler.handle(again);
    await handler.handle(event({ api_key_id: other.id }));
    await handler.handle(event());
    expect((await keyDaily())?.spentNano).toBe(2 * costNano);
    // Redis lost them: rebuilt from the ledger to the same total.
    const counter = await keyDaily();
    await app.get<Redis>(BUDGET_REDIS).del(counter?.key ?? '');
    expect((await keyDaily())?.spentNano).toBe(2 * costNano);
  });

  it('bills a response cache hit at zero and adds its saving to the ledger and the daily aggregate', async () => {
    const hit = event({ input_tokens: 0, output_tokens: 0, cached_tokens: 0, cache_hit: true, cost_saved_usd: 0.0061 });
    const second = event({ input_tokens: 0, output_tokens: 0, cached_tokens: 0, cache_hit: true, cost_saved_usd: 0.000000123 });
    const call = event();
    for (const e of [hit, second, call, hit]) await handler.handle(e);
    const stored = await prisma.usageEvent.findUniqueOrThrow({ where: { id: hit.event_id } });
    expect(stored.cacheHit).toBe(true);
    expect(decimalToNano(stored.costUsd)).toBe(0);
    expect(decimalToNano(stored.costSavedUsd)).toBe(6_100_000);
    expect((await prisma.usageEvent.findUniqueOrThrow({ where: { id: call.event_id } })).cacheHit).toBe(false);
    const [daily] = await prisma.usageDaily.findMany({ where: { tenantId } });
    expect(daily).toMatchObject({ requests: 3, cacheHits: 2, inputTokens: 1_000n });
    expect(decimalToNano(daily.costSavedUsd)).toBe(6_100_123);
    // The hits added nothing to the spend: only the provider call did.
    const [userDaily] = await controls.snapshot(tenantId, userId);
    expect(userDaily.spentNano).toBe(decimalToNano(daily.costUsd));
  });

  it('keeps the ledger and aggregates equal to the calls made when events race and repeat', async () => {
    const events = Array.from({ length: 40 }, (_, i) => event({ input_tokens: 100 + i, output_tokens: i, cached_tokens: 0, user_id: i % 2 ? userId : null }));
    await Promise.all([...events, ...events.slice(0, 20)].map((e) => handler.handle(e)));
    const ledger = await prisma.usageEvent.aggregate({ where: { tenantId }, _count: true, _sum: { inputTokens: true, outputTokens: true, costUsd: true } });
    expect(ledger._count).toBe(40);
    expect(ledger._sum.inputTokens).toBe(events.reduce((sum, e) => sum + e.input_tokens, 0));
    const aggregate = await prisma.usageDaily.aggregate({ where: { tenantId }, _sum: { requests: true, costUsd: true } });
    expect(aggregate._sum.requests).toBe(40);
    expect(decimalToNano(aggregate._sum.costUsd)).toBe(decimalToNano(ledger._sum.costUsd));
    expect(await prisma.usageDaily.count({ where: { tenantId, userId: NO_USER } })).toBe(1);
  });

  it('bills a batch of events (usage.record.batch) as each event alone: once each, whether the batch repeats or an event came before on its own', async () => {
    const batchHandler = app.get(UsageBatchHandler);
    const events = Array.from({ length: 5 }, (_, i) => event({ input_tokens: 100 + i, output_tokens: 10, cached_tokens: 0 }));
    await handler.handle(events[0]);
    const first = await batchHandler.handle({ events });
    expect(first).toMatchObject({ events: 5, recorded: 4 });
    expect(await batchHandler.handle({ events })).toMatchObject({ events: 5, recorded: 0 });
    const ledger = await prisma.usageEvent.aggregate({ where: { tenantId }, _count: true, _sum: { inputTokens: true, costUsd: true } });
    expect(ledger._count).toBe(5);
    expect(ledger._sum.inputTokens).toBe(events.reduce((sum, e) => sum + e.input_tokens, 0));
    const [userDaily] = await controls.snapshot(tenantId, userId);
    expect(userDaily.spentNano).toBe(decimalToNano(ledger._sum.costUsd));
    expect((await prisma.usageDaily.aggregate({ where: { tenantId }, _sum: { requests: true } }))._sum.requests).toBe(5);
  });

  it('prices each event with the price in force when it occurred', async () => {
    const future = event({ occurred_at: '2099-03-01T10:00:00.000Z', cached_tokens: 0 });
    await handler.handle(future);
    const row = await prisma.usageEvent.findUniqueOrThrow({ where: { id: future.event_id } });
    expect(Number(row.costUsd)).toBeCloseTo((1_000 * 4 + 500 * 20) / 1_000_000, 9);
    expect(row.priceEffectiveFrom?.toISOString().slice(0, 10)).toBe('2099-01-01');
    const unknown = event({ model: 'no-such-model-anywhere' });
    expect(await handler.handle(unknown)).toEqual({ recorded: true, cost_usd: 0 });
    expect(await prisma.usageEvent.findUniqueOrThrow({ where: { id: unknown.event_id } })).toMatchObject({ priced: false });
  });

  it('raises the 80 % and 100 % alerts of a tenant cap once each and sends them to the endpoints subscribed to them', async () => {
    // Each event costs 0.0067 USD: after two 67 % of a 0.02 USD daily cap, after three 100.5 %.
    await prisma.budgetCap.create({ data: { tenantId, scope: 'tenant', subjectId: tenantId, period: 'daily', capUsd: 0.02 } });
    const endpoint = await prisma.webhookEndpoint.create({
      data: { tenantId, url: 'https://hooks.example.test/conduit', registered: true, eventTypes: ['budget.exceeded', 'budget.threshold'] },
    });
    // Not subscribed to budget events, and a job's implicit endpoint: neither gets an alert.
    await prisma.webhookEndpoint.create({ data: { tenantId, url: 'https://hooks.example.test/jobs-only', registered: true, eventTypes: ['job.succeeded'] } });
    await prisma.webhookEndpoint.create({ data: { tenantId, url: 'https://hooks.example.test/implicit' } });
    await handler.handle(event());
    await handler.handle(event());
    expect(await prisma.costAlert.count({ where: { tenantId } })).toBe(0);
    await handler.handle(event());
    await handler.handle(event());
    const alerts = await prisma.costAlert.findMany({ where: { tenantId }, orderBy: { thresholdPct: 'asc' } });
    expect(alerts.map((a) => [a.kind, a.scope, a.period, a.thresholdPct])).toEqual([
      ['budget_threshold', 'tenant', 'daily', 80],
      ['budget_threshold', 'tenant', 'daily', 100],
    ]);
    expect(alerts.every((a) => a.notifiedAt !== null)).toBe(true);
    const queue = app.get(JobProducer).queue('webhooks');
    const job = await queue.getJob(webhookDeliverJobId(uuidFromName(`cost-alert:${alerts[1].id}:${endpoint.id}`)));
    expect(job?.name).toBe(JobName.WebhookDeliver);
    expect(job?.data).toMatchObject({
      tenant_id: tenantId,
      url: endpoint.url,
      event_type: 'budget.exceeded',
      data: { alert_id: alerts[1].id, threshold_pct: 100, cap_usd: 0.02, scope: 'tenant', period: 'daily' },
    });
    // Through the one webhook path: stored with the alert's notified_at (outbox), enqueued with its retries.
    expect(job?.opts).toMatchObject({ attempts: 10, backoff: { type: 'exponential', delay: 2_000 } });
    const deliveries = await prisma.webhookDelivery.findMany({ where: { tenantId }, orderBy: { createdAt: 'asc' } });
    expect(deliveries.map((d) => [d.id, d.status, d.url, d.eventType])).toEqual([
      [uuidFromName(`cost-alert:${alerts[0].id}:${endpoint.id}`), 'pending', endpoint.url, 'budget.threshold'],
      [uuidFromName(`cost-alert:${alerts[1].id}:${endpoint.id}`), 'pending', endpoint.url, 'budget.exceeded'],
    ]);
    expect(JSON.parse(deliveries[1].body ?? '{}')).toEqual({ type: 'budget.exceeded', timestamp: alerts[1].createdAt.toISOString(), data: job?.data.data });
  });

  it('raises a spend-spike alert when an hour costs more than 3x the trailing hourly average', async () => {
    const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    // Trailing 24 h: 0.024 USD in total → 0.001 USD an hour on average.
    await prisma.usageHourly.create({ data: { tenantId, hour: new Date(hour.getTime() - 5 * 3_600_000), requests: 3, costUsd: 0.024 } });
    await handler.handle(event({ input_tokens: 0, cached_tokens: 0, output_tokens: 250 })); // 0.0025 USD: 2.5x, and under the 0.01 USD floor
    expect(await prisma.costAlert.count({ where: { tenantId, kind: 'spend_spike' } })).toBe(0);
    await handler.handle(event({ input_tokens: 0, cached_tokens: 0, output_tokens: 1_000 })); // hour now 0.0125 USD: 12.5x
    const [spike] = await prisma.costAlert.findMany({ where: { tenantId, kind: 'spend_spike' } });
    expect(spike).toMatchObject({ scope: 'tenant', period: 'hourly', windowStart: hour });
    expect(Number(spike.baselineUsd)).toBeCloseTo(0.001, 9);
    await handler.handle(event({ input_tokens: 0, cached_tokens: 0, output_tokens: 1_000 }));
    expect(await prisma.costAlert.count({ where: { tenantId, kind: 'spend_spike' } })).toBe(1);
  });

  it('suspends the tenant on a spike when its policy says on_cost_spike: suspend, and sends cost.spike with action suspended', async () => {
    const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    await prisma.tenantPolicy.create({ data: { tenantId, document: { on_cost_spike: 'suspend' } } });
    const endpoint = await prisma.webhookEndpoint.create({ data: { tenantId, url: 'https://hooks.example.test/spike', registered: true, eventTypes: ['cost.spike'] } });
    await prisma.usageHourly.create({ data: { tenantId, hour: new Date(hour.getTime() - 5 * 3_600_000), requests: 3, costUsd: 0.024 } });
    await handler.handle(event({ input_tokens: 0, cached_tokens: 0, output_tokens: 250 })); // under the floor: nothing happens
    expect((await prisma.tenant.findUniqueOrThrow({ where: { id: tenantId } })).suspendedAt).toBeNull();
    await handler.handle(event({ input_tokens: 0, cached_tokens: 0, output_tokens: 1_000 })); // 12.5x the baseline
    const tenant = await prisma.tenant.findUniqueOrThrow({ where: { id: tenantId } });
    expect(tenant.suspendedAt).not.toBeNull();
    expect(tenant.suspendedReason).toBe('cost_spike');
    const [spike] = await prisma.costAlert.findMany({ where: { tenantId, kind: 'spend_spike' } });
    expect(spike.details).toMatchObject({ action: 'suspended' });
    const [delivery] = await prisma.webhookDelivery.findMany({ where: { tenantId, eventType: 'cost.spike' } });
    expect(delivery).toMatchObject({ url: endpoint.url, eventType: 'cost.spike' });
    expect(JSON.parse(delivery.body ?? '{}')).toMatchObject({ type: 'cost.spike', data: { action: 'suspended', kind: 'spend_spike' } });
  });

  it('only alerts on a spike under the default policy (on_cost_spike: alert)', async () => {
    const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    await prisma.usageHourly.create({ data: { tenantId, hour: new Date(hour.getTime() - 5 * 3_600_000), requests: 3, costUsd: 0.024 } });
    await handler.handle(event({ input_tokens: 0, cached_tokens: 0, output_tokens: 1_250 }));
    const [spike] = await prisma.costAlert.findMany({ where: { tenantId, kind: 'spend_spike' } });
    expect(spike.details).toMatchObject({ action: 'alert' });
    expect((await prisma.tenant.findUniqueOrThrow({ where: { id: tenantId } })).suspendedAt).toBeNull();
  });

  it('fails only the job of an event the ledger refuses and bills the rest of its batch, in the ledger and in Redis', async () => {
    const good = Array.from({ length: 5 }, () => event());
    const poison = event({ tenant_id: randomUUID() }); // no such tenant: a foreign key violation
    const results = await Promise.allSettled([...good.slice(0, 2), poison, ...good.slice(2)].map((e) => handler.handle(e)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(LedgerWriteError);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ code: 'ledger_write_failed', sqlState: '23503' });
    const ledger = await prisma.usageEvent.aggregate({ where: { tenantId }, _count: true, _sum: { costUsd: true } });
    expect(ledger._count).toBe(5);
    expect(await prisma.usageEvent.count({ where: { id: poison.event_id } })).toBe(0);
    const [userDaily, , tenantDaily] = await controls.snapshot(tenantId, userId);
    expect(tenantDaily.spentNano).toBe(decimalToNano(ledger._sum.costUsd));
    expect(userDaily.spentNano).toBe(decimalToNano(ledger._sum.costUsd));
  });

  it('checks the caps of concurrently billed events with one ledger query per batch and raises each threshold once', async () => {
    // 0.0067 USD an event: six of them are 201 % of a 0.02 USD daily cap.
    await prisma.budgetCap.create({ data: { tenantId, scope: 'tenant', subjectId: tenantId, period: 'daily', capUsd: 0.02 } });
    const spendOfMany = jest.spyOn(app.get(LedgerSpend), 'spendOfMany');
    try {
      await Promise.all(Array.from({ length: 6 }, () => handler.handle(event())));
      expect(spendOfMany).toHaveBeenCalledTimes(1);
    } finally {
      spendOfMany.mockRestore();
    }
    const alerts = await prisma.costAlert.findMany({ where: { tenantId }, orderBy: { thresholdPct: 'asc' } });
    expect(alerts.map((a) => [a.scope, a.period, a.thresholdPct])).toEqual([
      ['tenant', 'daily', 80],
      ['tenant', 'daily', 100],
    ]);
    expect(Number(alerts[1].spendUsd)).toBeCloseTo(6 * 0.0067, 9);
    await handler.handle(event());
    expect(await prisma.costAlert.count({ where: { tenantId } })).toBe(2);
  });

  it('rules a spike out from a remembered baseline without a query, and raises it on a fresh one once spend crosses the line', async () => {
    const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    // Trailing 24 h: 2.4 USD → 0.1 USD an hour; the spike line is 0.3 USD.
    await prisma.usageHourly.create({ data: { tenantId, hour: new Date(hour.getTime() - 2 * 3_600_000), requests: 1, costUsd: 2.4 } });
    const load = jest.spyOn(app.get(SpikeBaselines), 'load');
    try {
      await handler.handle(event({ input_tokens: 0, cached_tokens: 0, output_tokens: 1_500 })); // hour: 0.015 USD (over the 0.01 floor)
      expect(load).toHaveBeenCalledTimes(1);
      await handler.handle(event({ input_tokens: 0, cached_tokens: 0, output_tokens: 1_500 })); // 0.03 USD: still far below
      await handler.handle(event({ input_tokens: 0, cached_tokens: 0, output_tokens: 1_500 }));
      expect(load).toHaveBeenCalledTimes(1);
      expect(await prisma.costAlert.count({ where: { tenantId, kind: 'spend_spike' } })).toBe(0);
      await handler.handle(event({ input_tokens: 0, cached_tokens: 0, output_tokens: 30_000 })); // +0.3 USD: over the line
      expect(load).toHaveBeenCalledTimes(2);
    } finally {
      load.mockRestore();
    }
    const [spike] = await prisma.costAlert.findMany({ where: { tenantId, kind: 'spend_spike' } });
    expect(spike).toMatchObject({ scope: 'tenant', period: 'hourly', windowStart: hour });
    expect(Number(spike.baselineUsd)).toBeCloseTo(0.1, 9);
  });
});
