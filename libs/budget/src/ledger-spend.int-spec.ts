import { randomUUID } from 'node:crypto';
import { PrismaService } from '@conduit/db';
import { LedgerSpend, SpendRequest } from './ledger-spend';
import { decimalToNano } from './money';
import { UsageKeys } from './redis/usage-keys';
import { removeTenantIds } from '@conduit/testing';

const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/conduit_test';

describe('LedgerSpend against real Postgres', () => {
  let prisma: PrismaService;
  let spend: LedgerSpend;
  const tenants: string[] = [];

  beforeAll(() => {
    prisma = new PrismaService({ url: databaseUrl, poolSize: 2 });
    spend = new LedgerSpend(prisma);
  });

  afterAll(async () => {
    await removeTenantIds(prisma, tenants);
    await prisma.onApplicationShutdown();
  });

  it('sums many windows in one statement exactly as spendOf sums each', async () => {
    const tenant = await prisma.tenant.create({ data: { name: 'Spend test', slug: `spend-${randomUUID().slice(0, 12)}` } });
    tenants.push(tenant.id);
    const [alice, bob] = [randomUUID(), randomUUID()];
    const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
    const rows: [string, string, string, string][] = [
      [alice, '2026-05-31', 'm1', '0.000000001'],
      [alice, '2026-06-01', 'm1', '1.250000000'],
      [alice, '2026-06-01', 'm2', '0.333333333'],
      [alice, '2026-06-02', 'm1', '2.000000007'],
      [bob, '2026-06-01', 'm1', '10.100000000'],
      [bob, '2026-07-01', 'm1', '4.000000000'],
    ];
    await prisma.usageDaily.createMany({
      data: rows.map(([userId, d, model, cost]) => ({ tenantId: tenant.id, userId, day: day(d), model, requests: 1, costUsd: cost })),
    });
    const keys = new UsageKeys('test');
    // The user's and tenant's counters (the statement's two branches; API keys are summed apart).
    const counters = (tenantId: string, userId: string | null, at: Date) => keys.counters(tenantId, userId, at).filter((c) => c.scope !== 'key');
    const at = new Date('2026-06-01T12:00:00Z');
    const requests: SpendRequest[] = [
      ...counters(tenant.id, alice, at),
      ...counters(tenant.id, bob, at),
      ...counters(tenant.id, null, at), // user-less: its user counters are never seeded (0)
      ...counters(tenant.id, alice, new Date('2026-07-01T00:00:00Z')),
    ].map((counter) => ({ tenantId: tenant.id, counter }));
    const stranger = randomUUID(); // a tenant without usage
    requests.push(...counters(stranger, alice, at).map((counter) => ({ tenantId: stranger, counter })));
    const one = await Promise.all(requests.map(({ tenantId, counter }) => spend.spendOf(tenantId, counter)));
    expect(await spend.spendOfMany(requests)).toEqual(one);
    // Spot checks of what both say: alice's June 1st, the tenant's June, bob's July.
    expect(one[0]).toBe(decimalToNano('1.583333333'));
    expect(one[3]).toBe(decimalToNano('13.683333340'));
    expect(one[13]).toBe(0);
    expect(await spend.spendOfMany([])).toEqual([]);
  });

  it("sums an API key's window from its ledger rows: not another key's, not outside the window", async () => {
    const tenant = await prisma.tenant.create({ data: { name: 'Key spend test', slug: `kspend-${randomUUID().slice(0, 12)}` } });
    tenants.push(tenant.id);
    const user = await prisma.user.create({ data: { tenantId: tenant.id, email: `${randomUUID()}@example.com` } });
    const [mine, other] = await Promise.all(
      ['mine', 'other'].map((name) => prisma.apiKey.create({ data: { tenantId: tenant.id, userId: user.id, name, prefix: 'cdt_test', keyHash: randomUUID() } })),
    );
    const event = (apiKeyId: string | null, occurredAt: string, costUsd: string) => ({
      id: randomUUID(),
      tenantId: tenant.id,
      userId: user.id,
      apiKeyId,
      provider: 'mock',
      model: 'm1',
      inputTokens: 1,
      outputTokens: 1,
      feature: 'chat',
      occurredAt: new Date(occurredAt),
      costUsd,
    });
    await prisma.usageEvent.createMany({
      data: [
        event(mine.id, '2026-05-31T23:59:59.999Z', '9.000000000'),
        event(mine.id, '2026-06-01T00:00:00.000Z', '1.000000001'),
        event(mine.id, '2026-06-01T23:00:00.000Z', '0.500000000'),
        event(mine.id, '2026-06-20T12:00:00.000Z', '2.000000000'),
        event(other.id, '2026-06-01T12:00:00.000Z', '7.000000000'),
        event(null, '2026-06-01T12:00:00.000Z', '3.000000000'),
      ],
    });
    const keyCounters = (apiKeyId: string | null) =>
      new UsageKeys('test').counters(tenant.id, user.id, new Date('2026-06-01T12:00:00Z'), apiKeyId).filter((c) => c.scope === 'key');
    const [daily, monthly] = keyCounters(mine.id);
    expect(await spend.spendOf(tenant.id, daily)).toBe(decimalToNano('1.500000001'));
    expect(await spend.spendOf(tenant.id, monthly)).toBe(decimalToNano('3.500000001'));
    // A key-less call's key counters are never seeded: nothing to sum.
    expect(await spend.spendOf(tenant.id, keyCounters(null)[0])).toBe(0);
    expect(await spend.spendOfMany([{ tenantId: tenant.id, counter: monthly }])).toEqual([decimalToNano('3.500000001')]);
  });
});
