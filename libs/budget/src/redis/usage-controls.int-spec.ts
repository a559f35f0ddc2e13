import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { waitFor } from '@conduit/testing';
import { resolveCaps, RateLimits, ResolvedCaps } from '../policy/caps';
import { DEFAULT_TIER_POLICY } from '../policy/tier-policy';
import { NANO_PER_USD } from '../money';
import type { CounterRef } from './usage-keys';
import { AdmitInput, SpendSource, UsageControls } from './usage-controls';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const USD = NANO_PER_USD;

/** Ledger stand-in: spend per counter scope+period, as the ledger would sum it. */
class FakeLedger implements SpendSource {
  readonly totals = new Map<string, number>();
  calls = 0;
  async spendOf(_tenantId: string, counter: CounterRef): Promise<number> {
    this.calls += 1;
    return this.totals.get(`${counter.scope}:${counter.period}`) ?? 0;
  }
}

const noLimits: RateLimits = { keyRpm: null, keyTpm: null, userRpm: null, userTpm: null };

function caps(overrides: Partial<Record<'userDaily' | 'userMonthly' | 'tenantDaily' | 'tenantMonthly' | 'keyDaily' | 'keyMonthly', number | null>> = {}): ResolvedCaps {
  const list = [
    ...(overrides.keyDaily !== undefined ? [{ scope: 'key' as const, period: 'daily' as const, usd: overrides.keyDaily }] : []),
    ...(overrides.keyMonthly !== undefined ? [{ scope: 'key' as const, period: 'monthly' as const, usd: overrides.keyMonthly }] : []),
    ...(overrides.userDaily !== undefined ? [{ scope: 'user' as const, period: 'daily' as const, usd: overrides.userDaily }] : []),
    ...(overrides.userMonthly !== undefined ? [{ scope: 'user' as const, period: 'monthly' as const, usd: overrides.userMonthly }] : []),
    ...(overrides.tenantDaily !== undefined ? [{ scope: 'tenant' as const, period: 'daily' as const, usd: overrides.tenantDaily }] : []),
    ...(overrides.tenantMonthly !== undefined ? [{ scope: 'tenant' as const, period: 'monthly' as const, usd: overrides.tenantMonthly }] : []),
  ];
  return resolveCaps(DEFAULT_TIER_POLICY, { userTier: 'free', tenantTier: 'free' }, list);
}

describe('UsageControls against real Redis', () => {
  let redis: Redis;
  let ledger: FakeLedger;
  let controls: UsageControls;
  let tenantId: string;
  let userId: string;
  const prefix = `test-budget-${randomUUID().slice(0, 8)}`;

  const request = (overrides: Partial<AdmitInput> = {}): AdmitInput => ({
    reservationId: randomUUID(),
    tenantId,
    userId,
    apiKeyId: randomUUID(),
    estimateNano: USD / 100,
    estimateTokens: 100,
    caps: caps(),
    rate: noLimits,
    ...overrides,
  });

  beforeAll(() => {
    redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  beforeEach(() => {
    tenantId = randomUUID();
    userId = randomUUID();
    ledger = new FakeLedger();
    controls = new UsageControls(redis, ledger, { prefix, reservationTtlMs: 60_000, settledTtlMs: 60_000 });
  });

  it('admits exactly as many concurrent calls as the remaining budget allows', async () => {
    ledger.totals.set('user:daily', 3 * USD);
    // Remaining 0.505 USD at 0.01 USD per call: room for exactly 50.
    const cap = caps({ userDaily: 3.505 });
    const outcomes = await Promise.all(Array.from({ length: 200 }, () => controls.admit(request({ caps: cap }))));
    expect(outcomes.filter((o) => o.admitted)).toHaveLength(50);
    const refused = outcomes.filter((o) => !o.admitted);
    expect(refused).toHaveLength(150);
    expect(refused[0]).toMatchObject({ reason: 'budget_exceeded', scope: 'user', period: 'daily', capNano: 3.505 * USD, spentNano: 3 * USD });
    const [userDaily] = await controls.snapshot(tenantId, userId);
    expect(userDaily.spentNano + userDaily.heldNano).toBeLessThanOrEqual(3.505 * USD);
    // One ledger query per counter, shared by the whole burst.
    expect(ledger.calls).toBe(4);
  });

  it('never blocks a zero-cost call, and never blocks anyone without a cap', async () => {
    const exhausted = caps({ userDaily: 0, tenantMonthly: 0 });
    for (let i = 0; i < 20; i += 1) {
      expect(await controls.admit(request({ caps: exhausted, estimateNano: 0 }))).toMatchObject({ admitted: true });
    }
    ledger.totals.set('user:daily', 1_000 * USD);
    for (let i = 0; i < 20; i += 1) {
      expect(await controls.admit(request({ caps: caps(), estimateNano: 5 * USD }))).toMatchObject({ admitted: true });
    }
  });

  it('settles to the actual cost and releases on failure, freeing budget for later calls', async () => {
    const cap = caps({ tenantDaily: 0.03 });
    const first = request({ caps: cap });
    const second = request({ caps: cap });
    const third = request({ caps: cap });
    await controls.admit(first);
    await controls.admit(second);
    await controls.admit(third);
    expect(await controls.admit(request({ caps: cap }))).toMatchObject({ admitted: false, reason: 'budget_exceeded', scope: 'tenant' });

    expect(await controls.settle(tenantId, first.reservationId, USD / 1_000, 40)).toBe('settled');
    expect(await controls.release(tenantId, second.reservationId)).toBe('released');
    // Settling twice or releasing a settled call changes nothing.
    expect(await controls.settle(tenantId, first.reservationId, USD, 40)).toBe('settled');
    expect(await controls.release(tenantId, first.reservationId)).toBe('settled');
    const tenantDaily = (await controls.snapshot(tenantId, userId))[2];
    expect(tenantDaily.heldNano).toBe(USD / 1_000 + USD / 100);
    expect(await controls.admit(request({ caps: cap }))).toMatchObject({ admitted: true });
  });

  it('bills each event once: commit moves the hold into spent, redelivery is a no-op', async () => {
    const call = request({ caps: caps({ userDaily: 1 }) });
    await controls.admit(call);
    await controls.settle(tenantId, call.reservationId, 2_000_000, 10);
    const event = { tenantId, userId, eventId: randomUUID(), reservationId: call.reservationId, costNano: 2_000_000, occurredAt: new Date() };
    expect(await controls.commit(event)).toBe('billed');
    expect(await controls.commit(event)).toBe('duplicate');
    expect(await controls.commit(event)).toBe('duplicate');
    const [userDaily, , tenantDaily] = await controls.snapshot(tenantId, userId);
    expect(userDaily).toMatchObject({ spentNano: 2_000_000, heldNano: 0 });
    expect(tenantDaily).toMatchObject({ spentNano: 2_000_000, heldNano: 0 });

    // An event without a reservation (embeddings, jobs) counts once too.
    const loose = { tenantId, userId, eventId: randomUUID(), reservationId: null, costNano: 500, occurredAt: new Date() };
    await controls.commit(loose);
    await controls.commit(loose);
    expect((await controls.snapshot(tenantId, userId))[0].spentNano).toBe(2_000_500);
  });

  it('commits many events in one pipeline exactly as one by one: each once, in order, errors kept to their event', async () => {
    const call = request({ caps: caps({ userDaily: 1 }) });
    await controls.admit(call);
    await controls.settle(tenantId, call.reservationId, 2_000_000, 10);
    const held = { tenantId, userId, eventId: randomUUID(), reservationId: call.reservationId, costNano: 2_000_000, occurredAt: new Date() };
    const loose = { tenantId, userId, eventId: randomUUID(), reservationId: null, costNano: 500, occurredAt: new Date() };
    const otherTenant = { ...loose, tenantId: randomUUID(), eventId: randomUUID() };
    const results = await controls.commitMany([held, loose, loose, otherTenant, held]);
    expect(results).toEqual(['billed', 'billed', 'duplicate', 'billed', 'duplicate'].map((value) => ({ status: 'fulfilled', value })));
    const [userDaily, , tenantDaily] = await controls.snapshot(tenantId, userId);
    expect(userDaily).toMatchObject({ spentNano: 2_000_500, heldNano: 0 });
    expect(tenantDaily).toMatchObject({ spentNano: 2_000_500, heldNano: 0 });
    // Redelivered: nothing changes, and the single-event path agrees.
    expect((await controls.commitMany([held, loose])).map((r) => r.status === 'fulfilled' && r.value)).toEqual(['duplicate', 'duplicate']);
    expect(await controls.commit(loose)).toBe('duplicate');
    expect((await controls.snapshot(tenantId, userId))[0].spentNano).toBe(2_000_500);
    expect(await controls.commitMany([])).toEqual([]);
  });

  it('fails only the commit whose script errors within a pipeline', async () => {
    const loose = { tenantId, userId, eventId: randomUUID(), reservationId: null, costNano: 700, occurredAt: new Date() };
    await controls.snapshot(tenantId, userId);
    // A record key holding a string instead of a hash: HGET on it fails (WRONGTYPE) for this event only.
    const broken = { ...loose, eventId: randomUUID() };
    await redis.set(controls.keys.eventMarker(tenantId, broken.eventId), 'not a hash', 'PX', 60_000);
    const [bad, good] = await controls.commitMany([broken, loose]);
    expect(bad.status).toBe('rejected');
    expect(String((bad as PromiseRejectedResult).reason)).toMatch(/WRONGTYPE/);
    expect(good).toEqual({ status: 'fulfilled', value: 'billed' });
    expect((await controls.snapshot(tenantId, userId))[0].spentNano).toBe(700);
  });

  it('lets a leaked reservation expire so it stops holding budget', async () => {
    const short = new UsageControls(redis, ledger, { prefix, reservationTtlMs: 200, settledTtlMs: 200 });
    const cap = caps({ userMonthly: 0.015 });
    expect(await short.admit(request({ caps: cap }))).toMatchObject({ admitted: true });
    expect(await short.admit(request({ caps: cap }))).toMatchObject({ admitted: false, period: 'monthly' });
    // Refused until the leaked reservation's TTL lapses, then admitted (and reserved) once.
    await waitFor(() => short.admit(request({ caps: cap })), { what: 'the leaked reservation to expire', until: (admission) => admission.admitted });
  });

  it('rebuilds budgets from the ledger after Redis lost them', async () => {
    const cap = caps({ userDaily: 1 });
    await controls.admit(request({ caps: cap }));
    const keys = (await Promise.all(controls.keys.tenantPattern(tenantId).map((pattern) => redis.keys(pattern)))).flat();
    expect(keys.length).toBeGreaterThan(0);
    await redis.del(...keys);
    ledger.totals.set('user:daily', 0.995 * USD);
    expect(await controls.admit(request({ caps: cap }))).toMatchObject({ admitted: false, reason: 'budget_exceeded', spentNano: 0.995 * USD });
    expect(await controls.admit(request({ caps: cap, estimateNano: 0.005 * USD }))).toMatchObject({ admitted: true });
  });

  it("caps one API key's spend while another key of the same user goes on", async () => {
    const [capped, free] = [randomUUID(), randomUUID()];
    // Room for exactly two calls of 0.01 USD on the capped key; no user or tenant cap.
    const cap = caps({ keyDaily: 0.025 });
    expect(await controls.admit(request({ apiKeyId: capped, caps: cap }))).toMatchObject({ admitted: true });
    expect(await controls.admit(request({ apiKeyId: capped, caps: cap }))).toMatchObject({ admitted: true });
    expect(await controls.admit(request({ apiKeyId: capped, caps: cap }))).toMatchObject({
      admitted: false,
      reason: 'budget_exceeded',
      scope: 'key',
      period: 'daily',
      capNano: 0.025 * USD,
      heldNano: 0.02 * USD,
    });
    // The other key of the same user: no cap of its own, the user's spend is not capped.
    expect(await controls.admit(request({ apiKeyId: free, caps: caps() }))).toMatchObject({ admitted: true });
    const snapshot = await controls.snapshot(tenantId, userId, new Date(), capped);
    expect(snapshot.map((c) => c.scope)).toEqual(['user', 'user', 'tenant', 'tenant', 'key', 'key']);
    expect(snapshot[4]).toMatchObject({ scope: 'key', period: 'daily', subjectId: capped, heldNano: 0.02 * USD });
    // The user's counters hold all three admitted calls.
    expect(snapshot[0].heldNano).toBe(0.03 * USD);
  });

  it("seeds a key's counters from the ledger and refuses a call its monthly cap cannot cover", async () => {
    ledger.totals.set('key:monthly', 4.995 * USD);
    const apiKeyId = randomUUID();
    expect(await controls.admit(request({ apiKeyId, caps: caps({ keyMonthly: 5 }) }))).toMatchObject({
      admitted: false,
      scope: 'key',
      period: 'monthly',
      spentNano: 4.995 * USD,
    });
    // A key without a cap creates no counters of its own (nothing seeded for it).
    const calls = ledger.calls;
    expect(await controls.admit(request({ caps: caps() }))).toMatchObject({ admitted: true });
    expect(ledger.calls).toBe(calls);
  });

  it('counts a billed cost into key counters, held or seeded after the call was admitted, exactly once', async () => {
    const apiKeyId = randomUUID();
    // Admitted before the key had a cap: its reservation holds on no key counter.
    const early = request({ apiKeyId, caps: caps() });
    await controls.admit(early);
    // A cap is set: the key's counters are seeded (from the ledger: nothing yet) and the next call holds on them.
    const late = request({ apiKeyId, caps: caps({ keyDaily: 1 }) });
    await controls.admit(late);
    const commit = (call: AdmitInput, costNano: number) =>
      controls.commit({ tenantId, userId, apiKeyId, eventId: randomUUID(), reservationId: call.reservationId, costNano, occurredAt: new Date() });
    await controls.settle(tenantId, early.reservationId, 3_000_000, 10);
    await controls.settle(tenantId, late.reservationId, 5_000_000, 10);
    await commit(early, 3_000_000);
    await commit(late, 5_000_000);
    // Redelivery of the same event: the record is billed, nothing changes.
    const event = { tenantId, userId, apiKeyId, eventId: randomUUID(), reservationId: late.reservationId, costNano: 5_000_000, occurredAt: new Date() };
    expect(await controls.commit(event)).toBe('duplicate');
    // An event without a reservation counts into the key's counters too.
    await controls.commit({ ...event, reservationId: null, costNano: 1_000 });
    const [, , , , keyDaily, keyMonthly] = await controls.snapshot(tenantId, userId, new Date(), apiKeyId);
    expect(keyDaily).toMatchObject({ spentNano: 8_001_000, heldNano: 0 });
    // The monthly counter (no cap) did not exist: the snapshot seeds it from the ledger (here: nothing).
    expect(keyMonthly).toMatchObject({ spentNano: 0, heldNano: 0 });
  });

  it('limits requests per minute per API key with a sliding window and says when to retry', async () => {
    const apiKeyId = randomUUID();
    const rate: RateLimits = { ...noLimits, keyRpm: 60 };
    const remaining: number[] = [];
    for (let i = 0; i < 60; i += 1) {
      const outcome = await controls.admit(request({ apiKeyId, rate }));
      if (!outcome.admitted) throw new Error(`call ${i + 1} was refused`);
      remaining.push(outcome.rate.requests?.remaining ?? -1);
    }
    expect(remaining.slice(0, 3)).toEqual([59, 58, 57]);
    expect(remaining[59]).toBe(0);
    const sixtyFirst = await controls.admit(request({ apiKeyId, rate }));
    expect(sixtyFirst).toMatchObject({ admitted: false, reason: 'rate_limited', subject: 'api_key', dimension: 'requests', limit: 60 });
    expect(sixtyFirst.admitted === false && sixtyFirst.reason === 'rate_limited' && sixtyFirst.retryAfterMs).toBeGreaterThan(55_000);
    // Another key of the same user is not affected by this key's limit.
    expect(await controls.admit(request({ rate }))).toMatchObject({ admitted: true });
  });

  it('limits tokens per minute per user and corrects the count to actual usage on settle', async () => {
    const rate: RateLimits = { ...noLimits, userTpm: 1_000 };
    const big = request({ rate, estimateTokens: 900 });
    expect(await controls.admit(big)).toMatchObject({ admitted: true, rate: { tokens: { limit: 1_000, remaining: 100 } } });
    expect(await controls.admit(request({ rate, estimateTokens: 200 }))).toMatchObject({ admitted: false, dimension: 'tokens', subject: 'user' });
    await controls.settle(tenantId, big.reservationId, 1_000, 150);
    expect(await controls.admit(request({ rate, estimateTokens: 200 }))).toMatchObject({ admitted: true, rate: { tokens: { remaining: 650 } } });
  });
});
