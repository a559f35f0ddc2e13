import { randomUUID } from 'node:crypto';
import type { PrismaService } from '@conduit/db';
import { createColleague, TestOwner, useTestDatabase } from '@conduit/testing';
import { SemanticCacheStore, SemanticScope } from './semantic-cache.store';

/** A unit vector along axis `i` of 4, tilted by `tilt` towards the next axis (cosine to axis i: 1/sqrt(1+tilt²)). */
function vector(i: number, tilt = 0): number[] {
  const v = [0, 0, 0, 0];
  v[i % 4] = 1;
  v[(i + 1) % 4] = tilt;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

const inAnHour = () => new Date(Date.now() + 3_600_000);

/** The one owner of `response_cache_vectors`, against real Postgres with pgvector. */
describe('SemanticCacheStore (real Postgres, pgvector)', () => {
  const db = useTestDatabase('semantic-cache', 2);
  let prisma: PrismaService;
  let store: SemanticCacheStore;

  beforeAll(() => {
    ({ prisma } = db);
    store = new SemanticCacheStore(prisma.pg);
  });

  const scopeOf = (of: TestOwner, over: Partial<SemanticScope> = {}): SemanticScope => ({ tenantId: of.tenantId, scopeUserId: null, filterHash: 'filter-1', embedder: 'test-4', ...over });
  const put = (scope: SemanticScope, key: string, v: number[], createdBy: string | null = null, expiresAt = inAnHour()) =>
    store.put({ ...scope, key, createdBy, vector: v, expiresAt }, 100);

  it('finds the nearest live vector with its cosine similarity, inside the scope only', async () => {
    const tenant = await db.newOwner();
    const scope = scopeOf(tenant);
    await put(scope, 'k-axis0', vector(0));
    await put(scope, 'k-axis1', vector(1));
    const near = await store.nearest(scope, vector(0, 0.1));
    expect(near?.key).toBe('k-axis0');
    expect(near?.similarity).toBeCloseTo(1 / Math.hypot(1, 0.1), 5);

    // Another tenant, scope user, filter or embedder never sees it.
    const other = await db.newOwner();
    expect(await store.nearest(scopeOf(other), vector(0))).toBeUndefined();
    expect(await store.nearest({ ...scope, scopeUserId: tenant.userId }, vector(0))).toBeUndefined();
    expect(await store.nearest({ ...scope, filterHash: 'filter-2' }, vector(0))).toBeUndefined();
    expect(await store.nearest({ ...scope, embedder: 'other-4' }, vector(0))).toBeUndefined();
  });

  it('keeps per-user vectors to their user and ignores expired ones', async () => {
    const tenant = await db.newOwner();
    const colleague = await createColleague(prisma, tenant);
    const mine = scopeOf(tenant, { scopeUserId: tenant.userId });
    await put(mine, 'mine', vector(2));
    expect((await store.nearest(mine, vector(2)))?.key).toBe('mine');
    expect(await store.nearest({ ...mine, scopeUserId: colleague.userId }, vector(2))).toBeUndefined();
    expect(await store.nearest({ ...mine, scopeUserId: null }, vector(2))).toBeUndefined();
    await put(mine, 'mine', vector(2), null, new Date(Date.now() - 1_000));
    expect(await store.nearest(mine, vector(2))).toBeUndefined();
  });

  it('replaces the vector of an entry key, and keeps a tenant within its cap (the first to expire go)', async () => {
    const tenant = await db.newOwner();
    const scope = scopeOf(tenant);
    await put(scope, 'k', vector(0));
    await put(scope, 'k', vector(3));
    expect(await store.count(tenant.tenantId)).toBe(1);
    expect((await store.nearest(scope, vector(3)))?.similarity).toBeCloseTo(1, 5);
    for (let i = 0; i < 4; i += 1) await store.put({ ...scope, key: `c${i}`, createdBy: null, vector: vector(i), expiresAt: new Date(Date.now() + 60_000 * (i + 2)) }, 3);
    expect(await store.count(tenant.tenantId)).toBe(3);
    // k (an hour) and the two expiring last stay; c0 and c1 (vectors along axes 0 and 1) went.
    expect((await store.nearest(scope, vector(2)))?.key).toBe('c2');
    expect((await store.nearest(scope, vector(0)))?.similarity).toBeCloseTo(0, 5);
    expect((await store.nearest(scope, vector(1)))?.similarity).toBeCloseTo(0, 5);
  });

  it('purges by key, by creating user and by tenant, never another tenant', async () => {
    const tenant = await db.newOwner();
    const other = await db.newOwner();
    const scope = scopeOf(tenant);
    await put(scope, 'a', vector(0), tenant.userId);
    await put(scope, 'b', vector(1), tenant.userId);
    await put(scope, 'c', vector(2));
    await put(scopeOf(other), 'a', vector(0), other.userId);
    expect(await store.purgeKeys(tenant.tenantId, ['a', randomUUID()])).toBe(1);
    expect(await store.purgeUser(tenant.tenantId, tenant.userId)).toBe(1);
    expect(await store.count(tenant.tenantId)).toBe(1);
    expect(await store.purgeTenant(tenant.tenantId)).toBe(1);
    expect(await store.count(other.tenantId)).toBe(1);
  });
});
