import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { ConduitHeader, QueueName, UsageEvent, uuidFromName } from '@conduit/contracts';
import { PolicyStore } from '@conduit/policies';
import { ResponseCacheStore, SemanticCacheStore } from '@conduit/response-cache';
import { createColleague, waitFor } from '@conduit/testing';
import { createOwner, removeOwners, TestOwner } from '../../../testing/fixtures';
import { OrchestratorTestApp, startOrchestratorTestApp } from '../../../testing/orchestrator-test-app';

const INTERNAL_TOKEN = `token-${randomUUID()}`;
/** Lookup deadlines for a loaded test machine (the defaults, 50 and 250 ms, would turn slow reads into bypasses). */
const SLOW_MACHINE = { RESPONSE_CACHE_TIMEOUT_MS: '2000', RESPONSE_CACHE_SEMANTIC_TIMEOUT_MS: '5000' };
/** The test deployment embeds with the bag-of-words hashing embedder: forced, with a threshold it separates the cases below at. */
const SEMANTIC = { cache: { mode: 'semantic', semantic: { threshold: 0.9, allow_hashing_embedder: true } } };
const QUESTION = 'How do I reset my password?';
/** The same question in other words: one answer serves both (the exact key differs). */
const PARAPHRASE = 'How can I reset my password?';
/** Same words, another object: must never get the password answer. */
const HARD_NEGATIVE = 'How do I reset my router?';

/** A chat request to the orchestrator as the gateway sends it. */
function post(t: OrchestratorTestApp, owner: TestOwner, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${t.url}/internal/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [ConduitHeader.InternalToken]: INTERNAL_TOKEN, [ConduitHeader.TenantId]: owner.tenantId, [ConduitHeader.UserId]: owner.userId },
    body: JSON.stringify({ model: 'default', ...body }),
  });
}

/**
 * The semantic response cache in the chat pipeline, against real Redis, Postgres (pgvector) and
 * HTTP with the mock upstream as the provider, and the deployment's embedder (hashing-v2 here).
 */
describe('semantic response cache in the chat pipeline', () => {
  let t: OrchestratorTestApp;
  let policies: PolicyStore;
  let redis: Redis;
  let entries: ResponseCacheStore;
  let vectors: SemanticCacheStore;
  const owners: TestOwner[] = [];

  beforeAll(async () => {
    t = await startOrchestratorTestApp({ INTERNAL_TOKEN, ...SLOW_MACHINE }, {}, { http: true });
    policies = t.app.get(PolicyStore);
    redis = new Redis(t.config.redis.url);
    entries = new ResponseCacheStore(redis, t.queuePrefix);
    vectors = new SemanticCacheStore(t.prisma.pg);
  });

  afterAll(async () => {
    await removeOwners(t.prisma, owners);
    await redis.quit();
    await t.close();
  });

  beforeEach(() => {
    t.mock.state.faults.clear();
    t.mock.state.requests.clear();
  });

  async function tenant(document: unknown): Promise<TestOwner> {
    const owner = await createOwner(t.prisma);
    owners.push(owner);
    await policies.put(owner.tenantId, document, 'test');
    return owner;
  }

  const providerCalls = () => t.mock.state.requests.list().length;

  const chat = (owner: TestOwner, content: string, extra: Record<string, unknown> = {}) => post(t, owner, { messages: [{ role: 'user', content }], ...extra });

  async function outcome(owner: TestOwner, content: string, extra: Record<string, unknown> = {}): Promise<{ cache: string | null; content: string }> {
    const response = await chat(owner, content, extra);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { choices: { message: { content: string } }[] };
    return { cache: response.headers.get(ConduitHeader.Cache), content: body.choices[0]?.message.content ?? '' };
  }

  /** The `x-conduit-cache-key` of the last primed answer. */
  let primedKey: string | null = null;

  /** Asks, and waits until the answer and its vector are stored (both in the background). */
  async function prime(owner: TestOwner, content: string, extra: Record<string, unknown> = {}): Promise<string> {
    const before = await vectors.count(owner.tenantId);
    t.mock.state.faults.add({ match: {}, fault: { reply: `The answer to: ${content}` }, times: 1 });
    const response = await chat(owner, content, extra);
    primedKey = response.headers.get(ConduitHeader.CacheKey);
    const first = { cache: response.headers.get(ConduitHeader.Cache), content: ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content ?? '' };
    expect(first.cache).toBe('miss');
    await waitFor(() => vectors.count(owner.tenantId), { what: 'the vector to be stored', until: (n) => n > before });
    return first.content;
  }

  it('serves a paraphrase from the cache and never a hard negative (same words, another entity)', async () => {
    const owner = await tenant(SEMANTIC);
    const answer = await prime(owner, QUESTION);
    const hit = await chat(owner, PARAPHRASE);
    expect(hit.headers.get(ConduitHeader.Cache)).toBe('hit');
    // The key named is the served entry's (the question's), for a purge.
    expect(hit.headers.get(ConduitHeader.CacheKey)).toBe(primedKey);
    expect(((await hit.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe(answer);
    // The prompt's embedding is billed (feature embedding, one event per answer id).
    const messageId = hit.headers.get(ConduitHeader.MessageId) as string;
    const billed = await waitFor(
      async () => (await t.producer.queue(QueueName.Usage).getJobs(['waiting', 'delayed', 'active', 'completed'])).map((job) => job?.data as UsageEvent | undefined),
      { what: 'the embedding usage event of the lookup', until: (events) => events.some((e) => e?.event_id === uuidFromName(`embedding:cache:${messageId}:hashing-v2`)) },
    );
    expect(billed.find((e) => e?.event_id === uuidFromName(`embedding:cache:${messageId}:hashing-v2`))).toMatchObject({
      feature: 'embedding',
      provider: 'local',
      model: 'hashing-v2',
      tenant_id: owner.tenantId,
      user_id: owner.userId,
      output_tokens: 0,
    });
    expect(providerCalls()).toBe(1);
    const negative = await outcome(owner, HARD_NEGATIVE);
    expect(negative.cache).toBe('miss');
    expect(negative.content).not.toBe(answer);
    expect(providerCalls()).toBe(2);
  });

  it("never serves tenant A's entry to tenant B, exact or semantic, nor to another user of A when the scope is per user", async () => {
    const a = await tenant({ cache: { ...SEMANTIC.cache, scope: 'user' } });
    const b = await tenant(SEMANTIC);
    const answer = await prime(a, QUESTION);
    const colleague = await createColleague(t.prisma, a);
    // Their first request misses; after it they may hit their own entries, never A's answer.
    for (const other of [b, colleague]) {
      const first = await outcome(other, PARAPHRASE);
      expect(first.cache).toBe('miss');
      expect(first.content).not.toBe(answer);
      expect((await outcome(other, QUESTION)).content).not.toBe(answer);
    }
    expect(await outcome(a, PARAPHRASE)).toEqual({ cache: 'hit', content: answer });
  });

  it('matches only the prompt: another system prompt, response_format or temperature is a miss however close the question', async () => {
    const owner = await tenant(SEMANTIC);
    const body = (system: string, content: string, extra: Record<string, unknown> = {}) => ({
      messages: [{ role: 'system', content: system }, { role: 'user', content }],
      temperature: 0,
      ...extra,
    });
    t.mock.state.faults.add({ match: {}, fault: { reply: 'Paris.' }, times: 1 });
    await (await post(t, owner, body('Be brief.', QUESTION))).arrayBuffer();
    await waitFor(() => vectors.count(owner.tenantId), { what: 'the vector to be stored', until: (n) => n === 1 });
    for (const variant of [
      body('Be verbose.', PARAPHRASE),
      body('Be brief.', PARAPHRASE, { response_format: { type: 'json_object' } }),
      body('Be brief.', PARAPHRASE, { temperature: 1 }),
    ]) {
      const response = await post(t, owner, variant);
      expect(response.headers.get(ConduitHeader.Cache)).toBe('miss');
      await response.arrayBuffer();
    }
    const same = await post(t, owner, body('Be brief.', PARAPHRASE));
    expect(same.headers.get(ConduitHeader.Cache)).toBe('hit');
    expect(((await same.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe('Paris.');
  });

  it('stays exact-only with the hashing embedder unless the tenant forces it, and when the request asks for exact', async () => {
    const owner = await tenant({ cache: { mode: 'semantic', semantic: { threshold: 0.9 } } });
    await outcome(owner, QUESTION);
    await waitFor(() => entries.usage(owner.tenantId), { what: 'the answer to be stored', until: (u) => u.entries === 1 });
    expect((await outcome(owner, PARAPHRASE)).cache).toBe('miss');
    expect((await outcome(owner, QUESTION)).cache).toBe('hit');
    expect(await vectors.count(owner.tenantId)).toBe(0);

    const forced = await tenant(SEMANTIC);
    await prime(forced, QUESTION);
    expect((await outcome(forced, PARAPHRASE, { conduit: { cache: { mode: 'exact' } } })).cache).toBe('miss');
  });

  it('looks up a conversation longer than max_messages exactly only', async () => {
    const owner = await tenant(SEMANTIC);
    const send = (last: string) => post(t, owner, { messages: [{ role: 'user', content: 'Hello' }, { role: 'assistant', content: 'Hi!' }, { role: 'user', content: last }] });
    await (await send(QUESTION)).arrayBuffer();
    await waitFor(() => entries.usage(owner.tenantId), { what: 'the answer to be stored', until: (u) => u.entries === 1 });
    const paraphrase = await send(PARAPHRASE);
    expect(paraphrase.headers.get(ConduitHeader.Cache)).toBe('miss');
    await paraphrase.arrayBuffer();
    expect(await vectors.count(owner.tenantId)).toBe(0);
  });
});

describe('semantic response cache with its vector store down', () => {
  let t: OrchestratorTestApp;
  let owner: TestOwner;

  beforeAll(async () => {
    // Nothing listens on port 1: every vector search fails; entries (Redis) and the rest work.
    t = await startOrchestratorTestApp({ INTERNAL_TOKEN, ...SLOW_MACHINE, RESPONSE_CACHE_DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none' }, {}, { http: true });
    owner = await createOwner(t.prisma);
    await t.app.get(PolicyStore).put(owner.tenantId, SEMANTIC, 'test');
  });

  afterAll(async () => {
    await removeOwners(t.prisma, [owner]);
    await t.close();
  });

  it('answers every request (never a 5xx) and keeps the exact cache working', async () => {
    const redis = new Redis(t.config.redis.url);
    const entries = new ResponseCacheStore(redis, t.queuePrefix);
    try {
      const send = (content: string, stream = false) => post(t, owner, { stream, messages: [{ role: 'user', content }] });
      for (const stream of [false, true]) {
        const response = await send(QUESTION, stream);
        expect(response.status).toBe(200);
        expect(await response.text()).toContain('Mock');
      }
      await waitFor(() => entries.usage(owner.tenantId), { what: 'the answer to be stored', until: (u) => u.entries === 1 });
      const exact = await send(QUESTION);
      expect(exact.headers.get(ConduitHeader.Cache)).toBe('hit');
      await exact.arrayBuffer();
      const paraphrase = await send(PARAPHRASE);
      expect(paraphrase.status).toBe(200);
      expect(paraphrase.headers.get(ConduitHeader.Cache)).toBe('miss');
      await paraphrase.arrayBuffer();
    } finally {
      await redis.quit();
    }
  });
});
