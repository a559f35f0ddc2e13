import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MessageRole, PrismaService } from '@conduit/db';
import { GATEWAY_ERROR_STATUS } from '../errors/error-status';
import { MessagesModule } from '../messages/messages.module';
import { expectApiError } from '../testing/api-error.assertion';
import { createMessage, createSession, createTenantWithUser, createUserWithKey, removeTenants, TenantWithUser } from '@conduit/testing';
import { createGatewayTestApp } from '../testing/gateway-test-app';
import type { ListPage } from './list-page';
import type { SessionObject } from './sessions.dto';
import { SessionsErrorCode, SessionsException } from './sessions.exception';
import { SessionsModule } from './sessions.module';
import { SessionsService } from './sessions.service';

type Method = 'GET' | 'POST' | 'DELETE';

describe('sessions API', () => {
  let app: NestFastifyApplication;
  let prisma: PrismaService;
  let alice: TenantWithUser;
  const tenants: { id: string }[] = [];

  const call = (method: Method, url: string, auth: string | undefined, payload?: unknown) =>
    app.inject({ method, url, headers: auth ? { authorization: auth } : {}, ...(payload === undefined ? {} : { payload: payload as object }) });

  const newTenant = async () => {
    const owner = await createTenantWithUser(prisma);
    tenants.push(owner.tenant);
    return owner;
  };

  beforeAll(async () => {
    app = await createGatewayTestApp([SessionsModule, MessagesModule]);
    prisma = app.get(PrismaService);
    alice = await newTenant();
  }, 30_000);

  afterAll(async () => {
    if (prisma) await removeTenants(prisma, tenants);
    await app?.close();
  });

  describe('create, read, delete', () => {
    it('creates a session for the caller and returns it with 201', async () => {
      const before = Math.floor(Date.now() / 1000);
      const res = await call('POST', '/v1/sessions', alice.authHeader, { title: 'Trip planning', metadata: { topic: 'travel', lang: 'en' } });
      expect(res.statusCode).toBe(201);
      const body = res.json<SessionObject>();
      expect(body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        object: 'session',
        title: 'Trip planning',
        metadata: { topic: 'travel', lang: 'en' },
        created_at: expect.any(Number),
        updated_at: expect.any(Number),
        message_count: 0,
      });
      expect(body.created_at).toBeGreaterThanOrEqual(before);
      expect(body.created_at).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
      const row = await prisma.session.findUniqueOrThrow({ where: { id: body.id } });
      expect(row).toMatchObject({ tenantId: alice.tenant.id, userId: alice.user.id, title: 'Trip planning', metadata: { topic: 'travel', lang: 'en' } });
    });

    it('creates an untitled session without a body', async () => {
      const res = await call('POST', '/v1/sessions', alice.authHeader);
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ object: 'session', title: null, metadata: {} });
    });

    it('reads a session with its message count', async () => {
      const session = await createSession(prisma, alice, { title: 'With messages', metadata: { a: 'b' } });
      await createMessage(prisma, session, { role: MessageRole.user, content: 'hi' });
      await createMessage(prisma, session, { content: 'hello' });
      const res = await call('GET', `/v1/sessions/${session.id}`, alice.authHeader);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        id: session.id,
        object: 'session',
        title: 'With messages',
        metadata: { a: 'b' },
        created_at: Math.floor(session.createdAt.getTime() / 1000),
        updated_at: Math.floor(session.updatedAt.getTime() / 1000),
        message_count: 2,
      });
    });

    it('hard-deletes a session and its messages', async () => {
      const session = await createSession(prisma, alice);
      await createMessage(prisma, session);
      const res = await call('DELETE', `/v1/sessions/${session.id}`, alice.authHeader);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ id: session.id, object: 'session.deleted', deleted: true });
      expect(await prisma.session.findUnique({ where: { id: session.id } })).toBeNull();
      expect(await prisma.message.count({ where: { sessionId: session.id } })).toBe(0);

      expectApiError(await call('GET', `/v1/sessions/${session.id}`, alice.authHeader), 404, 'session_not_found');
      expectApiError(await call('DELETE', `/v1/sessions/${session.id}`, alice.authHeader), 404, 'session_not_found');
    });

    it('treats a soft-deleted session (deleted_at set by other tooling) as gone', async () => {
      const owner = await newTenant();
      const session = await createSession(prisma, owner, { deletedAt: new Date() });
      const message = await createMessage(prisma, session);
      expectApiError(await call('GET', `/v1/sessions/${session.id}`, owner.authHeader), 404, 'session_not_found');
      expectApiError(await call('GET', `/v1/sessions/${session.id}/messages`, owner.authHeader), 404, 'session_not_found');
      expectApiError(await call('DELETE', `/v1/sessions/${session.id}`, owner.authHeader), 404, 'session_not_found');
      expectApiError(await call('POST', `/v1/messages/${message.id}/feedback`, owner.authHeader, { rating: 'up' }), 404, 'message_not_found');
      expect((await call('GET', '/v1/sessions', owner.authHeader)).json<ListPage<SessionObject>>().data).toEqual([]);
    });

    it('answers 404 session_not_found for unknown and malformed ids', async () => {
      for (const id of [randomUUID(), 'not-a-uuid', '123', `${randomUUID()}x`]) {
        expectApiError(await call('GET', `/v1/sessions/${id}`, alice.authHeader), 404, 'session_not_found', 'id');
        expectApiError(await call('DELETE', `/v1/sessions/${id}`, alice.authHeader), 404, 'session_not_found', 'id');
        expectApiError(await call('GET', `/v1/sessions/${id}/messages`, alice.authHeader), 404, 'session_not_found', 'id');
      }
    });
  });

  describe('listing', () => {
    const listAll = async (auth: string, limit: number): Promise<{ ids: string[]; pages: ListPage<SessionObject>[] }> => {
      const pages: ListPage<SessionObject>[] = [];
      let after: string | null = null;
      for (let guard = 0; guard < 50; guard += 1) {
        const res = await call('GET', `/v1/sessions?limit=${limit}${after ? `&after=${after}` : ''}`, auth);
        expect(res.statusCode).toBe(200);
        const page = res.json<ListPage<SessionObject>>();
        pages.push(page);
        if (!page.has_more) break;
        after = page.last_id;
      }
      return { ids: pages.flatMap((page) => page.data.map((s) => s.id)), pages };
    };

    it("lists only the caller's sessions, newest first, with counts", async () => {
      const owner = await newTenant();
      const sameTenant = await createUserWithKey(prisma, owner.tenant);
      const base = Date.now() - 60_000;
      const mine = [];
      for (let i = 0; i < 3; i += 1) mine.push(await createSession(prisma, owner, { title: `s${i}`, createdAt: new Date(base + i * 1000) }));
      await createMessage(prisma, mine[1]);
      await createSession(prisma, { tenant: owner.tenant, user: sameTenant.user }, { createdAt: new Date(base + 500) });
      await createSession(prisma, alice, { createdAt: new Date(base + 1500) });

      const res = await call('GET', '/v1/sessions', owner.authHeader);
      expect(res.statusCode).toBe(200);
      const page = res.json<ListPage<SessionObject>>();
      expect(page).toEqual({
        object: 'list',
        data: expect.any(Array),
        has_more: false,
        first_id: mine[2].id,
        last_id: mine[0].id,
      });
      expect(page.data.map((s) => s.id)).toEqual([mine[2].id, mine[1].id, mine[0].id]);
      expect(page.data.map((s) => s.message_count)).toEqual([0, 1, 0]);
      expect(page.data[0]).toMatchObject({ object: 'session', title: 's2' });
    });

    it('returns an empty list with null ids when there are no sessions', async () => {
      const owner = await newTenant();
      const res = await call('GET', '/v1/sessions', owner.authHeader);
      expect(res.json()).toEqual({ object: 'list', data: [], has_more: false, first_id: null, last_id: null });
    });

    it('pages with limit and after, without skipping or repeating ties on created_at', async () => {
      const owner = await newTenant();
      const base = Date.now() - 60_000;
      const stamps = [0, 1000, 1000, 1000, 2000, 3000, 3000];
      for (const offset of stamps) await createSession(prisma, owner, { createdAt: new Date(base + offset) });
      const expected = (
        await prisma.session.findMany({ where: { userId: owner.user.id }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] })
      ).map((s) => s.id);
      expect(expected).toHaveLength(7);

      const { ids, pages } = await listAll(owner.authHeader, 2);
      expect(ids).toEqual(expected);
      expect(pages.map((p) => p.data.length)).toEqual([2, 2, 2, 1]);
      expect(pages.map((p) => p.has_more)).toEqual([true, true, true, false]);
      for (const page of pages) {
        expect(page.first_id).toBe(page.data[0].id);
        expect(page.last_id).toBe(page.data[page.data.length - 1].id);
      }

      const exact = await listAll(owner.authHeader, 7);
      expect(exact.pages).toHaveLength(1);
      expect(exact.pages[0].has_more).toBe(false);
      const afterLast = await call('GET', `/v1/sessions?after=${expected[6]}`, owner.authHeader);
      expect(afterLast.json()).toEqual({ object: 'list', data: [], has_more: false, first_id: null, last_id: null });
    });

    it('defaults to 20 per page and accepts up to 100', async () => {
      const owner = await newTenant();
      const base = Date.now() - 60_000;
      await prisma.session.createMany({
        data: Array.from({ length: 21 }, (_, i) => ({ tenantId: owner.tenant.id, userId: owner.user.id, createdAt: new Date(base + i) })),
      });
      const first = (await call('GET', '/v1/sessions', owner.authHeader)).json<ListPage<SessionObject>>();
      expect(first.data).toHaveLength(20);
      expect(first.has_more).toBe(true);
      const all = (await call('GET', '/v1/sessions?limit=100', owner.authHeader)).json<ListPage<SessionObject>>();
      expect(all.data).toHaveLength(21);
      expect(all.has_more).toBe(false);
    });

    it('rejects a cursor that is unknown or not the caller\'s, identically', async () => {
      const owner = await newTenant();
      await createSession(prisma, owner);
      const others = await createSession(prisma, alice);
      const unknown = expectApiError(await call('GET', `/v1/sessions?after=${randomUUID()}`, owner.authHeader), 400, 'invalid_cursor', 'after');
      const foreign = expectApiError(await call('GET', `/v1/sessions?after=${others.id}`, owner.authHeader), 400, 'invalid_cursor', 'after');
      expect(foreign.error.message).toBe(unknown.error.message);
    });
  });

  describe('validation', () => {
    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=1.5', 'limit'],
      ['limit=-1', 'limit'],
      ['after=not-a-uuid', 'after'],
    ])('rejects the query %s with 400 invalid_request', async (query, param) => {
      expectApiError(await call('GET', `/v1/sessions?${query}`, alice.authHeader), 400, 'invalid_request', param);
    });

    it('rejects unknown query parameters', async () => {
      const body = expectApiError(await call('GET', '/v1/sessions?limt=5', alice.authHeader), 400, 'invalid_request');
      expect(body.error.message).toContain('limt');
    });

    it.each([
      ['an oversize title', { title: 'x'.repeat(201) }, 'title'],
      ['a non-string title', { title: 42 }, 'title'],
      ['too many metadata keys', { metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }, 'metadata'],
      ['a non-string metadata value', { metadata: { n: 1 } }, 'metadata.n'],
      ['an oversize metadata value', { metadata: { k: 'v'.repeat(513) } }, 'metadata.k'],
      ['an oversize metadata key', { metadata: { ['k'.repeat(65)]: 'v' } }, `metadata.${'k'.repeat(65)}`],
      ['metadata that is not an object', { metadata: ['a'] }, 'metadata'],
      ['an unknown field', { title: 'ok', owner: 'someone-else' }, null],
      ['a body that is not an object', ['title'], null],
    ])('rejects %s with 400 invalid_request', async (_label, payload, param) => {
      expectApiError(await call('POST', '/v1/sessions', alice.authHeader, payload), 400, 'invalid_request', param);
    });

    it('accepts the limits exactly', async () => {
      const metadata = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, 'v'.repeat(512)]));
      const res = await call('POST', '/v1/sessions', alice.authHeader, { title: 't'.repeat(200), metadata });
      expect(res.statusCode).toBe(201);
      expect(res.json<SessionObject>().metadata).toEqual(metadata);
    });

    it('rejects malformed JSON with a 400, not a 500', async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/sessions',
        headers: { authorization: alice.authHeader, 'content-type': 'application/json' },
        payload: '{"title":',
      });
      expect(res.statusCode).toBe(400);
      // Nest turns Fastify's FST_ERR_CTP_INVALID_JSON_BODY into a plain HttpException before the
      // filter sees it, so the code is the generic `bad_request` until the runtime maps it.
      const code = res.json<{ error: { code: string } }>().error.code;
      expect(['invalid_json', 'bad_request']).toContain(code);
      expectApiError(res, 400, code, null);
    });
  });

  describe('authentication', () => {
    it.each([
      ['GET', '/v1/sessions'],
      ['POST', '/v1/sessions'],
      ['GET', `/v1/sessions/${randomUUID()}`],
      ['DELETE', `/v1/sessions/${randomUUID()}`],
    ] as const)('%s %s without a key is 401 missing_api_key', async (method, url) => {
      const res = await call(method, url, undefined);
      expectApiError(res, 401, 'missing_api_key');
      expect(res.json<{ error: { type: string } }>().error.type).toBe('authentication_error');
      expect(res.headers['www-authenticate']).toBe('Bearer');
    });

    it('rejects an unknown key, a malformed header and a revoked key with 401 invalid_api_key', async () => {
      expectApiError(await call('GET', '/v1/sessions', 'Bearer cdt_not-a-real-key'), 401, 'invalid_api_key');
      expectApiError(await call('GET', '/v1/sessions', alice.apiKey), 401, 'invalid_api_key');
      const revoked = await newTenant();
      await prisma.apiKey.updateMany({ where: { userId: revoked.user.id }, data: { revokedAt: new Date() } });
      expectApiError(await call('GET', '/v1/sessions', revoked.authHeader), 401, 'invalid_api_key');
    });
  });

  describe('isolation between users and tenants', () => {
    let owner: TenantWithUser;
    let strangers: { label: string; authHeader: string }[];

    beforeAll(async () => {
      owner = await newTenant();
      const colleague = await createUserWithKey(prisma, owner.tenant);
      const outsider = await newTenant();
      strangers = [
        { label: 'a user of the same tenant', authHeader: colleague.authHeader },
        { label: 'a user of another tenant', authHeader: outsider.authHeader },
      ];
    });

    it("never lets another user read, list, delete or list messages of a session: 404, as if it did not exist", async () => {
      const session = await createSession(prisma, owner, { title: 'secret' });
      await createMessage(prisma, session, { content: 'private answer' });
      const missing = randomUUID();
      for (const stranger of strangers) {
        for (const [method, path] of [
          ['GET', ''],
          ['DELETE', ''],
          ['GET', '/messages'],
        ] as const) {
          const res = await call(method, `/v1/sessions/${session.id}${path}`, stranger.authHeader);
          const body = expectApiError(res, 404, 'session_not_found', 'id');
          expect(res.body).not.toContain('secret');
          // Indistinguishable from an id that exists for nobody.
          const control = expectApiError(await call(method, `/v1/sessions/${missing}${path}`, stranger.authHeader), 404, 'session_not_found');
          expect(body.error.message.replace(session.id, '<id>')).toBe(control.error.message.replace(missing, '<id>'));
        }
        const list = (await call('GET', '/v1/sessions?limit=100', stranger.authHeader)).json<ListPage<SessionObject>>();
        expect(list.data.map((s) => s.id)).not.toContain(session.id);
      }
      expect(await prisma.session.findUnique({ where: { id: session.id } })).not.toBeNull();
      expect(await prisma.message.count({ where: { sessionId: session.id } })).toBe(1);
      expect((await call('GET', `/v1/sessions/${session.id}`, owner.authHeader)).statusCode).toBe(200);
    });
  });

  describe('SessionsService.assertOwned', () => {
    it('returns the session to its owner and throws session_not_found for anyone else', async () => {
      const service = app.get(SessionsService);
      const session = await createSession(prisma, alice);
      const colleague = await createUserWithKey(prisma, alice.tenant);
      const outsider = await newTenant();

      await expect(service.assertOwned({ tenantId: alice.tenant.id, userId: alice.user.id }, session.id)).resolves.toMatchObject({ id: session.id });
      for (const principal of [
        { tenantId: alice.tenant.id, userId: colleague.user.id },
        { tenantId: outsider.tenant.id, userId: outsider.user.id },
        { tenantId: outsider.tenant.id, userId: alice.user.id },
      ]) {
        const error = await service.assertOwned(principal, session.id).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SessionsException);
        expect(error).toMatchObject({ code: SessionsErrorCode.SessionNotFound });
        expect(GATEWAY_ERROR_STATUS[(error as SessionsException).code]).toBe(404);
      }
      await expect(service.assertOwned({ tenantId: alice.tenant.id, userId: alice.user.id }, 'nope')).rejects.toMatchObject({
        code: SessionsErrorCode.SessionNotFound,
      });
    });
  });
});
