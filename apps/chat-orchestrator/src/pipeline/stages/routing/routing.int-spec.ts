import { randomUUID } from 'node:crypto';
import { ConduitHeader, QueueName } from '@conduit/contracts';
import { metricsRegistry } from '@conduit/observability';
import { PolicyStore } from '@conduit/policies';
import { waitFor } from '@conduit/testing';
import { createOwner, removeOwners, TestOwner } from '../../../testing/fixtures';
import { internalChat } from '../../../testing/internal-chat';
import { OrchestratorTestApp, startOrchestratorTestApp } from '../../../testing/orchestrator-test-app';
import { reservations } from '../../../testing/reservation-fixtures';

const INTERNAL_TOKEN = `token-${randomUUID()}`;
/** The test app's routes: `default` → claude-sonnet-4-6 (Anthropic), `cheap` → gpt-4.1-mini (OpenAI). */
const LARGE_MODEL = 'claude-sonnet-4-6';
const SMALL_MODEL = 'gpt-4.1-mini';
const COMPLEXITY = { mode: 'complexity', tiers: { small: 'cheap', medium: 'default', large: 'default' } };
const HARD = 'Debug and refactor this function step by step:\n```ts\nfunction f(a) { return a.map((x) => x * 2); }\n```';

/** The routing stage against real Postgres, Redis and HTTP, with the mock upstream as the provider. */
describe('routing stage in the chat pipeline', () => {
  let t: OrchestratorTestApp;
  let policies: PolicyStore;
  const owners: TestOwner[] = [];

  beforeAll(async () => {
    t = await startOrchestratorTestApp({ INTERNAL_TOKEN }, {}, { http: true });
    policies = t.app.get(PolicyStore);
  });

  afterAll(async () => {
    await removeOwners(t.prisma, owners);
    await t.close();
  });

  beforeEach(() => t.mock.state.requests.clear());

  async function tenant(routing?: unknown): Promise<TestOwner> {
    const owner = await createOwner(t.prisma);
    owners.push(owner);
    if (routing !== undefined) await policies.put(owner.tenantId, { routing }, 'test');
    return owner;
  }

  /** Sends one chat; returns the upstream model that served it, the route header and the stored message metadata. */
  async function chat(owner: TestOwner, content: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    const response = await internalChat(t, INTERNAL_TOKEN, owner, { messages: [{ role: 'user', content }], ...extra }, { headers });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    const messageId = response.headers.get(ConduitHeader.MessageId) as string;
    const stored = await waitFor(() => t.prisma.message.findUnique({ where: { id: messageId } }), {
      what: 'the assistant message to be stored',
      until: (m) => m !== null,
    });
    const upstream = t.mock.state.requests.list().map((entry) => entry.model);
    return { messageId, upstream, header: response.headers.get(ConduitHeader.Route), metadata: stored?.metadata as Record<string, unknown> };
  }

  it('fixed (the default): the alias goes where it always went, nothing is recorded', async () => {
    const result = await chat(await tenant(), 'Hi!');
    expect(result.upstream).toEqual([LARGE_MODEL]);
    expect(result.header).toBeNull();
    expect(result.metadata).not.toHaveProperty('route');
  });

  it('complexity: a trivial request goes to the small tier, a hard one to the large; recorded in the header and message', async () => {
    const owner = await tenant(COMPLEXITY);
    const easy = await chat(owner, 'Hi, thanks!');
    expect(easy.upstream).toEqual([SMALL_MODEL]);
    expect(easy.header).toMatch(/^route=cheap; mode=complexity; tier=small; score=[\d.]+; reason=trivial$/);
    expect(easy.metadata).toMatchObject({ route: 'cheap', route_tier: 'small', route_mode: 'complexity', route_shadow: false, route_reason: 'trivial' });
    const usage = await waitFor(() => t.producer.queue(QueueName.Usage).getJob(`usage-${easy.messageId}`), {
      what: 'the usage event',
      until: (job) => job !== undefined,
    });
    expect(usage?.data).toMatchObject({ model: SMALL_MODEL, route: easy.header });

    t.mock.state.requests.clear();
    const hard = await chat(owner, HARD);
    expect(hard.upstream).toEqual([LARGE_MODEL]);
    expect(hard.metadata).toMatchObject({ route: 'default', route_tier: 'large' });
  });

  const shadowCount = async () =>
    (await metricsRegistry.getSingleMetric('conduit_routing_decisions_total')?.get())?.values.find(
      (v) => v.labels['outcome'] === 'shadow' && v.labels['tier'] === 'small',
    )?.value ?? 0;

  it('shadow: the request goes where fixed would send it; only the record says what routing would have chosen', async () => {
    const before = await shadowCount();
    const result = await chat(await tenant({ ...COMPLEXITY, shadow: true }), 'Hi, thanks!');
    expect(result.upstream).toEqual([LARGE_MODEL]);
    expect(result.header).toContain('route=default');
    expect(result.header).toContain('shadow=cheap');
    expect(result.metadata).toMatchObject({ route: 'default', route_chosen: 'cheap', route_shadow: true, route_tier: 'small' });
    expect(await shadowCount()).toBe(before + 1);
  });

  it('a named model is never rerouted', async () => {
    const result = await chat(await tenant(COMPLEXITY), 'Hi, thanks!', { model: LARGE_MODEL });
    expect(result.upstream).toEqual([LARGE_MODEL]);
    expect(result.metadata).toMatchObject({ route: LARGE_MODEL, route_chosen: LARGE_MODEL, route_reason: 'named_model' });
  });

  it('rules: the first matching rule wins, on request metadata; a per-alias section overrides the tenant-wide one', async () => {
    const owner = await tenant({
      mode: 'rules',
      rules: [
        { name: 'support', when: { metadata: { app: 'support' } }, route: 'cheap' },
        { name: 'everything', route: 'default' },
      ],
      aliases: { cheap: { mode: 'rules', rules: [{ name: 'upgrade', route: 'default' }] } },
    });
    const support = await chat(owner, HARD, { conduit: { metadata: { app: 'support' } } });
    expect(support.upstream).toEqual([SMALL_MODEL]);
    expect(support.metadata).toMatchObject({ route_reason: 'rule:support' });

    t.mock.state.requests.clear();
    const cheapAlias = await chat(owner, 'Hi', { model: 'cheap' });
    expect(cheapAlias.upstream).toEqual([LARGE_MODEL]);
    expect(cheapAlias.metadata).toMatchObject({ route_reason: 'rule:upgrade' });
  });

  it("rules on the user's tier use the tier the gateway sends (x-conduit-user-tier)", async () => {
    const owner = await tenant({ mode: 'rules', rules: [{ name: 'free-users', when: { user_tiers: ['free'] }, route: 'cheap' }] });
    const free = await chat(owner, HARD, {}, { [ConduitHeader.UserTier]: 'free' });
    expect(free.upstream).toEqual([SMALL_MODEL]);
    expect(free.metadata).toMatchObject({ route: 'cheap', route_reason: 'rule:free-users' });
    t.mock.state.requests.clear();
    const pro = await chat(owner, HARD, {}, { [ConduitHeader.UserTier]: 'pro' });
    expect(pro.upstream).toEqual([LARGE_MODEL]);
    expect(pro.metadata).toMatchObject({ route: 'default', route_reason: 'no_match' });
  });

  it("under a budget reservation (made at the requested alias's price) a dearer route is not taken; a cheaper one is", async () => {
    const budget = reservations(t);
    const owner = await tenant({
      mode: 'rules',
      rules: [{ name: 'up', when: { metadata: { up: 'yes' } }, route: 'default' }, { name: 'down', route: 'cheap' }],
      aliases: {},
    });
    const held = async () => ({ [ConduitHeader.ReservationId]: await budget.hold(owner) });
    const up = await chat(owner, 'Hi', { model: 'cheap', conduit: { metadata: { up: 'yes' } } }, await held());
    expect(up.upstream).toEqual([SMALL_MODEL]);
    expect(up.metadata).toMatchObject({ route: 'cheap', route_chosen: 'default', route_reason: 'rule:up;above_reservation:default' });

    t.mock.state.requests.clear();
    const down = await chat(owner, 'Hi', {}, await held());
    expect(down.upstream).toEqual([SMALL_MODEL]);
    expect(down.metadata).toMatchObject({ route: 'cheap', route_reason: 'rule:down' });

    // Without a reservation (nothing was held at the alias's price) the rule applies as written.
    t.mock.state.requests.clear();
    const free = await chat(owner, 'Hi', { model: 'cheap', conduit: { metadata: { up: 'yes' } } });
    expect(free.upstream).toEqual([LARGE_MODEL]);
  });

  it('a rule naming a route that does not exist keeps the requested alias and says so', async () => {
    const result = await chat(await tenant({ mode: 'rules', rules: [{ name: 'typo', route: 'nope' }] }), 'Hi');
    expect(result.upstream).toEqual([LARGE_MODEL]);
    expect(result.metadata).toMatchObject({ route: 'default', route_reason: 'rule:typo;unknown_route:nope' });
  });
});
