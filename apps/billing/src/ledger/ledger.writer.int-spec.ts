import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { decimalToNano, fromNano, hourOf, nanoToDecimalString, PricedUsage } from '@conduit/budget';
import { UsageEvent, usageEventSchema, UsageEventInput } from '@conduit/contracts';
import { PrismaService } from '@conduit/db';
import { LedgerWriteError, sqlStateOf } from './ledger.exception';
import { LedgerStatement } from './ledger.statement';
import { LedgerWrite, LedgerWriter, NO_USER } from './ledger.writer';
import { removeTenantIds } from '@conduit/testing';

const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/conduit_test';
const MODEL = 'ledger-batch-test';
const PRICE = { key: 'ledger-batch-*', effective_from: '2026-01-15', input: 2, output: 10, cached_input: 0.5, cache_write: 2.5 };

/** A priced event; costs are odd nano amounts so that any rounding or float sum would show. */
interface Priced {
  event: UsageEvent;
  cost: PricedUsage;
}

/** One billing replica's worth: its own pool, statement and writer. */
function replica(): { prisma: PrismaService; statement: LedgerStatement; writer: LedgerWriter } {
  const prisma = new PrismaService({ url: databaseUrl, poolSize: 4 });
  const statement = new LedgerStatement(prisma);
  return { prisma, statement, writer: new LedgerWriter(statement) };
}

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

describe('ledger writer: concurrent events → one statement per batch', () => {
  const replicas: ReturnType<typeof replica>[] = [];
  let prisma: PrismaService;
  let writer: LedgerWriter;
  let statement: LedgerStatement;
  const tenants: string[] = [];

  const tenant = async (): Promise<{ tenantId: string; userIds: string[] }> => {
    const created = await prisma.tenant.create({ data: { name: 'Ledger test', slug: `ledger-${randomUUID().slice(0, 12)}` } });
    tenants.push(created.id);
    const users = await Promise.all(
      [0, 1].map(() => prisma.user.create({ data: { tenantId: created.id, email: `${randomUUID()}@example.test` } })),
    );
    return { tenantId: created.id, userIds: users.map((u) => u.id) };
  };

  let seq = 0;
  const priced = (overrides: Partial<UsageEventInput> & Pick<UsageEventInput, 'tenant_id'>): Priced => {
    seq += 1;
    const event = usageEventSchema.parse({
      event_id: `evt-${randomUUID()}`,
      user_id: null,
      api_key_id: null,
      request_id: `req-${seq}`,
      provider: 'openai',
      model: MODEL,
      input_tokens: 1_000 + seq,
      output_tokens: 100 + (seq % 17),
      cached_tokens: seq % 5,
      latency_ms: 25,
      feature: 'chat',
      occurred_at: new Date().toISOString(),
      ...overrides,
    });
    const nano = 123_456_789 + seq * 1_000_003;
    return { event, cost: { usd: fromNano(nano), priced: true, nano, price: PRICE } };
  };

  const record = (w: LedgerWriter, p: Priced): Promise<LedgerWrite> => w.record(p.event, p.cost);
  const sum = (items: readonly Priced[], f: (p: Priced) => number) => items.reduce((total, p) => total + f(p), 0);

  beforeAll(() => {
    Logger.overrideLogger(false); // the fallback's warning is expected here
    replicas.push(replica(), replica());
    ({ prisma, writer, statement } = replicas[0]);
  });

  afterAll(async () => {
    await removeTenantIds(prisma, tenants);
    for (const r of replicas) await r.prisma.onApplicationShutdown();
  });

  it('writes many concurrent events of one tenant, user, day and model as one statement with exact aggregates', async () => {
    const { tenantId, userIds } = await tenant();
    const events = Array.from({ length: 150 }, () => priced({ tenant_id: tenantId, user_id: userIds[0] }));
    const write = jest.spyOn(statement, 'write');
    try {
      const results = await Promise.all(events.map((p) => record(writer, p)));
      expect(write).toHaveBeenCalledTimes(1);
      expect(write.mock.calls[0][0]).toHaveLength(150);
      const costNano = sum(events, (p) => p.cost.nano);
      // Every event of the batch sees the hour's total after the batch.
      expect(results.every((r) => r.inserted && r.hourSpendNano === costNano)).toBe(true);
      const [daily] = await prisma.usageDaily.findMany({ where: { tenantId } });
      expect(daily).toMatchObject({
        userId: userIds[0],
        model: MODEL,
        requests: 150,
        inputTokens: BigInt(sum(events, (p) => p.event.input_tokens)),
        outputTokens: BigInt(sum(events, (p) => p.event.output_tokens)),
        cachedTokens: BigInt(sum(events, (p) => p.event.cached_tokens)),
      });
      expect(daily.costUsd.toFixed(9)).toBe(nanoToDecimalString(costNano));
      const hourly = await prisma.usageHourly.findMany({ where: { tenantId } });
      expect(hourly).toHaveLength(1);
      expect(hourly[0]).toMatchObject({ hour: hourOf(new Date(events[0].event.occurred_at)), requests: 150 });
      expect(decimalToNano(hourly[0].costUsd)).toBe(costNano);
    } finally {
      write.mockRestore();
    }
  });

  it('fills the same columns as the Prisma writer did, and keys user-less usage by NO_USER', async () => {
    const { tenantId } = await tenant();
    // Sub-millisecond precision is cut like a JS Date does (the Prisma writer went through one).
    const p = priced({ tenant_id: tenantId, user_id: null, reservation_id: 'res-12345678', occurred_at: '2026-03-01T23:59:59.9996Z' });
    const unpriced = priced({ tenant_id: tenantId, model: 'unknown-model' });
    unpriced.cost = { usd: 0, priced: false, nano: 0 };
    await Promise.all([record(writer, p), record(writer, unpriced)]);
    const row = await prisma.usageEvent.findUniqueOrThrow({ where: { id: p.event.event_id } });
    expect(row).toMatchObject({
      tenantId,
      userId: null,
      apiKeyId: null,
      requestId: p.event.request_id,
      provider: 'openai',
      model: MODEL,
      inputTokens: p.event.input_tokens,
      outputTokens: p.event.output_tokens,
      cachedTokens: p.event.cached_tokens,
      latencyMs: 25,
      feature: 'chat',
      occurredAt: new Date('2026-03-01T23:59:59.999Z'),
      reservationId: 'res-12345678',
      priced: true,
      priceModel: PRICE.key,
      priceEffectiveFrom: new Date('2026-01-15T00:00:00Z'),
    });
    expect(row.costUsd.toFixed(9)).toBe(nanoToDecimalString(p.cost.nano));
    expect([row.inputUsdPerMtok?.toString(), row.outputUsdPerMtok?.toString(), row.cachedInputUsdPerMtok?.toString()]).toEqual(['2', '10', '0.5']);
    expect(await prisma.usageEvent.findUniqueOrThrow({ where: { id: unpriced.event.event_id } })).toMatchObject({
      priced: false,
      priceModel: null,
      priceEffectiveFrom: null,
      inputUsdPerMtok: null,
    });
    const daily = await prisma.usageDaily.findFirstOrThrow({ where: { tenantId, model: MODEL } });
    // The UTC day of the event, not of the server's zone.
    expect(daily).toMatchObject({ userId: NO_USER, day: new Date('2026-03-01T00:00:00Z'), requests: 1 });
    const hourly = await prisma.usageHourly.findFirstOrThrow({ where: { tenantId, hour: new Date('2026-03-01T23:00:00Z') } });
    expect(decimalToNano(hourly.costUsd)).toBe(p.cost.nano);
  });

  it('bills an already billed event and a duplicate within the batch once each', async () => {
    const { tenantId, userIds } = await tenant();
    const billed = priced({ tenant_id: tenantId, user_id: userIds[0] });
    expect(await record(writer, billed)).toMatchObject({ inserted: true });
    const twice = priced({ tenant_id: tenantId, user_id: userIds[1] });
    const fresh = priced({ tenant_id: tenantId, user_id: userIds[1] });
    const write = jest.spyOn(statement, 'write');
    try {
      const results = await Promise.all([billed, twice, fresh, twice, billed].map((p) => record(writer, p)));
      expect(results.map((r) => r.inserted)).toEqual([false, true, true, false, false]);
      expect(results[0].hourSpendNano).toBe(0);
      expect(write).toHaveBeenCalledTimes(1);
      // The in-batch duplicate was never sent (the statement's join needs unique ids).
      expect(write.mock.calls[0][0].map((entry) => entry.event.event_id)).toEqual([billed, twice, fresh].map((p) => p.event.event_id));
    } finally {
      write.mockRestore();
    }
    const unique = [billed, twice, fresh];
    expect(await prisma.usageEvent.count({ where: { tenantId } })).toBe(3);
    const daily = await prisma.usageDaily.aggregate({ where: { tenantId }, _sum: { requests: true, costUsd: true, inputTokens: true } });
    expect(daily._sum.requests).toBe(3);
    expect(daily._sum.inputTokens).toBe(BigInt(sum(unique, (p) => p.event.input_tokens)));
    expect(decimalToNano(daily._sum.costUsd)).toBe(sum(unique, (p) => p.cost.nano));
    const hourly = await prisma.usageHourly.findFirstOrThrow({ where: { tenantId } });
    expect(hourly.requests).toBe(3);
    expect(decimalToNano(hourly.costUsd)).toBe(sum(unique, (p) => p.cost.nano));
  });

  it('bills the rest of a batch when the database refuses some of its events, failing only theirs', async () => {
    const { tenantId, userIds } = await tenant();
    const good = Array.from({ length: 6 }, () => priced({ tenant_id: tenantId, user_id: userIds[0] }));
    const unknownTenant = priced({ tenant_id: randomUUID() }); // foreign key violation
    const tooManyTokens = priced({ tenant_id: tenantId, input_tokens: 2 ** 31 }); // integer out of range
    const goodTwin = good[2];
    const batch = [good[0], unknownTenant, good[1], goodTwin, tooManyTokens, ...good.slice(2)];
    const write = jest.spyOn(statement, 'write');
    try {
      const results = await Promise.allSettled(batch.map((p) => record(writer, p)));
      // One batch statement, then each of its (distinct) events alone.
      expect(write).toHaveBeenCalledTimes(1 + 8);
      const reasonOf = (i: number) => (results[i] as PromiseRejectedResult).reason as LedgerWriteError;
      expect(results[1].status).toBe('rejected');
      expect(reasonOf(1)).toBeInstanceOf(LedgerWriteError);
      expect(reasonOf(1)).toMatchObject({ code: 'ledger_write_failed', sqlState: '23503', eventId: unknownTenant.event.event_id });
      expect(results[4].status).toBe('rejected');
      expect(reasonOf(4)).toMatchObject({ code: 'ledger_write_failed', sqlState: '22003' });
      const fulfilled = results.filter((r): r is PromiseFulfilledResult<LedgerWrite> => r.status === 'fulfilled').map((r) => r.value.inserted);
      // Six distinct good events written; the twin of one of them is a duplicate.
      expect(fulfilled.filter(Boolean)).toHaveLength(6);
      expect(fulfilled.filter((inserted) => !inserted)).toHaveLength(1);
    } finally {
      write.mockRestore();
    }
    expect(await prisma.usageEvent.count({ where: { tenantId } })).toBe(6);
    const daily = await prisma.usageDaily.aggregate({ where: { tenantId }, _sum: { requests: true, costUsd: true } });
    expect(daily._sum.requests).toBe(6);
    expect(decimalToNano(daily._sum.costUsd)).toBe(sum(good, (p) => p.cost.nano));
  });

  it('lets two replicas write overlapping tenants, rows and events concurrently without deadlock or double counting', async () => {
    const owners = await Promise.all([tenant(), tenant(), tenant()]);
    const now = Date.now();
    const when = [new Date(now).toISOString(), new Date(now - 3_600_000).toISOString(), new Date(now - 26 * 3_600_000).toISOString()];
    let n = 0;
    // Few distinct aggregate rows (3 tenants × 3 users × 2 models × ≤3 days/hours), so concurrent
    // statements keep locking the same rows.
    const next = (): Priced => {
      n += 1;
      const owner = owners[n % 3];
      return priced({
        tenant_id: owner.tenantId,
        user_id: [owner.userIds[0], owner.userIds[1], null][Math.floor(n / 3) % 3],
        model: n % 2 ? MODEL : `${MODEL}-b`,
        occurred_at: when[Math.floor(n / 9) % 3],
      });
    };
    const [a, b] = replicas;
    // Both pools connected first, so the replicas' statements really run at the same time.
    const warmUp = [next(), next()];
    await Promise.all([record(a.writer, warmUp[0]), record(b.writer, warmUp[1])]);
    // A failed batch would be rescued by the one-by-one fallback and still bill correctly: watch
    // the statements themselves, none may fail (a deadlock would show here as SQLSTATE 40P01).
    const failures: (string | undefined)[] = [];
    const spies = replicas.map(({ statement: s }) => {
      const write = s.write.bind(s);
      return jest.spyOn(s, 'write').mockImplementation(async (entries) => {
        try {
          return await write(entries);
        } catch (error) {
          failures.push(sqlStateOf(error) ?? String(error));
          throw error;
        }
      });
    });
    const events: Priced[] = [];
    const results: { id: string; write: LedgerWrite }[] = [];
    try {
      for (let round = 0; round < 20; round += 1) {
        // Redelivered events reach both replicas (in opposite orders), the others one each.
        const shared = Array.from({ length: 80 }, next);
        const onlyA = Array.from({ length: 20 }, next);
        const onlyB = Array.from({ length: 20 }, next);
        events.push(...shared, ...onlyA, ...onlyB);
        const toA = [...shared, ...shuffled(onlyA)];
        const toB = [...shared].reverse().concat(shuffled(onlyB));
        const submit = (w: LedgerWriter, list: Priced[]) => list.map((p) => record(w, p).then((write) => ({ id: p.event.event_id, write })));
        results.push(...(await Promise.all([...submit(a.writer, toA), ...submit(b.writer, toB)])));
      }
    } finally {
      spies.forEach((spy) => spy.mockRestore());
    }
    expect(failures).toEqual([]);
    const insertedIds = results.filter((r) => r.write.inserted).map((r) => r.id);
    expect(insertedIds).toHaveLength(events.length);
    expect(new Set(insertedIds).size).toBe(events.length);
    const billed = [...warmUp, ...events];
    for (const owner of owners) {
      const mine = billed.filter((p) => p.event.tenant_id === owner.tenantId);
      const costNano = sum(mine, (p) => p.cost.nano);
      expect(await prisma.usageEvent.count({ where: { tenantId: owner.tenantId } })).toBe(mine.length);
      const daily = await prisma.usageDaily.aggregate({ where: { tenantId: owner.tenantId }, _sum: { requests: true, costUsd: true, outputTokens: true } });
      expect(daily._sum.requests).toBe(mine.length);
      expect(daily._sum.outputTokens).toBe(BigInt(sum(mine, (p) => p.event.output_tokens)));
      expect(decimalToNano(daily._sum.costUsd)).toBe(costNano);
      const hourly = await prisma.usageHourly.aggregate({ where: { tenantId: owner.tenantId }, _sum: { requests: true, costUsd: true } });
      expect(hourly._sum.requests).toBe(mine.length);
      expect(decimalToNano(hourly._sum.costUsd)).toBe(costNano);
    }
  });
});
