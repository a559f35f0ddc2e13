import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { PrismaService } from '@conduit/db';
import { Memories } from '@conduit/memory';
import { PolicyStore } from '@conduit/policies';
import { createTenantWithUser, createUserWithKey, removeTenants, TenantWithUser } from '@conduit/testing';
import { VectorStoreModule } from '@conduit/vector-store';
import type { ListPage } from '../sessions/list-page';
import { expectApiError } from '../testing/api-error.assertion';
import { createGatewayTestApp } from '../testing/gateway-test-app';
import type { MemoryObject } from './memories.dto';
import { MemoriesModule } from './memories.module';

type Method = 'GET' | 'POST' | 'DELETE';
const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/conduit_test';

describe('memories API (/v1/memories): the caller’s long-term memories, under their control', () => {
  let app: NestFastifyApplication;
  let prisma: PrismaService;
  let memories: Memories;
  const tenants: { id: string }[] = [];

  const call = (method: Method, url: string, who: { authHeader: string }, payload?: unknown) =>
    app.inject({ method, url, headers: { authorization: who.authHeader }, ...(payload === undefined ? {} : { payload: payload as object }) });
  const owner = (who: { tenant: { id: string }; user: { id: string } }) => ({ tenantId: who.tenant.id, userId: who.user.id });

  const newTenant = async () => {
    const created = await createTenantWithUser(prisma);
    tenants.push(created.tenant);
    return created;
  };
  const colleagueOf = async (of: TenantWithUser) => ({ tenant: of.tenant, ...(await createUserWithKey(prisma, of.tenant)) });

  beforeAll(async () => {
    app = await createGatewayTestApp([
      VectorStoreModule.forRoot({ kind: 'pgvector', connectionString: databaseUrl, poolSize: 2, efSearch: 100 }),
      MemoriesModule.register({ embeddings: { provider: 'hashing', model: 'hashing-v2', dimension: 384, batchSize: 64 } }),
    ]);
    prisma = app.get(PrismaService);
    memories = app.get(Memories);
  }, 30_000);

  afterAll(async () => {
    if (prisma) await removeTenants(prisma, tenants);
    await app?.close();
  });

  it('adds a stated memory (embedded), lists it, and the same fact again keeps the one memory', async () => {
    const alice = await newTenant();
    const created = await call('POST', '/v1/memories', alice, { content: 'Prefers window seats', kind: 'preference' });
    expect(created.statusCode).toBe(201);
    const memory = created.json<MemoryObject>();
    expect(memory).toMatchObject({ object: 'memory', kind: 'preference', content: 'Prefers window seats', origin: 'stated', source_message_ids: [] });
    expect(await memories.vectors.count(owner(alice), [memory.id])).toBe(1);

    const again = await call('POST', '/v1/memories', alice, { content: '  prefers window seats. ' });
    expect(again.statusCode).toBe(200);
    expect(again.json<MemoryObject>().id).toBe(memory.id);

    const list = (await call('GET', '/v1/memories', alice)).json<ListPage<MemoryObject>>();
    expect(list.data.map((m) => m.id)).toEqual([memory.id]);
  });

  it('pages the list newest first; an unknown cursor is 400 invalid_cursor; bad bodies are 400 with a code', async () => {
    const alice = await newTenant();
    const ids: string[] = [];
    for (const fact of ['Lives in Lyon', 'Name is Ana', 'Working on a novel']) ids.push((await call('POST', '/v1/memories', alice, { content: fact, kind: 'profile' })).json<MemoryObject>().id);
    const first = (await call('GET', '/v1/memories?limit=2', alice)).json<ListPage<MemoryObject>>();
    expect(first.has_more).toBe(true);
    const second = (await call('GET', `/v1/memories?limit=2&after=${first.last_id}`, alice)).json<ListPage<MemoryObject>>();
    expect([...first.data, ...second.data].map((m) => m.id).sort()).toEqual([...ids].sort());
    expect(second.has_more).toBe(false);
    expectApiError(await call('GET', `/v1/memories?after=${randomUUID()}`, alice), 400, 'invalid_cursor', 'after');
    expectApiError(await call('POST', '/v1/memories', alice, { content: '' }), 400, 'invalid_request');
    expectApiError(await call('POST', '/v1/memories', alice, { content: 'x', kind: 'secret' }), 400, 'invalid_request');
    expectApiError(await call('POST', '/v1/memories', alice, { content: 'x'.repeat(501) }), 400, 'invalid_request');
  });

  it('masks personal data the tenant guards before the memory is stored', async () => {
    const alice = await newTenant();
    await app.get(PolicyStore).put(alice.tenant.id, { guardrails: { pii: { entities: { EMAIL: 'redact' } } } }, 'test');
    const created = (await call('POST', '/v1/memories', alice, { content: 'Email is ana@example.com' })).json<MemoryObject>();
    expect(created.content).not.toContain('ana@example.com');
    expect((await prisma.memory.findUniqueOrThrow({ where: { id: created.id } })).content).not.toContain('ana@example.com');
  });

  it('deletes one memory with its vector; another user of the tenant and another tenant get 404 and change nothing', async () => {
    const alice = await newTenant();
    const bob = await colleagueOf(alice);
    const mallory = await newTenant();
    const memory = (await call('POST', '/v1/memories', alice, { content: 'Allergic to peanuts', kind: 'profile' })).json<MemoryObject>();

    expectApiError(await call('DELETE', `/v1/memories/${memory.id}`, bob), 404, 'memory_not_found', 'id');
    expectApiError(await call('DELETE', `/v1/memories/${memory.id}`, mallory), 404, 'memory_not_found', 'id');
    expectApiError(await call('DELETE', '/v1/memories/not-a-uuid', alice), 404, 'memory_not_found', 'id');
    expect((await call('GET', '/v1/memories', bob)).json<ListPage<MemoryObject>>().data).toEqual([]);
    expect((await call('GET', '/v1/memories', mallory)).json<ListPage<MemoryObject>>().data).toEqual([]);
    expect(await memories.vectors.count(owner(alice), [memory.id])).toBe(1);

    const deleted = await call('DELETE', `/v1/memories/${memory.id}`, alice);
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toEqual({ id: memory.id, object: 'memory.deleted', deleted: true });
    expect(await prisma.memory.count({ where: { id: memory.id } })).toBe(0);
    expect(await memories.vectors.count(owner(alice), [memory.id])).toBe(0);
    expectApiError(await call('DELETE', `/v1/memories/${memory.id}`, alice), 404, 'memory_not_found', 'id');
  });

  it('forgets everything of the caller — rows and vectors — and nothing of a colleague', async () => {
    const alice = await newTenant();
    const bob = await colleagueOf(alice);
    const ids: string[] = [];
    for (const fact of ['Prefers tea', 'Name is Alice', 'Working on a garden']) ids.push((await call('POST', '/v1/memories', alice, { content: fact })).json<MemoryObject>().id);
    const bobs = (await call('POST', '/v1/memories', bob, { content: 'Prefers tea' })).json<MemoryObject>();
    expect(await memories.vectors.count(owner(alice), ids)).toBe(3);

    const forgotten = await call('DELETE', '/v1/memories', alice);
    expect(forgotten.statusCode).toBe(200);
    expect(forgotten.json()).toEqual({ object: 'memory.forgotten', deleted: 3 });
    expect(await prisma.memory.count({ where: { tenantId: alice.tenant.id, userId: alice.user.id } })).toBe(0);
    expect(await memories.vectors.count(owner(alice), ids)).toBe(0);
    expect((await call('GET', '/v1/memories', alice)).json<ListPage<MemoryObject>>().data).toEqual([]);
    // The colleague's memory (the same fact) stays, vector included.
    expect(await memories.vectors.count(owner(bob), [bobs.id])).toBe(1);
    expect((await call('GET', '/v1/memories', bob)).json<ListPage<MemoryObject>>().data.map((m) => m.id)).toEqual([bobs.id]);
  });
});
