import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { PrismaService } from '@conduit/db';
import { TenantStore, UserStore } from '@conduit/tenancy';
import { createScopedKey, createTenantWithUser, removeTenants, startTestIssuer, TenantWithUser, TestIssuer, waitFor } from '@conduit/testing';
import { SessionsModule } from '../sessions/sessions.module';
import { expectApiError } from '../testing/api-error.assertion';
import { createGatewayTestApp } from '../testing/gateway-test-app';
import { END_USER_HEADER } from './end-user.resolver';
import { TenantAuthStore } from './tenant-auth.store';

describe('end users of a tenant application (in-process gateway, real Postgres and Redis)', () => {
  let app: NestFastifyApplication;
  let prisma: PrismaService;
  let acme: TenantWithUser;
  let other: TenantWithUser;
  let service: { userId: string; authHeader: string };
  const tenants: { id: string }[] = [];

  const call = (method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: object) =>
    app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  const as = (auth: string, endUser?: string) => ({ authorization: auth, ...(endUser === undefined ? {} : { [END_USER_HEADER]: endUser }) });

  beforeAll(async () => {
    app = await createGatewayTestApp([SessionsModule]);
    prisma = app.get(PrismaService);
    acme = await createTenantWithUser(prisma, { tier: 'pro' });
    other = await createTenantWithUser(prisma);
    tenants.push(acme.tenant, other.tenant);
    service = await createScopedKey(prisma, acme.tenant, ['chat', 'act_for_users']);
  }, 30_000);

  afterAll(async () => {
    if (prisma) await removeTenants(prisma, tenants);
    await app?.close();
  });

  describe('a key scoped act_for_users', () => {
    it('acts for each named end user: created on first sight in its tenant, and they cannot see each other', async () => {
      const created = await call('POST', '/v1/sessions', as(service.authHeader, 'alice@app'), { title: "Alice's" });
      expect(created.statusCode).toBe(201);
      const aliceSession = created.json<{ id: string }>().id;

      const alice = await prisma.user.findUniqueOrThrow({ where: { tenantId_externalId: { tenantId: acme.tenant.id, externalId: 'alice@app' } } });
      // A new end user starts at the tenant's tier and is never a tenant admin.
      expect(alice).toMatchObject({ tenantId: acme.tenant.id, tier: 'pro', role: 'member', email: null });
      expect(alice.id).not.toBe(service.userId);
      const session = await prisma.session.findUniqueOrThrow({ where: { id: aliceSession } });
      expect(session.userId).toBe(alice.id);

      // Bob, named by the same key, and the key's own user: 404, and nothing in their lists.
      expectApiError(await call('GET', `/v1/sessions/${aliceSession}`, as(service.authHeader, 'bob')), 404, 'session_not_found');
      expectApiError(await call('GET', `/v1/sessions/${aliceSession}`, as(service.authHeader)), 404, 'session_not_found');
      expect((await call('GET', '/v1/sessions', as(service.authHeader, 'bob'))).json<{ data: unknown[] }>().data).toEqual([]);

      // Alice again: the same user row, her session.
      const again = await call('GET', `/v1/sessions/${aliceSession}`, as(service.authHeader, 'alice@app'));
      expect(again.statusCode).toBe(200);
      expect(await prisma.user.count({ where: { tenantId: acme.tenant.id, externalId: 'alice@app' } })).toBe(1);
    });

    it('keeps end users of the same name in two tenants apart', async () => {
      const otherService = await createScopedKey(prisma, other.tenant, ['chat', 'act_for_users']);
      const created = await call('POST', '/v1/sessions', as(service.authHeader, 'carol'), {});
      expect(created.statusCode).toBe(201);
      const id = created.json<{ id: string }>().id;
      expectApiError(await call('GET', `/v1/sessions/${id}`, as(otherService.authHeader, 'carol')), 404, 'session_not_found');
      const carols = await prisma.user.findMany({ where: { externalId: 'carol', tenantId: { in: [acme.tenant.id, other.tenant.id] } } });
      expect(carols.map((u) => u.tenantId).sort()).toEqual([acme.tenant.id, other.tenant.id].sort());
    });

    it('starts a new end user when an erased one is named again (the erased row keeps no external id)', async () => {
      expect((await call('POST', '/v1/sessions', as(service.authHeader, 'frank'), {})).statusCode).toBe(201);
      const frank = await prisma.user.findUniqueOrThrow({ where: { tenantId_externalId: { tenantId: acme.tenant.id, externalId: 'frank' } } });
      await app.get(UserStore).markErased(acme.tenant.id, frank.id);
      const listed = await waitFor(() => call('GET', '/v1/sessions', as(service.authHeader, 'frank')), {
        what: 'the erased end user to be forgotten',
        until: (response) => response.statusCode === 200,
        timeoutMs: 1_000,
      });
      expect(listed.json<{ data: unknown[] }>().data).toEqual([]);
      const again = await prisma.user.findUniqueOrThrow({ where: { tenantId_externalId: { tenantId: acme.tenant.id, externalId: 'frank' } } });
      expect(again.id).not.toBe(frank.id);
      expect(await prisma.user.findUniqueOrThrow({ where: { id: frank.id } })).toMatchObject({ externalId: null, erasedAt: expect.any(Date) });
    });

    it('creates one row when an end user first arrives on many requests at once', async () => {
      const responses = await Promise.all(Array.from({ length: 8 }, () => call('GET', '/v1/sessions', as(service.authHeader, 'dave'))));
      expect(responses.map((r) => r.statusCode)).toEqual(Array(8).fill(200));
      expect(await prisma.user.count({ where: { tenantId: acme.tenant.id, externalId: 'dave' } })).toBe(1);
    });

    it.each([
      ['surrounding spaces', ' erin'],
      ['a control character', 'er\u0001in'],
      ['257 characters', 'e'.repeat(257)],
    ])('refuses an end-user id with %s: 400 invalid_end_user', async (_name, value) => {
      expectApiError(await call('GET', '/v1/sessions', as(service.authHeader, value)), 400, 'invalid_end_user', END_USER_HEADER);
    });
  });

  it('refuses a key without act_for_users that names an end user: 403 end_user_not_allowed, nobody created', async () => {
    expectApiError(await call('GET', '/v1/sessions', as(acme.authHeader, 'mallory')), 403, 'end_user_not_allowed', END_USER_HEADER);
    expect(await prisma.user.count({ where: { tenantId: acme.tenant.id, externalId: 'mallory' } })).toBe(0);
  });

  describe('JWT sign-in', () => {
    let idp: TestIssuer;
    const audience = 'https://api.acme.example.test';

    beforeAll(async () => {
      idp = await startTestIssuer();
      await app.get(TenantAuthStore).set(acme.tenant.id, { jwks_url: idp.jwksUrl, issuer: idp.issuer, audience, user_claim: 'sub' });
    });
    afterAll(() => idp?.close());

    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

    it("accepts a token of the tenant's issuer: the caller is the end user its claim names", async () => {
      const token = await idp.sign({ sub: 'user-42', aud: audience });
      const created = await call('POST', '/v1/sessions', bearer(token), { title: 'from the browser' });
      expect(created.statusCode).toBe(201);
      const endUser = await prisma.user.findUniqueOrThrow({ where: { tenantId_externalId: { tenantId: acme.tenant.id, externalId: 'user-42' } } });
      const session = await prisma.session.findUniqueOrThrow({ where: { id: created.json<{ id: string }>().id } });
      expect(session).toMatchObject({ tenantId: acme.tenant.id, userId: endUser.id });

      // The same person through the service key sees it; another signed-in user does not.
      expect((await call('GET', `/v1/sessions/${session.id}`, as(service.authHeader, 'user-42'))).statusCode).toBe(200);
      const stranger = await idp.sign({ sub: 'user-43', aud: audience });
      expectApiError(await call('GET', `/v1/sessions/${session.id}`, bearer(stranger)), 404, 'session_not_found');
    });

    it('fetches the JWKS once and reuses it', async () => {
      const before = idp.fetches();
      for (let i = 0; i < 3; i += 1) {
        expect((await call('GET', '/v1/sessions', bearer(await idp.sign({ sub: `reuse-${i}`, aud: audience })))).statusCode).toBe(200);
      }
      expect(idp.fetches() - before).toBeLessThanOrEqual(1);
    });

    it('refuses a bad signature, a wrong audience and an expired token with 401 and a stable code', async () => {
      const badSignature = await idp.sign({ sub: 'user-42', aud: audience }, { key: 'foreign' });
      const wrongAudience = await idp.sign({ sub: 'user-42', aud: 'https://someone-else.example.test' });
      const expired = await idp.sign({ sub: 'user-42', aud: audience }, { expiresAt: Math.floor(Date.now() / 1000) - 3_600 });
      for (const [token, code] of [
        [badSignature, 'invalid_token'],
        [wrongAudience, 'token_audience_mismatch'],
        [expired, 'token_expired'],
      ]) {
        const res = await call('GET', '/v1/sessions', bearer(token));
        expectApiError(res, 401, code);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      }
    });

    it('refuses a token without the user claim, from an unknown issuer, or that is not a JWT', async () => {
      expectApiError(await call('GET', '/v1/sessions', bearer(await idp.sign({ aud: audience }))), 401, 'token_user_claim_missing');
      const unknownIssuer = await startTestIssuer();
      try {
        expectApiError(await call('GET', '/v1/sessions', bearer(await unknownIssuer.sign({ sub: 'x', aud: audience }))), 401, 'token_issuer_unknown');
      } finally {
        await unknownIssuer.close();
      }
      expectApiError(await call('GET', '/v1/sessions', bearer('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.')), 401, 'invalid_token');
    });

    it('refuses a suspended end user (by token or by key) and every end user of a suspended tenant, within 1 s', async () => {
      const token = await idp.sign({ sub: 'suspend-me', aud: audience });
      const neighbour = await idp.sign({ sub: 'stays', aud: audience });
      expect((await call('GET', '/v1/sessions', bearer(token))).statusCode).toBe(200);
      expect((await call('GET', '/v1/sessions', bearer(neighbour))).statusCode).toBe(200);
      const row = await prisma.user.findUniqueOrThrow({ where: { tenantId_externalId: { tenantId: acme.tenant.id, externalId: 'suspend-me' } } });
      const status = (headers: Record<string, string>) => async () => (await call('GET', '/v1/sessions', headers)).statusCode;

      await app.get(UserStore).setSuspended(acme.tenant.id, row.id, true);
      await waitFor(status(bearer(token)), { what: 'the suspended end user to be refused', until: (code) => code === 403, timeoutMs: 1_000 });
      expectApiError(await call('GET', '/v1/sessions', bearer(token)), 403, 'user_suspended');
      expectApiError(await call('GET', '/v1/sessions', as(service.authHeader, 'suspend-me')), 403, 'user_suspended');
      expect((await call('GET', '/v1/sessions', bearer(neighbour))).statusCode).toBe(200);

      await app.get(TenantStore).suspend(acme.tenant.id, 'admin');
      try {
        await waitFor(status(bearer(neighbour)), { what: 'the end users of a suspended tenant to be refused', until: (code) => code === 403, timeoutMs: 1_000 });
        expectApiError(await call('GET', '/v1/sessions', bearer(neighbour)), 403, 'tenant_suspended');
        expectApiError(await call('GET', '/v1/sessions', as(service.authHeader, 'stays')), 403, 'tenant_suspended');
      } finally {
        await app.get(TenantStore).resume(acme.tenant.id);
        await app.get(UserStore).setSuspended(acme.tenant.id, row.id, false);
      }
      await waitFor(status(bearer(token)), { what: 'the resumed end user to be admitted', until: (code) => code === 200, timeoutMs: 1_000 });
    });

    it('does not let a signed-in end user name another one', async () => {
      const token = await idp.sign({ sub: 'user-42', aud: audience });
      expectApiError(await call('GET', '/v1/sessions', { ...bearer(token), [END_USER_HEADER]: 'user-43' }), 403, 'end_user_not_allowed');
    });
  });
});
