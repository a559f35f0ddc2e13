import { randomUUID } from 'node:crypto';
import { ConduitHeader } from '@conduit/contracts';
import { waitFor } from '@conduit/testing';
import { createOwner, removeOwners, TestOwner } from '../testing/fixtures';
import { OrchestratorTestApp, startOrchestratorTestApp } from '../testing/orchestrator-test-app';
import { reservations } from '../testing/reservation-fixtures';

const INTERNAL_TOKEN = `token-${randomUUID()}`;
const ESTIMATE_NANO = 5_000_000;

/**
 * The orchestrator owns the budget reservation of every call the gateway sends it: whatever the
 * outcome, it ends it — settled with the actual cost when something was produced, released when
 * nothing was. Real HTTP, Redis, Postgres; the mock upstream is the only stand-in.
 */
describe('budget reservations the orchestrator receives', () => {
  let t: OrchestratorTestApp;
  let owner: TestOwner;
  let budget: ReturnType<typeof reservations>;

  beforeAll(async () => {
    t = await startOrchestratorTestApp({ INTERNAL_TOKEN }, {}, { http: true });
    owner = await createOwner(t.prisma);
    budget = reservations(t, ESTIMATE_NANO);
  });

  afterAll(async () => {
    await removeOwners(t.prisma, [owner]);
    await t.close();
  });

  beforeEach(() => {
    t.mock.state.faults.clear();
    t.mock.state.requests.clear();
  });

  const reserve = () => budget.hold(owner);
  const record = (reservationId: string) => budget.record(owner, reservationId);
  const ended = (reservationId: string) => budget.ended(owner, reservationId);

  function chat(reservationId: string, body: Record<string, unknown>, options: { headers?: Record<string, string>; signal?: AbortSignal } = {}) {
    return fetch(`${t.url}/internal/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [ConduitHeader.InternalToken]: INTERNAL_TOKEN,
        [ConduitHeader.TenantId]: owner.tenantId,
        [ConduitHeader.UserId]: owner.userId,
        [ConduitHeader.ReservationId]: reservationId,
        ...options.headers,
      },
      body: JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'Tell me about reservations' }], ...body }),
      signal: options.signal,
    });
  }

  /** Waits until the mock upstream has seen the call (so an abort lands mid-call). */
  const upstreamStarted = () => waitFor(() => t.mock.state.requests.list().length > 0, { what: 'the upstream call to start' });

  describe('settles with the actual cost once something was produced', () => {
    it('a complete answer', async () => {
      const id = await reserve();
      const response = await chat(id, {});
      expect(response.status).toBe(200);
      await response.json();
      const settled = await ended(id);
      expect(settled.state).toBe('settled');
      expect(settled.amount).toBeGreaterThan(0);
      expect(settled.amount).not.toBe(ESTIMATE_NANO);
    });

    it('a complete stream', async () => {
      const id = await reserve();
      const response = await chat(id, { stream: true });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('data: [DONE]');
      expect(await ended(id)).toMatchObject({ state: 'settled', amount: expect.any(Number) });
      expect((await record(id)).amount).toBeGreaterThan(0);
    });

    it('a stream the upstream cut after its first tokens', async () => {
      t.mock.state.faults.add({ match: { stream: true }, fault: { type: 'cut', after: 3 } });
      const id = await reserve();
      const response = await chat(id, { stream: true });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('"code":"upstream_error"');
      const settled = await ended(id);
      expect(settled.state).toBe('settled');
      expect(settled.amount).toBeGreaterThan(0);
    });

    it('a stream the client left after its first tokens', async () => {
      t.mock.state.faults.add({ match: { stream: true }, fault: { token_delay_ms: 200 } });
      const id = await reserve();
      const abort = new AbortController();
      const response = await chat(id, { stream: true }, { signal: abort.signal });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      await reader.read();
      abort.abort();
      await reader.read().catch(() => undefined);
      const settled = await ended(id);
      expect(settled.state).toBe('settled');
      expect(settled.amount).toBeGreaterThan(0);
    });
  });

  describe('releases when nothing was produced', () => {
    it('every provider failed', async () => {
      t.mock.state.faults.add({ fault: { status: 503 } });
      const id = await reserve();
      expect((await chat(id, {})).status).toBe(502);
      expect(await ended(id)).toEqual({ state: 'released', amount: 0 });
    });

    it('a stream failed before its first token', async () => {
      t.mock.state.faults.add({ match: { stream: true }, fault: { status: 500 } });
      const id = await reserve();
      expect((await chat(id, { stream: true })).status).toBe(502);
      expect(await ended(id)).toEqual({ state: 'released', amount: 0 });
    });

    it('the client left before the answer', async () => {
      t.mock.state.faults.add({ fault: { latency_ms: 30_000 } });
      const id = await reserve();
      const abort = new AbortController();
      const pending = chat(id, {}, { signal: abort.signal }).catch((error: unknown) => error);
      await upstreamStarted();
      abort.abort();
      await pending;
      expect(await ended(id)).toEqual({ state: 'released', amount: 0 });
    });

    it('the body failed validation after it arrived', async () => {
      const id = await reserve();
      const response = await chat(id, { messages: [] });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
      expect(await ended(id)).toEqual({ state: 'released', amount: 0 });
    });

    it('the model has no price (refused before any provider call)', async () => {
      const id = await reserve();
      const response = await chat(id, { model: 'gpt-5' });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('model_not_priced');
      expect(await ended(id)).toEqual({ state: 'released', amount: 0 });
      expect(t.mock.state.requests.list()).toEqual([]);
    });

    it('the session is not the caller’s', async () => {
      const id = await reserve();
      const response = await chat(id, {}, { headers: { [ConduitHeader.SessionId]: randomUUID() } });
      expect(response.status).toBe(404);
      expect(await ended(id)).toEqual({ state: 'released', amount: 0 });
    });
  });

  it('leaves the reservation alone for a caller without the internal token', async () => {
    const id = await reserve();
    const response = await chat(id, {}, { headers: { [ConduitHeader.InternalToken]: 'not-the-token-at-all' } });
    expect(response.status).toBe(401);
    // Nothing ends it: a later read still finds it held, and the real caller can still settle it.
    expect(await record(id)).toEqual({ state: 'held', amount: ESTIMATE_NANO });
    expect((await chat(id, {})).status).toBe(200);
    expect((await ended(id)).state).toBe('settled');
  });
});
