import { randomUUID } from 'node:crypto';
import { ConduitHeader } from '@conduit/contracts';
import { waitFor } from '@conduit/testing';
import { createOwner, removeOwners, TestOwner } from '../testing/fixtures';
import { OrchestratorTestApp, startOrchestratorTestApp } from '../testing/orchestrator-test-app';

interface ErrorBody {
  error: { code: string; message: string };
}

/**
 * The internal hop is authenticated (issue 13, deliver 2): every `/internal/*` route answers 401
 * to a caller without the internal token — forged tenant, user and session headers included — and
 * such a call reads, calls and writes nothing. Real HTTP on loopback, Postgres, Redis.
 */
describe('internal routes require the internal credential', () => {
  let t: OrchestratorTestApp;
  let victim: TestOwner;
  let sessionId: string;

  /** Headers a forger copies from a victim: tenant, user, API key, session and a reservation. */
  const forged = () => ({
    [ConduitHeader.TenantId]: victim.tenantId,
    [ConduitHeader.UserId]: victim.userId,
    [ConduitHeader.ApiKeyId]: randomUUID(),
    [ConduitHeader.SessionId]: sessionId,
    [ConduitHeader.ReservationId]: randomUUID(),
  });
  const routes = [
    { name: 'POST /internal/chat/completions', method: 'POST', path: '/internal/chat/completions' },
    { name: 'GET /internal/models', method: 'GET', path: '/internal/models' },
    { name: 'GET /internal/pricing/quote', method: 'GET', path: '/internal/pricing/quote?model=default' },
  ] as const;
  const call = (route: (typeof routes)[number], headers: Record<string, string>) =>
    fetch(`${t.url}${route.path}`, {
      method: route.method,
      headers: { ...headers, ...(route.method === 'POST' ? { 'content-type': 'application/json' } : {}) },
      ...(route.method === 'POST' ? { body: JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'Append me to their session' }] }) } : {}),
    });

  beforeAll(async () => {
    t = await startOrchestratorTestApp({}, {}, { http: true });
    victim = await createOwner(t.prisma);
    sessionId = (await t.prisma.session.create({ data: { tenantId: victim.tenantId, userId: victim.userId, title: 'Private' } })).id;
  });

  afterAll(async () => {
    if (!t) return;
    await removeOwners(t.prisma, [victim]);
    await t.close();
  });

  describe.each(routes)('$name', (route) => {
    it.each([
      ['no credential', {}],
      ['a wrong credential', { [ConduitHeader.InternalToken]: 'not-the-internal-token' }],
      ['an empty credential', { [ConduitHeader.InternalToken]: '' }],
    ])('answers 401 to a call with %s and forged tenant headers, and does nothing', async (_case, credential) => {
      t.mock.state.requests.clear();
      const response = await call(route, { ...forged(), ...credential });
      expect(response.status).toBe(401);
      expect(((await response.json()) as ErrorBody).error).toMatchObject({ code: 'unauthorized' });
      expect(t.mock.state.requests.list()).toEqual([]);
      expect(await t.prisma.message.count({ where: { sessionId } })).toBe(0);
    });
  });

  it('serves the gateway, which presents the credential', async () => {
    const headers = { [ConduitHeader.InternalToken]: t.internalToken };
    expect((await call(routes[1], headers)).status).toBe(200);
    expect((await call(routes[2], headers)).status).toBe(200);
    const chat = await call(routes[0], { ...headers, [ConduitHeader.TenantId]: victim.tenantId, [ConduitHeader.UserId]: victim.userId, [ConduitHeader.SessionId]: sessionId });
    expect(chat.status).toBe(200);
    // The turn is stored off the response path.
    await waitFor(() => t.prisma.message.count({ where: { sessionId } }), { what: 'the turn to be stored', until: (count) => count > 0 });
  });

  it('keeps health and metrics open (probes and scrapes carry no credential)', async () => {
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
    expect((await fetch(`${t.url}/metrics`)).status).toBe(200);
  });
});
