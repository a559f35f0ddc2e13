import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { PrismaService } from '@conduit/db';
import { PolicyStore } from '@conduit/policies';
import { createTenantWithUser, removeTenants, TenantWithUser } from '@conduit/testing';
import { SessionsModule } from '../sessions/sessions.module';
import { createGatewayTestApp } from '../testing/gateway-test-app';
import { installBrowserEdge } from './browser-edge';

const APP = 'https://app.example.test';
const EVIL = 'https://evil.example.test';

describe('browser clients: CORS and security headers (in-process gateway)', () => {
  let app: NestFastifyApplication;
  let prisma: PrismaService;
  let owner: TenantWithUser;

  const preflight = (origin: string, url = '/v1/sessions') =>
    app.inject({ method: 'OPTIONS', url, headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });

  beforeAll(async () => {
    app = await createGatewayTestApp([SessionsModule], {
      configureFastify: (fastify) => installBrowserEdge(fastify, { allowedOrigins: [APP, 'http://localhost:3000'], maxAgeSeconds: 600, hstsMaxAgeSeconds: 31_536_000 }),
    });
    prisma = app.get(PrismaService);
    owner = await createTenantWithUser(prisma);
  }, 30_000);

  afterAll(async () => {
    if (prisma && owner) await removeTenants(prisma, [owner.tenant]);
    await app?.close();
  });

  it('answers the preflight of an allowed origin without authentication, for routes that exist only as POST', async () => {
    for (const url of ['/v1/sessions', '/v1/chat/completions', '/v1/nowhere']) {
      const res = await preflight(APP, url);
      expect(res.statusCode).toBe(204);
      expect(res.headers).toMatchObject({
        'access-control-allow-origin': APP,
        'access-control-allow-methods': expect.stringContaining('POST'),
        'access-control-allow-headers': expect.stringContaining('authorization'),
        'access-control-max-age': '600',
        vary: expect.stringContaining('Origin'),
      });
      expect(res.headers['access-control-allow-headers']).toContain('x-conduit-end-user');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      expect(res.body).toBe('');
    }
  });

  it('gives any other origin no CORS headers, on the preflight and on the request', async () => {
    const pre = await preflight(EVIL);
    expect(pre.statusCode).toBe(204);
    expect(Object.keys(pre.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
    // An origin is matched exactly: not a prefix, not another scheme or port.
    for (const origin of [EVIL, `${APP}.evil.test`, 'http://app.example.test', 'http://localhost:3001', 'null']) {
      const res = await app.inject({ method: 'GET', url: '/v1/sessions', headers: { origin, authorization: owner.authHeader } });
      expect(res.statusCode).toBe(200);
      expect(Object.keys(res.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
    }
  });

  it('gives the answers to an allowed origin the CORS headers, errors included', async () => {
    const ok = await app.inject({ method: 'GET', url: '/v1/sessions', headers: { origin: APP, authorization: owner.authHeader } });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe(APP);
    expect(ok.headers['access-control-expose-headers']).toContain('x-request-id');
    const refused = await app.inject({ method: 'GET', url: '/v1/sessions', headers: { origin: 'http://localhost:3000' } });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['access-control-allow-origin']).toBe('http://localhost:3000');
  });

  it('puts the security headers on every response: success, refusal, unknown route, preflight', async () => {
    const responses = await Promise.all([
      app.inject({ method: 'GET', url: '/v1/sessions', headers: { authorization: owner.authHeader } }),
      app.inject({ method: 'GET', url: '/v1/sessions' }),
      app.inject({ method: 'GET', url: '/v1/nowhere' }),
      preflight(APP),
    ]);
    expect(responses.map((r) => r.statusCode)).toEqual([200, 401, 404, 204]);
    for (const res of responses) {
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'content-security-policy': "frame-ancestors 'none'",
        'referrer-policy': 'no-referrer',
        'strict-transport-security': 'max-age=31536000; includeSubDomains',
      });
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it("narrows CORS to a tenant's own origins: allowed on its answers, not on another tenant's", async () => {
    const LOCAL = 'http://localhost:3000';
    const [a, b] = [await createTenantWithUser(prisma), await createTenantWithUser(prisma)];
    try {
      const policies = app.get(PolicyStore, { strict: false });
      await policies.put(a.tenant.id, { cors: { allowed_origins: [APP] } }, 'test');
      await policies.put(b.tenant.id, { cors: { allowed_origins: [LOCAL, EVIL] } }, 'test');
      const get = (origin: string, who: TenantWithUser) => app.inject({ method: 'GET', url: '/v1/sessions', headers: { origin, authorization: who.authHeader } });
      const cors = (res: { headers: Record<string, unknown> }) => Object.keys(res.headers).filter((name) => name.startsWith('access-control-'));

      const aFromApp = await get(APP, a);
      expect(aFromApp.statusCode).toBe(200);
      expect(aFromApp.headers['access-control-allow-origin']).toBe(APP);
      expect(aFromApp.headers['access-control-expose-headers']).toContain('x-request-id');
      expect(aFromApp.headers.vary).toContain('Origin');
      // B's answers are not for APP's scripts, though the deployment allows APP…
      const bFromApp = await get(APP, b);
      expect(bFromApp.statusCode).toBe(200);
      expect(cors(bFromApp)).toEqual([]);
      // …but are for B's own origin; and A's are not for B's.
      expect((await get(LOCAL, b)).headers['access-control-allow-origin']).toBe(LOCAL);
      expect(cors(await get(LOCAL, a))).toEqual([]);
      // A tenant list never widens the deployment's: EVIL stays refused, even for B.
      expect(cors(await get(EVIL, b))).toEqual([]);
      // A tenant without a list keeps the deployment's.
      expect((await get(LOCAL, owner)).headers['access-control-allow-origin']).toBe(LOCAL);
    } finally {
      await removeTenants(prisma, [a.tenant, b.tenant]);
    }
  });

  it('does not treat a plain OPTIONS request (no preflight headers) as a preflight', async () => {
    const res = await app.inject({ method: 'OPTIONS', url: '/v1/sessions', headers: { origin: APP } });
    expect(res.statusCode).not.toBe(204);
  });
});
