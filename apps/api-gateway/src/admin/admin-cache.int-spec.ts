import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { BlobStoreModule } from '@conduit/blob-store';
import { DEFAULT_TIER_POLICY } from '@conduit/budget';
import { PrismaService } from '@conduit/db';
import { CacheEntry, ResponseCacheStore, SemanticCacheStore } from '@conduit/response-cache';
import { createColleague, createTenantWithUser, removeTenants, TenantWithUser } from '@conduit/testing';
import { VectorStoreModule } from '@conduit/vector-store';
import { DocumentsModule } from '../documents/documents.module';
import { MemoriesModule } from '../memories/memories.module';
import { UsageModule } from '../usage/usage.module';
import { expectApiError } from '../testing/api-error.assertion';
import { createGatewayTestApp } from '../testing/gateway-test-app';
import { AdminModule } from './admin.module';

const BOOTSTRAP = `adm_${randomBytes(24).toString('hex')}`;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/conduit_test';

const entry = (content: string): CacheEntry => ({
  v: 1,
  content,
  finish_reason: 'stop',
  provider: 'mock',
  model: 'mock-1',
  usage: { input_tokens: 5, output_tokens: 3, cached_tokens: 0 },
  cost_nano: 100,
  created_at: Date.now(),
});
const limits = { ttlSeconds: 600, maxEntries: 100, maxBytes: 1_000_000 };
const key = () => randomBytes(32).toString('hex');
const unit = (i: number) => Array.from({ length: 8 }, (_, j) => (j === i % 8 ? 1 : 0));

type Json = Record<string, unknown>;

/**
 * The admin API's response cache routes and the cache step of user erasure, against the Redis
 * layout the orchestrator writes (same store, same prefix): entries are put there as the
 * orchestrator's `cache_store` stage puts them, owned by the user whose request created them.
 */
describe('admin API: response cache purge and user erasure (in-process gateway, real Redis and Postgres)', () => {
  const prefix = `test-${randomBytes(6).toString('hex')}`;
  let app: NestFastifyApplication;
  let prisma: PrismaService;
  let redis: Redis;
  let cache: ResponseCacheStore;
  let vectors: SemanticCacheStore;
  let blobDir: string;
  const tenants: { id: string }[] = [];

  const admin = (method: 'GET' | 'POST', url: string, payload?: unknown, token = BOOTSTRAP) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload !== undefined ? { payload: payload as Json } : {}) });

  async function tenant(): Promise<TenantWithUser> {
    const created = await createTenantWithUser(prisma);
    tenants.push(created.tenant);
    return created;
  }

  beforeAll(async () => {
    blobDir = await mkdtemp(path.join(tmpdir(), 'conduit-admin-cache-'));
    const documents = DocumentsModule.register({ maxUploadBytes: 65_536, embedding: { model: 'hashing-v2', dimension: 384 } });
    const usage = UsageModule.register(
      { redisUrl, prefix, policy: DEFAULT_TIER_POLICY, reservationTtlMs: 60_000, settledTtlMs: 60_000, capCacheTtlMs: 0, priceRefreshMs: 60_000, pricing: false },
      { orchestratorUrl: 'http://127.0.0.1:9', quoteTtlMs: 0, maxTokensLimit: 4_096 },
    );
    app = await createGatewayTestApp(
      [
        usage,
        BlobStoreModule.forRoot({ kind: 'filesystem', dir: blobDir }),
        VectorStoreModule.forRoot({ kind: 'pgvector', connectionString: databaseUrl, poolSize: 2, efSearch: 100 }),
        documents,
        AdminModule.register({ bootstrapKey: BOOTSTRAP }, documents, usage, MemoriesModule.register({ embeddings: { provider: 'hashing', model: 'hashing-v2', dimension: 384, batchSize: 64 } })),
      ],
      { queuePrefix: prefix },
    );
    prisma = app.get(PrismaService);
    redis = new Redis(redisUrl);
    cache = new ResponseCacheStore(redis, prefix);
    vectors = new SemanticCacheStore(prisma.pg);
  });

  /** A semantic tenant's entry: in Redis, and its prompt's vector in Postgres. */
  async function putSemantic(tenantId: string, entryKey: string, content: string, userId: string | null): Promise<void> {
    await cache.put(tenantId, entryKey, entry(content), limits, Date.now(), { userId });
    const scope = { tenantId, scopeUserId: null, filterHash: 'f', embedder: 'test-embedder' };
    await vectors.put({ ...scope, key: entryKey, createdBy: userId, vector: unit(content.length), expiresAt: new Date(Date.now() + 600_000) }, 100);
  }

  afterAll(async () => {
    await removeTenants(prisma, tenants);
    await redis?.quit();
    await app?.close();
    if (blobDir) await rm(blobDir, { recursive: true, force: true });
  });

  it("shows and purges every entry of a tenant, and nothing of another tenant's", async () => {
    const [a, b] = [await tenant(), await tenant()];
    const shared = key();
    await putSemantic(a.tenant.id, shared, 'a1', a.user.id);
    await putSemantic(a.tenant.id, key(), 'a2', null);
    await putSemantic(b.tenant.id, shared, 'b1', null);
    const shown = await admin('GET', `/v1/admin/tenants/${a.tenant.id}/cache`);
    expect(shown.statusCode).toBe(200);
    expect(shown.json<Json>()).toMatchObject({ object: 'response_cache', tenant_id: a.tenant.id, entries: 2 });

    const purged = await admin('POST', `/v1/admin/tenants/${a.tenant.id}/cache/purge`, {});
    expect(purged.statusCode).toBe(200);
    expect(purged.json<Json>()).toEqual({ object: 'response_cache.purge', tenant_id: a.tenant.id, scope: 'tenant', deleted: 2 });
    expect(await cache.get(a.tenant.id, shared)).toBeUndefined();
    expect((await cache.get(b.tenant.id, shared))?.content).toBe('b1');
    expect(await vectors.count(a.tenant.id)).toBe(0);
    expect(await vectors.count(b.tenant.id)).toBe(1);
    expect((await admin('POST', `/v1/admin/tenants/${a.tenant.id}/cache/purge`, {})).json<Json>()).toMatchObject({ deleted: 0 });
  });

  it('purges one entry by its key (x-conduit-cache-key), only in the tenant named', async () => {
    const [a, b] = [await tenant(), await tenant()];
    const [wrong, right] = [key(), key()];
    await putSemantic(a.tenant.id, wrong, 'a wrong answer', null);
    await putSemantic(a.tenant.id, right, 'a right answer', null);
    await putSemantic(b.tenant.id, wrong, "b's answer", null);
    const purged = await admin('POST', `/v1/admin/tenants/${a.tenant.id}/cache/purge`, { key: wrong });
    expect(purged.json<Json>()).toMatchObject({ scope: 'key', deleted: 1 });
    expect(await cache.get(a.tenant.id, wrong)).toBeUndefined();
    expect((await cache.get(a.tenant.id, right))?.content).toBe('a right answer');
    expect((await cache.get(b.tenant.id, wrong))?.content).toBe("b's answer");
    expect(await vectors.count(a.tenant.id)).toBe(1);
    expect(await vectors.count(b.tenant.id)).toBe(1);
    expect((await admin('POST', `/v1/admin/tenants/${a.tenant.id}/cache/purge`, { key: wrong })).json<Json>()).toMatchObject({ deleted: 0 });
  });

  it("purges the entries of one user's requests; refuses a user of another tenant (404) and a malformed body (400)", async () => {
    const a = await tenant();
    const colleague = await createColleague(prisma, { tenantId: a.tenant.id, userId: a.user.id });
    const b = await tenant();
    const [mine, theirs] = [key(), key()];
    await cache.put(a.tenant.id, mine, entry('mine'), limits, Date.now(), { userId: a.user.id });
    await cache.put(a.tenant.id, theirs, entry('theirs'), limits, Date.now(), { userId: colleague.userId });
    expect((await admin('POST', `/v1/admin/tenants/${a.tenant.id}/cache/purge`, { user_id: a.user.id })).json<Json>()).toMatchObject({ scope: 'user', deleted: 1 });
    expect(await cache.get(a.tenant.id, mine)).toBeUndefined();
    expect((await cache.get(a.tenant.id, theirs))?.content).toBe('theirs');

    expectApiError(await admin('POST', `/v1/admin/tenants/${a.tenant.id}/cache/purge`, { user_id: b.user.id }), 404, 'user_not_found');
    expectApiError(await admin('POST', `/v1/admin/tenants/${a.tenant.id}/cache/purge`, { key: 'not-a-key' }), 400, 'invalid_request', 'key');
    expectApiError(await admin('POST', `/v1/admin/tenants/${a.tenant.id}/cache/purge`, { key: mine, user_id: a.user.id }), 400, 'invalid_request', 'user_id');
    expectApiError(await admin('POST', `/v1/admin/tenants/${randomUUID()}/cache/purge`, {}), 404, 'tenant_not_found');
    // A tenant's own API key without admin rights is no admin.
    expectApiError(await admin('POST', `/v1/admin/tenants/${a.tenant.id}/cache/purge`, {}, a.apiKey), 403, 'admin_required');
    expect((await cache.get(a.tenant.id, theirs))?.content).toBe('theirs');
  });

  it("erasing a user removes every entry (and semantic vector) their requests created, per-user and tenant-wide, and no one else's", async () => {
    const a = await tenant();
    const colleague = await createColleague(prisma, { tenantId: a.tenant.id, userId: a.user.id });
    const [perUser, tenantWide, other] = [key(), key(), key()];
    await putSemantic(a.tenant.id, perUser, 'per-user answer', a.user.id);
    await putSemantic(a.tenant.id, tenantWide, 'tenant-wide answer to their question', a.user.id);
    await putSemantic(a.tenant.id, other, "a colleague's", colleague.userId);

    const erased = await admin('POST', `/v1/admin/tenants/${a.tenant.id}/users/${a.user.id}/erase`);
    expect(erased.statusCode).toBe(200);
    expect(erased.json<Json>()).toMatchObject({ erased: true, deleted: { cache_entries: 2 } });
    expect(await cache.get(a.tenant.id, perUser)).toBeUndefined();
    expect(await cache.get(a.tenant.id, tenantWide)).toBeUndefined();
    expect((await cache.get(a.tenant.id, other))?.content).toBe("a colleague's");
    expect(await redis.exists(`${prefix}:rc:{${a.tenant.id}}:u:${a.user.id}`)).toBe(0);
    expect(await vectors.count(a.tenant.id)).toBe(1);
    // Again: nothing left.
    expect((await admin('POST', `/v1/admin/tenants/${a.tenant.id}/users/${a.user.id}/erase`)).json<Json>()).toMatchObject({ deleted: { cache_entries: 0 } });
  });
});
