import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { BLOB_STORE, BlobStoreModule, type BlobStore } from '@conduit/blob-store';
import { DEFAULT_TIER_POLICY } from '@conduit/budget';
import { hashApiKey } from '@conduit/contracts';
import { PrismaService } from '@conduit/db';
import { REDIS_CONNECTION } from '@conduit/queue';
import { CacheEntry, ResponseCacheStore } from '@conduit/response-cache';
import { createMessage, createSession, createTenantWithUser, removeTenants, TenantWithUser, waitFor } from '@conduit/testing';
import { chunkPointId, createVectorStore, vectorSpaceFor, VectorStoreModule, type ManagedVectorStore } from '@conduit/vector-store';
import { Memories } from '@conduit/memory';
import { DocumentsModule } from '../documents/documents.module';
import { MemoriesModule } from '../memories/memories.module';
import { UsageModule } from '../usage/usage.module';
import { SessionsModule } from '../sessions/sessions.module';
import { expectApiError } from '../testing/api-error.assertion';
import { createGatewayTestApp } from '../testing/gateway-test-app';
import { AdminModule } from './admin.module';

const BOOTSTRAP = `adm_${randomBytes(24).toString('hex')}`;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/conduit_test';
const vectorConfig = { kind: 'pgvector' as const, connectionString: databaseUrl, poolSize: 2, efSearch: 100 };
const space = vectorSpaceFor('hashing-v2', 384);
const NO_USER = '00000000-0000-0000-0000-000000000000';

/** One gateway "replica": its own process caches and Redis subscription, on a shared prefix. */
function replica(prefix: string, blobDir: string): Promise<NestFastifyApplication> {
  const documents = DocumentsModule.register({ maxUploadBytes: 65_536, embedding: { model: 'hashing-v2', dimension: 384 } });
  const usage = UsageModule.register(
    { redisUrl, prefix, policy: DEFAULT_TIER_POLICY, reservationTtlMs: 60_000, settledTtlMs: 60_000, capCacheTtlMs: 0, priceRefreshMs: 60_000, pricing: false },
    { orchestratorUrl: 'http://127.0.0.1:9', quoteTtlMs: 0, maxTokensLimit: 4_096 },
  );
  return createGatewayTestApp(
    [
      usage,
      SessionsModule,
      BlobStoreModule.forRoot({ kind: 'filesystem', dir: blobDir }),
      VectorStoreModule.forRoot(vectorConfig),
      documents,
      AdminModule.register({ bootstrapKey: BOOTSTRAP }, documents, usage, MemoriesModule.register({ embeddings: { provider: 'hashing', model: 'hashing-v2', dimension: 384, batchSize: 64 } })),
    ],
    { queuePrefix: prefix },
  );
}

type Json = Record<string, unknown>;

describe('admin API (in-process gateways, real Postgres and Redis)', () => {
  const prefix = `test-${randomBytes(6).toString('hex')}`;
  let a: NestFastifyApplication;
  let b: NestFastifyApplication;
  let prisma: PrismaService;
  const tenants: { id: string }[] = [];
  let other: TenantWithUser;
  let blobDir: string;
  let vectors: ManagedVectorStore;

  const call = (app: NestFastifyApplication, key: string, method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: unknown) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, ...(payload !== undefined ? { payload: payload as Json } : {}) });
  const admin = (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: unknown) => call(a, BOOTSTRAP, method, url, payload);

  async function newTenant(): Promise<Json> {
    const response = await admin('POST', '/v1/admin/tenants', { name: 'Acme', slug: `acme-${randomBytes(5).toString('hex')}`, tier: 'pro' });
    expect(response.statusCode).toBe(201);
    const tenant = response.json<Json>();
    tenants.push({ id: tenant.id as string });
    return tenant;
  }

  async function newUserWithKey(tenantId: string, user: Json = {}, key: Json = {}): Promise<{ user: Json; key: Json; secret: string }> {
    const created = await admin('POST', `/v1/admin/tenants/${tenantId}/users`, { email: `u-${randomBytes(4).toString('hex')}@example.test`, ...user });
    expect(created.statusCode).toBe(201);
    const userObject = created.json<Json>();
    const minted = await admin('POST', `/v1/admin/tenants/${tenantId}/keys`, { user_id: userObject.id, ...key });
    expect(minted.statusCode).toBe(201);
    const keyObject = minted.json<Json>();
    return { user: userObject, key: keyObject, secret: keyObject.key as string };
  }

  beforeAll(async () => {
    blobDir = await mkdtemp(path.join(tmpdir(), 'conduit-admin-'));
    [a, b] = await Promise.all([replica(prefix, blobDir), replica(prefix, blobDir)]);
    vectors = createVectorStore(vectorConfig);
    await vectors.ensureSpace(space);
    prisma = a.get(PrismaService);
    other = await createTenantWithUser(prisma);
    tenants.push(other.tenant);
  });

  afterAll(async () => {
    await removeTenants(prisma, tenants);
    await vectors?.close();
    await Promise.all([a?.close(), b?.close()]);
    if (blobDir) await rm(blobDir, { recursive: true, force: true });
  });

  it('lets a platform admin create, list (paginated), read and update tenants', async () => {
    const one = await newTenant();
    const two = await newTenant();
    expect(one).toMatchObject({ object: 'tenant', name: 'Acme', tier: 'pro', suspended: false });
    const firstPage = await admin('GET', '/v1/admin/tenants?limit=1');
    expect(firstPage.statusCode).toBe(200);
    const page = firstPage.json<{ data: Json[]; has_more: boolean; last_id: string }>();
    expect(page.data).toHaveLength(1);
    expect(page.has_more).toBe(true);
    const next = (await admin('GET', `/v1/admin/tenants?limit=100&after=${page.last_id}`)).json<{ data: Json[] }>();
    expect(next.data.map((t) => t.id)).not.toContain(page.data[0].id);
    expect(await admin('GET', `/v1/admin/tenants/${two.id as string}`).then((r) => r.json<Json>())).toMatchObject({ id: two.id, slug: two.slug });
    const renamed = await admin('PATCH', `/v1/admin/tenants/${one.id as string}`, { name: 'Acme Two', tier: 'enterprise' });
    expect(renamed.json<Json>()).toMatchObject({ name: 'Acme Two', tier: 'enterprise' });
    const taken = await admin('POST', '/v1/admin/tenants', { name: 'Dup', slug: one.slug });
    expectApiError(taken, 409, 'tenant_slug_taken', 'slug');
  });

  it('shows a key secret once and stores only its hash; lists keys without secrets', async () => {
    const tenant = await newTenant();
    const { key, secret } = await newUserWithKey(tenant.id as string, {}, { name: 'ci', scopes: ['chat'] });
    expect(secret).toMatch(/^cdt_/);
    const row = await prisma.apiKey.findUniqueOrThrow({ where: { id: key.id as string } });
    expect(row.keyHash).toBe(hashApiKey(secret));
    expect(JSON.stringify(row)).not.toContain(secret.slice(4));
    const listed = await admin('GET', `/v1/admin/tenants/${tenant.id as string}/keys`);
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain(secret.slice(4));
    expect(listed.json<{ data: Json[] }>().data).toEqual([expect.objectContaining({ id: key.id, scopes: ['chat'], prefix: secret.slice(0, 12) })]);
  });

  it('stores platform admin keys hashed; a created admin key works until revoked', async () => {
    const created = await admin('POST', '/v1/admin/admin-keys', { name: 'ops' });
    expect(created.statusCode).toBe(201);
    const { id, key } = created.json<{ id: string; key: string }>();
    const row = await prisma.adminKey.findUniqueOrThrow({ where: { id } });
    expect(row.keyHash).toBe(hashApiKey(key));
    expect(JSON.stringify(row)).not.toContain(key.slice(4));
    expect((await call(a, key, 'GET', '/v1/admin/tenants?limit=1')).statusCode).toBe(200);
    expect((await admin('POST', `/v1/admin/admin-keys/${id}/revoke`)).statusCode).toBe(200);
    expectApiError(await call(b, key, 'GET', '/v1/admin/tenants?limit=1'), 401, 'invalid_admin_key');
  });

  describe('roles', () => {
    let tenant: Json;
    let tenantAdmin: string;
    let member: string;

    beforeAll(async () => {
      tenant = await newTenant();
      tenantAdmin = (await newUserWithKey(tenant.id as string, { role: 'tenant_admin' }, { scopes: ['admin', 'chat'] })).secret;
      member = (await newUserWithKey(tenant.id as string)).secret;
    });

    it("lets a tenant admin manage their own tenant's users and keys", async () => {
      expect((await call(a, tenantAdmin, 'GET', `/v1/admin/tenants/${tenant.id as string}`)).statusCode).toBe(200);
      const user = await call(a, tenantAdmin, 'POST', `/v1/admin/tenants/${tenant.id as string}/users`, { email: 'new@example.test' });
      expect(user.statusCode).toBe(201);
      const key = await call(a, tenantAdmin, 'POST', `/v1/admin/tenants/${tenant.id as string}/keys`, { user_id: user.json<Json>().id });
      expect(key.statusCode).toBe(201);
    });

    it("gives a tenant admin 404 for another tenant's resources", async () => {
      const id = other.tenant.id;
      for (const [method, url, body] of [
        ['GET', `/v1/admin/tenants/${id}`],
        ['GET', `/v1/admin/tenants/${id}/users`],
        ['GET', `/v1/admin/tenants/${id}/users/${other.user.id}`],
        ['GET', `/v1/admin/tenants/${id}/keys`],
        ['POST', `/v1/admin/tenants/${id}/keys`, { user_id: other.user.id }],
        ['POST', `/v1/admin/tenants/${id}/suspend`],
        ['GET', `/v1/admin/tenants/${id}/policy`],
        ['PUT', `/v1/admin/tenants/${id}/budgets`, { scope: 'tenant', period: 'daily', cap_usd: 1 }],
      ] as const) {
        expectApiError(await call(a, tenantAdmin, method, url, body), 404, 'tenant_not_found');
      }
      // A user of another tenant, named under the admin's own tenant, is not found either.
      expectApiError(await call(a, tenantAdmin, 'GET', `/v1/admin/tenants/${tenant.id as string}/users/${other.user.id}`), 404, 'user_not_found');
    });

    it("lets a tenant admin set their own routing policy but neither read nor change another tenant's", async () => {
      const routing = { mode: 'complexity', tiers: { small: 'cheap', large: 'default' } };
      const own = await call(a, tenantAdmin, 'PUT', `/v1/admin/tenants/${tenant.id as string}/policy`, { routing });
      expect(own.statusCode).toBe(200);
      expect(own.json<Json>()).toMatchObject({ document: { routing } });
      expectApiError(
        await call(a, tenantAdmin, 'PUT', `/v1/admin/tenants/${tenant.id as string}/policy`, { routing: { mode: 'cheapest' } }),
        400,
        'invalid_policy',
        'routing.mode',
      );
      const id = other.tenant.id;
      expectApiError(await call(a, tenantAdmin, 'GET', `/v1/admin/tenants/${id}/policy`), 404, 'tenant_not_found');
      expectApiError(await call(a, tenantAdmin, 'PUT', `/v1/admin/tenants/${id}/policy`, { routing }), 404, 'tenant_not_found');
      expect((await admin('GET', `/v1/admin/tenants/${id}/policy`)).json<Json>()).toMatchObject({ version: 0, document: {} });
    });

    it('refuses platform-only routes to a tenant admin with 403', async () => {
      expectApiError(await call(a, tenantAdmin, 'GET', '/v1/admin/tenants'), 403, 'platform_admin_required');
      expectApiError(await call(a, tenantAdmin, 'POST', '/v1/admin/prices', { model: 'x', input: 1, output: 1 }), 403, 'platform_admin_required');
      expectApiError(await call(a, tenantAdmin, 'PATCH', `/v1/admin/tenants/${tenant.id as string}`, { tier: 'enterprise' }), 403, 'platform_admin_required', 'tier');
    });

    it('gives a user key 403 on admin routes, and an unknown key 401', async () => {
      expectApiError(await call(a, member, 'GET', `/v1/admin/tenants/${tenant.id as string}`), 403, 'admin_required');
      // The admin scope alone is not enough: the user must be a tenant admin.
      const scopedMember = (await newUserWithKey(tenant.id as string, {}, { scopes: ['admin'] })).secret;
      expectApiError(await call(a, scopedMember, 'GET', `/v1/admin/tenants/${tenant.id as string}`), 403, 'admin_required');
      expectApiError(await call(a, 'cdt_not-a-key', 'GET', `/v1/admin/tenants/${tenant.id as string}`), 401, 'invalid_admin_key');
      expectApiError(await a.inject({ method: 'GET', url: '/v1/admin/tenants' }), 401, 'invalid_admin_key');
    });
  });

  describe('revocation, suspension and scopes on every replica', () => {
    it('refuses a revoked key on another replica within 1 s', async () => {
      const tenant = await newTenant();
      const { key, secret } = await newUserWithKey(tenant.id as string);
      // Both replicas have the key cached (for a minute, without an announcement).
      expect((await call(a, secret, 'GET', '/v1/sessions')).statusCode).toBe(200);
      expect((await call(b, secret, 'GET', '/v1/sessions')).statusCode).toBe(200);
      const revoked = await admin('POST', `/v1/admin/tenants/${tenant.id as string}/keys/${key.id as string}/revoke`);
      expect(revoked.json<Json>()).toMatchObject({ revoked: true });
      const refused = await waitFor(() => call(b, secret, 'GET', '/v1/sessions'), {
        what: 'replica b to refuse the revoked key',
        until: (response) => response.statusCode === 401,
        timeoutMs: 1_000,
      });
      expectApiError(refused, 401, 'invalid_api_key');
    });

    it('refuses a suspended tenant and a suspended user (403) within 1 s, and admits them again on resume', async () => {
      const tenant = await newTenant();
      const { user, secret } = await newUserWithKey(tenant.id as string);
      expect((await call(b, secret, 'GET', '/v1/sessions')).statusCode).toBe(200);
      await admin('POST', `/v1/admin/tenants/${tenant.id as string}/suspend`);
      const refused = await waitFor(() => call(b, secret, 'GET', '/v1/sessions'), { what: 'suspension', until: (r) => r.statusCode === 403, timeoutMs: 1_000 });
      expectApiError(refused, 403, 'tenant_suspended');
      expect((await admin('GET', `/v1/admin/tenants/${tenant.id as string}`)).json<Json>()).toMatchObject({ suspended: true, suspended_reason: 'admin' });
      await admin('POST', `/v1/admin/tenants/${tenant.id as string}/resume`);
      await waitFor(() => call(b, secret, 'GET', '/v1/sessions'), { what: 'resumption', until: (r) => r.statusCode === 200, timeoutMs: 1_000 });

      await admin('POST', `/v1/admin/tenants/${tenant.id as string}/users/${user.id as string}/suspend`);
      const userRefused = await waitFor(() => call(b, secret, 'GET', '/v1/sessions'), { what: 'user suspension', until: (r) => r.statusCode === 403, timeoutMs: 1_000 });
      expectApiError(userRefused, 403, 'user_suspended');
    });

    it('refuses a route outside the key scopes with 403 insufficient_scope, and applies a scope change at once', async () => {
      const tenant = await newTenant();
      const { key, secret } = await newUserWithKey(tenant.id as string, {}, { scopes: ['jobs'] });
      expectApiError(await call(b, secret, 'GET', '/v1/sessions'), 403, 'insufficient_scope');
      await admin('PATCH', `/v1/admin/tenants/${tenant.id as string}/keys/${key.id as string}`, { scopes: ['jobs', 'chat'] });
      await waitFor(() => call(b, secret, 'GET', '/v1/sessions'), { what: 'the new scope', until: (r) => r.statusCode === 200, timeoutMs: 1_000 });
    });

    it('refuses an expired key', async () => {
      const tenant = await newTenant();
      const { key, secret } = await newUserWithKey(tenant.id as string);
      expect((await call(b, secret, 'GET', '/v1/sessions')).statusCode).toBe(200);
      await admin('PATCH', `/v1/admin/tenants/${tenant.id as string}/keys/${key.id as string}`, { expires_at: Math.floor(Date.now() / 1000) - 1 });
      await waitFor(() => call(b, secret, 'GET', '/v1/sessions'), { what: 'expiry', until: (r) => r.statusCode === 401, timeoutMs: 1_000 });
    });
  });

  it('gets and puts a tenant policy, refusing a bad field with 400 and its path', async () => {
    const tenant = await newTenant();
    const url = `/v1/admin/tenants/${tenant.id as string}/policy`;
    expect((await admin('GET', url)).json<Json>()).toMatchObject({ version: 0, document: {} });
    const put = await admin('PUT', url, { guardrails: { injection: { user: 'block' } } });
    expect(put.statusCode).toBe(200);
    expect(put.json<Json>()).toMatchObject({ version: 1, document: { guardrails: { injection: { user: 'block' } } } });
    expectApiError(await admin('PUT', url, { guardrails: { injection: { user: 'maybe' } } }), 400, 'invalid_policy', 'guardrails.injection.user');
    expect((await admin('GET', url)).json<Json>()).toMatchObject({ version: 1 });
  });

  it('sets, lists and clears budget caps of a tenant, of its users and of its API keys', async () => {
    const tenant = await newTenant();
    const { user, key } = await newUserWithKey(tenant.id as string);
    const url = `/v1/admin/tenants/${tenant.id as string}/budgets`;
    expect((await admin('PUT', url, { scope: 'tenant', period: 'monthly', cap_usd: 100 })).statusCode).toBe(200);
    expect((await admin('PUT', url, { scope: 'user', subject_id: user.id, period: 'daily', cap_usd: null })).statusCode).toBe(200);
    const keyCap = await admin('PUT', url, { scope: 'key', subject_id: key.id, period: 'daily', cap_usd: 2.5 });
    expect(keyCap.json<Json>()).toEqual({ object: 'budget_cap', scope: 'key', subject_id: key.id, period: 'daily', cap_usd: 2.5 });
    expectApiError(await admin('PUT', url, { scope: 'user', period: 'daily', cap_usd: 1 }), 400, 'invalid_request', 'subject_id');
    expectApiError(await admin('PUT', url, { scope: 'key', period: 'daily', cap_usd: 1 }), 400, 'invalid_request', 'subject_id');
    expectApiError(await admin('PUT', url, { scope: 'user', subject_id: other.user.id, period: 'daily', cap_usd: 1 }), 404, 'user_not_found');
    // Another tenant's key is not found here, as another tenant's user is not.
    const otherKey = await prisma.apiKey.findFirstOrThrow({ where: { tenantId: other.tenant.id } });
    expectApiError(await admin('PUT', url, { scope: 'key', subject_id: otherKey.id, period: 'daily', cap_usd: 1 }), 404, 'api_key_not_found');
    expect((await admin('GET', url)).json<{ data: Json[] }>().data).toEqual([
      { object: 'budget_cap', scope: 'tenant', subject_id: tenant.id, period: 'monthly', cap_usd: 100 },
      { object: 'budget_cap', scope: 'user', subject_id: user.id, period: 'daily', cap_usd: null },
      { object: 'budget_cap', scope: 'key', subject_id: key.id, period: 'daily', cap_usd: 2.5 },
    ]);
    expect((await admin('POST', `${url}/clear`, { scope: 'tenant', period: 'monthly' })).json<Json>()).toMatchObject({ cleared: true });
    expect((await admin('POST', `${url}/clear`, { scope: 'key', subject_id: key.id, period: 'daily' })).json<Json>()).toMatchObject({ cleared: true, scope: 'key' });
    expect((await admin('GET', url)).json<{ data: Json[] }>().data).toHaveLength(1);
  });

  it('sets price versions and lists them newest first', async () => {
    const model = `test-model-${randomBytes(4).toString('hex')}`;
    try {
      await admin('POST', '/v1/admin/prices', { model, effective_from: '2026-01-01', input: 1, output: 2 });
      await admin('POST', '/v1/admin/prices', { model, effective_from: '2026-06-01', input: 3, output: 4, cached_input: 0.5, cache_write: 3.75 });
      const listed = (await admin('GET', '/v1/admin/prices')).json<{ data: Json[] }>().data.filter((p) => p.model === model);
      expect(listed).toEqual([
        { object: 'model_price', model, effective_from: '2026-06-01', input: 3, output: 4, cached_input: 0.5, cache_write: 3.75 },
        { object: 'model_price', model, effective_from: '2026-01-01', input: 1, output: 2, cached_input: null, cache_write: null },
      ]);
    } finally {
      await prisma.modelPrice.deleteMany({ where: { model } });
    }
  });

  it("reads any tenant's usage as a platform admin, only its own as a tenant admin, and validates group_by", async () => {
    const tenant = await newTenant();
    const tenantId = tenant.id as string;
    const { user } = await newUserWithKey(tenantId);
    const tenantAdmin = (await newUserWithKey(tenantId, { role: 'tenant_admin' }, { scopes: ['admin'] })).secret;
    const day = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()));
    await prisma.usageDaily.create({ data: { tenantId, userId: user.id as string, day, model: 'gpt-4.1', requests: 2, costUsd: 0.5 } });
    const expected = [{ user_id: user.id, model: 'gpt-4.1', requests: 2, input_tokens: 0, output_tokens: 0, cached_tokens: 0, cost_usd: 0.5, cache_hits: 0, cost_saved_usd: 0 }];
    const url = `/v1/admin/usage?tenant_id=${tenantId}&group_by=user,model`;
    expect((await admin('GET', url)).json<{ data: unknown[] }>().data).toEqual(expected);
    expect((await call(a, tenantAdmin, 'GET', url)).json<{ data: unknown[] }>().data).toEqual(expected);
    // Without tenant_id a tenant admin still sees only their tenant.
    expect((await call(a, tenantAdmin, 'GET', '/v1/admin/usage?group_by=tenant')).json<{ data: Json[] }>().data.map((row) => row.tenant_id)).toEqual([tenantId]);
    expectApiError(await call(a, tenantAdmin, 'GET', `/v1/admin/usage?tenant_id=${other.tenant.id}`), 404, 'tenant_not_found');
    expectApiError(await call(a, other.apiKey, 'GET', url), 403, 'admin_required');
    expectApiError(await admin('GET', '/v1/admin/usage?group_by=planet'), 400, 'invalid_request', 'group_by.0');
  });

  describe('erasure', () => {
    /** A user with a key and content everywhere: a session with messages, an indexed document, a job, ledger rows. */
    async function userWithContent(tenantId: string) {
      const { user, secret } = await newUserWithKey(tenantId);
      const owner = { tenant: { id: tenantId }, user: { id: user.id as string } };
      const session = await createSession(prisma, owner);
      await createMessage(prisma, session, { role: 'user', content: 'my secret plans' });
      await createMessage(prisma, session);
      const form = new FormData();
      form.append('collection', 'notes');
      form.append('file', new Blob([Buffer.from('private notes of the user')], { type: 'text/plain' }), 'notes.txt');
      const request = new Request('http://localhost/', { method: 'POST', body: form });
      const uploaded = await a.inject({
        method: 'POST',
        url: '/v1/documents',
        headers: { authorization: `Bearer ${secret}`, 'content-type': request.headers.get('content-type') ?? '' },
        payload: Buffer.from(await request.arrayBuffer()),
      });
      expect(uploaded.statusCode).toBe(202);
      const document = await prisma.document.findUniqueOrThrow({ where: { id: uploaded.json<{ id: string }>().id } });
      const points = [0, 1].map((i) => ({
        id: chunkPointId(tenantId, document.id, i),
        vector: Array.from({ length: 384 }, (_, d) => (d === i ? 1 : 0)),
        payload: { tenant_id: tenantId, document_id: document.id, collection: document.collectionId, chunk_index: i, text: `c${i}`, start_offset: 0, end_offset: 2 },
      }));
      await vectors.upsert(space, points);
      await prisma.documentChunk.createMany({
        data: points.map((p) => ({ id: p.id, documentId: document.id, tenantId, position: p.payload.chunk_index, text: 'private', startOffset: 0, endOffset: 2, tokenCount: 1 })),
      });
      await prisma.job.create({
        data: { id: randomUUID(), tenantId, userId: user.id as string, type: 'chat.completion', input: { prompt: 'secret' }, requestHash: 'a'.repeat(64), maxAttempts: 3, deadlineAt: new Date(Date.now() + 60_000) },
      });
      const day = new Date(Date.UTC(2026, 0, 5));
      for (const cost of [0.25, 0.5]) {
        await prisma.usageEvent.create({
          data: { id: randomUUID(), tenantId, userId: user.id as string, provider: 'openai', model: 'gpt-test', inputTokens: 10, outputTokens: 5, feature: 'chat', occurredAt: day, costUsd: cost, priced: true },
        });
      }
      await prisma.usageDaily.create({ data: { tenantId, userId: user.id as string, day, model: 'gpt-test', requests: 2, inputTokens: 20, outputTokens: 10, costUsd: 0.75 } });
      return { user, secret, session, document };
    }

    const totals = async (tenantId: string) => {
      const events = await prisma.usageEvent.aggregate({ where: { tenantId }, _count: true, _sum: { costUsd: true, inputTokens: true } });
      const daily = await prisma.usageDaily.aggregate({ where: { tenantId }, _sum: { costUsd: true, requests: true, inputTokens: true } });
      return { events: events._count, eventCost: Number(events._sum.costUsd), eventTokens: events._sum.inputTokens, dailyCost: Number(daily._sum.costUsd), requests: daily._sum.requests, dailyTokens: Number(daily._sum.inputTokens) };
    };

    it("deletes the user's content everywhere, keeps the ledger anonymised with the same totals, and is idempotent", async () => {
      const tenant = await newTenant();
      const tenantId = tenant.id as string;
      const erased = await userWithContent(tenantId);
      const kept = await userWithContent(tenantId);
      // The tenant already has user-less usage on the same day and model: the erased user's is added to it.
      await prisma.usageDaily.create({ data: { tenantId, userId: NO_USER, day: new Date(Date.UTC(2026, 0, 5)), model: 'gpt-test', requests: 1, inputTokens: 7, costUsd: 0.125 } });
      const before = await totals(tenantId);
      const userId = erased.user.id as string;
      // Cached answers (where the orchestrator keeps them: REDIS_URL, QUEUE_PREFIX) may hold the user's words.
      const cache = new ResponseCacheStore(a.get(REDIS_CONNECTION), prefix);
      const cached: CacheEntry = { v: 1, content: 'Your order 1234 ships Monday.', finish_reason: 'stop', provider: 'openai', model: 'gpt-test', usage: { input_tokens: 5, output_tokens: 7, cached_tokens: 0 }, cost_nano: 10, created_at: Date.now() };
      const limits = { ttlSeconds: 600, maxEntries: 10, maxBytes: 65_536 };
      await cache.put(tenantId, 'k-erased', cached, limits, Date.now(), { userId });
      await cache.put(tenantId, 'k-colleague', cached, limits, Date.now(), { userId: kept.user.id as string });
      await cache.put(other.tenant.id, 'k-other', cached, limits, Date.now(), { userId });

      // Long-term memories with their vectors (one forgotten: its tombstone goes too).
      const memories = a.get(Memories);
      const memoryOwner = { tenantId, userId };
      const remembered = await memories.addStated(memoryOwner, 'Prefers tea', 'preference');
      await memories.addStated(memoryOwner, 'Working on a thesis', 'project');
      await memories.addStated({ tenantId, userId: kept.user.id as string }, 'Prefers coffee', 'preference');
      await memories.store.forget(memoryOwner, remembered?.memory.id as string);
      const memoryIds = await memories.store.allIds(memoryOwner);
      expect(await memories.vectors.count(memoryOwner, memoryIds)).toBe(2);

      const response = await admin('POST', `/v1/admin/tenants/${tenantId}/users/${userId}/erase`);
      expect(response.statusCode).toBe(200);
      expect(response.json<Json>()).toMatchObject({
        erased: true,
        deleted: { sessions: 1, messages: 2, documents: 1, jobs: 1, memories: 2, api_keys_revoked: 1, cache_entries: 1 },
        ledger: { events_anonymised: 2, daily_rows_merged: 1 },
      });
      // The answers the user's requests created are gone; a colleague's and another tenant's stay.
      expect(await cache.get(tenantId, 'k-erased')).toBeUndefined();
      expect(await cache.get(tenantId, 'k-colleague')).toMatchObject({ content: cached.content });
      expect(await cache.get(other.tenant.id, 'k-other')).toMatchObject({ content: cached.content });

      const where = { tenantId, userId };
      expect(await prisma.session.count({ where })).toBe(0);
      expect(await prisma.message.count({ where })).toBe(0);
      expect(await prisma.document.count({ where })).toBe(0);
      expect(await prisma.documentChunk.count({ where: { documentId: erased.document.id } })).toBe(0);
      expect(await vectors.countDocument(space, tenantId, erased.document.id)).toBe(0);
      await expect(a.get<BlobStore>(BLOB_STORE).get(erased.document.blobKey)).rejects.toThrow();
      expect(await prisma.job.count({ where })).toBe(0);
      expect(await prisma.memory.count({ where })).toBe(0);
      expect(await memories.vectors.count(memoryOwner, memoryIds)).toBe(0);
      expect(await memories.store.count({ tenantId, userId: kept.user.id as string })).toBe(1);
      expect(await prisma.usageEvent.count({ where })).toBe(0);
      expect(await prisma.usageDaily.count({ where })).toBe(0);
      expect(await prisma.apiKey.count({ where: { userId, revokedAt: null } })).toBe(0);
      expect(await prisma.user.findUniqueOrThrow({ where: { id: userId } })).toMatchObject({ email: null, name: null });
      expect(await totals(tenantId)).toEqual(before);
      expectApiError(await call(b, erased.secret, 'GET', '/v1/sessions'), 401, 'invalid_api_key');

      // The other user of the tenant keeps everything.
      const keptWhere = { tenantId, userId: kept.user.id as string };
      expect(await prisma.message.count({ where: keptWhere })).toBe(2);
      expect(await prisma.document.count({ where: keptWhere })).toBe(1);
      expect(await vectors.countDocument(space, tenantId, kept.document.id)).toBe(2);
      expect(await prisma.usageEvent.count({ where: keptWhere })).toBe(2);

      // Again: nothing left to do, same totals.
      const again = await admin('POST', `/v1/admin/tenants/${tenantId}/users/${userId}/erase`);
      expect(again.json<Json>()).toMatchObject({ deleted: { sessions: 0, messages: 0, documents: 0, jobs: 0 }, ledger: { events_anonymised: 0 } });
      expect(await totals(tenantId)).toEqual(before);
      expect((await admin('GET', `/v1/admin/tenants/${tenantId}/users/${userId}`)).json<Json>()).toMatchObject({ erased: true, suspended: true });
    });
  });
});
