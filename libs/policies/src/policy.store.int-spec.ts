import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { PrismaService } from '@conduit/db';
import { removeTenantIds, waitFor } from '@conduit/testing';
import { PolicyDocumentError } from './policy-document.exception';
import { PolicyStore } from './policy.store';

const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/conduit_test';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';

describe('PolicyStore against real Postgres and Redis', () => {
  const prefix = `policies-${randomUUID().slice(0, 8)}`;
  let prisma: PrismaService;
  const processes: { store: PolicyStore; redis: Redis }[] = [];
  let a: PolicyStore;
  let b: PolicyStore;
  const tenants: string[] = [];

  /** One "process": its own Redis connection and subscription, its own cache. */
  async function startProcess(ttlMs = 600_000): Promise<PolicyStore> {
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const store = new PolicyStore(prisma, redis, { redisUrl, prefix }, { cacheTtlMs: ttlMs });
    await store.onModuleInit();
    processes.push({ store, redis });
    // Subscribed once a publish on the channel reaches it.
    const probe = randomUUID();
    await waitFor(
      async () => {
        await redis.publish(`${prefix}:policies:changed`, probe);
        return (await redis.pubsub('NUMSUB', `${prefix}:policies:changed`)) as [string, number];
      },
      { what: 'every process to subscribe to the announcements', until: ([, n]) => n >= processes.length },
    );
    return store;
  }

  async function tenant(): Promise<string> {
    const row = await prisma.tenant.create({ data: { name: 'Policy test', slug: `policy-${randomUUID().slice(0, 12)}` } });
    tenants.push(row.id);
    return row.id;
  }

  beforeAll(async () => {
    prisma = new PrismaService({ url: databaseUrl, poolSize: 2 });
    a = await startProcess();
    b = await startProcess();
  });

  afterAll(async () => {
    await removeTenantIds(prisma, tenants);
    for (const p of processes) {
      await p.store.onApplicationShutdown();
      await p.redis.quit();
    }
    await prisma.onApplicationShutdown();
  });

  it('gives a tenant without a stored document the defaults (version 0)', async () => {
    const policy = await a.get(await tenant());
    expect(policy.version).toBe(0);
    expect(policy.guardrails.injection.user).toBe('flag');
    expect(policy.guardrails.output.action).toBe('off');
  });

  it('stores a valid document, fills in defaults and counts versions', async () => {
    const id = await tenant();
    const first = await a.put(id, { guardrails: { injection: { user: 'block' } } }, 'test');
    expect(first.version).toBe(1);
    const second = await a.put(id, { guardrails: { output: { action: 'block' } } }, 'test');
    expect(second.version).toBe(2);
    const shown = await a.show(id);
    expect(shown.version).toBe(2);
    // The document replaces the previous one: injection is back to its default.
    expect(shown.guardrails.injection.user).toBe('flag');
    expect(shown.guardrails.output.action).toBe('block');
  });

  it('refuses a bad document with the path of the bad field, and stores nothing', async () => {
    const id = await tenant();
    await a.put(id, { guardrails: { injection: { user: 'block' } } }, 'test');
    const cases: [unknown, string][] = [
      [{ guardrails: { injection: { user: 'maybe' } } }, 'guardrails.injection.user'],
      [{ guardrails: { output: { deny_list: { patterns: ['ok', '(a+)+$'] } } } }, 'guardrails.output.deny_list.patterns[1]'],
      [{ guardrails: { injection: { usr: 'block' } } }, 'guardrails.injection.usr'],
      [{ memroy: {} }, 'memroy'],
      [{ api_keys: { 'not-a-uuid': {} } }, 'api_keys.not-a-uuid'],
    ];
    for (const [document, param] of cases) {
      const error = await a.put(id, document, 'test').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PolicyDocumentError);
      expect((error as PolicyDocumentError).param).toBe(param);
    }
    expect((await a.show(id)).version).toBe(1);
  });

  it('applies a change on another process on its announcement, not at the cache TTL (pub/sub invalidation)', async () => {
    const id = await tenant();
    expect((await b.get(id)).guardrails.injection.user).toBe('flag'); // cached in b for 10 minutes
    // The waits end far below b's TTL: only the announcement can have dropped b's copy.
    await a.put(id, { guardrails: { injection: { user: 'block' } } }, 'test');
    await waitFor(() => b.get(id), { what: 'b to apply the first change', until: (policy) => policy.guardrails.injection.user === 'block' });
    await a.put(id, { guardrails: { injection: { user: 'off' } } }, 'test');
    await waitFor(() => b.get(id), { what: 'b to apply the second change', until: (policy) => policy.guardrails.injection.user === 'off' });
  });

  it("never applies one tenant's policy to another", async () => {
    const [one, two] = [await tenant(), await tenant()];
    await a.put(one, { guardrails: { injection: { user: 'block' } } }, 'test');
    expect((await b.get(one)).guardrails.injection.user).toBe('block');
    expect((await b.get(two)).guardrails.injection.user).toBe('flag');
    expect((await a.get(two)).version).toBe(0);
  });

  it('serves from memory: a stored policy is read from Postgres about once per change, not per request', async () => {
    const id = await tenant();
    await a.put(id, { guardrails: { injection: { user: 'block' } } }, 'test');
    const query = jest.spyOn(prisma.pg, 'query');
    try {
      for (let i = 0; i < 50; i += 1) await b.get(id);
      // One load, plus possibly one more if the put's own announcement reaches b after its first read.
      expect(query.mock.calls.length).toBeLessThanOrEqual(2);
    } finally {
      query.mockRestore();
    }
  });
});
