import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { Queue } from 'bullmq';
import { ConduitHeader, JobName, QueueName, UsageBatch, UsageEvent } from '@conduit/contracts';
import { PolicyStore } from '@conduit/policies';
import { CacheEntry, ResponseCacheStore } from '@conduit/response-cache';
import { createColleague, waitFor } from '@conduit/testing';
import { createOwner, removeOwners, TestOwner } from '../../../testing/fixtures';
import { OrchestratorTestApp, startOrchestratorTestApp } from '../../../testing/orchestrator-test-app';

const INTERNAL_TOKEN = `token-${randomUUID()}`;
/** Lookup deadlines for a loaded test machine (the defaults, 50 and 250 ms, would turn slow reads into bypasses). */
const SLOW_MACHINE = { RESPONSE_CACHE_TIMEOUT_MS: '2000', RESPONSE_CACHE_SEMANTIC_TIMEOUT_MS: '5000' };
const ON = { cache: { mode: 'exact' } };

interface Completion {
  choices: { message: { content: string | null }; finish_reason: string }[];
  usage: { prompt_tokens: number; completion_tokens: number };
}

/**
 * The exact response cache in the chat pipeline, against real Redis, Postgres and HTTP with the
 * mock upstream as the provider: whether the provider is called (its request log), what the
 * client gets (body, `x-conduit-cache`), what is stored (Redis) and recorded (messages).
 */
describe('exact response cache in the chat pipeline', () => {
  let t: OrchestratorTestApp;
  let policies: PolicyStore;
  let redis: Redis;
  let entries: ResponseCacheStore;
  const owners: TestOwner[] = [];

  beforeAll(async () => {
    t = await startOrchestratorTestApp({ INTERNAL_TOKEN, ...SLOW_MACHINE }, {}, { http: true });
    policies = t.app.get(PolicyStore);
    redis = new Redis(t.config.redis.url);
    entries = new ResponseCacheStore(redis, t.queuePrefix);
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

  async function tenant(document?: unknown): Promise<TestOwner> {
    const owner = await createOwner(t.prisma);
    owners.push(owner);
    if (document !== undefined) await policies.put(owner.tenantId, document, 'test');
    return owner;
  }

  const providerCalls = () => t.mock.state.requests.list().length;

  function chat(owner: TestOwner, body: Record<string, unknown>, headers: Record<string, string> = {}) {
    return fetch(`${t.url}/internal/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [ConduitHeader.InternalToken]: INTERNAL_TOKEN,
        [ConduitHeader.TenantId]: owner.tenantId,
        [ConduitHeader.UserId]: owner.userId,
        ...headers,
      },
      body: JSON.stringify({ model: 'default', ...body }),
    });
  }

  const ask = (content: string, extra: Record<string, unknown> = {}) => ({ messages: [{ role: 'user', content }], ...extra });

  /** Sends the request and waits until its answer is in the cache (stores are in the background). */
  async function prime(owner: TestOwner, body: Record<string, unknown>, count = 1): Promise<Response> {
    const response = await chat(owner, body);
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    await waitFor(() => entries.usage(owner.tenantId), { what: 'the answer to be stored', until: (u) => u.entries >= count });
    return response;
  }

  it('serves a repeated request from the cache: one provider call, the same answer and usage, x-conduit-cache hit', async () => {
    const owner = await tenant(ON);
    t.mock.state.faults.add({ match: {}, fault: { reply: 'Paris is the capital.' }, times: 1 });
    const first = await chat(owner, ask('Capital of France?'));
    expect(first.headers.get(ConduitHeader.Cache)).toBe('miss');
    const firstBody = (await first.json()) as Completion;
    await waitFor(() => entries.usage(owner.tenantId), { what: 'the answer to be stored', until: (u) => u.entries === 1 });

    const second = await chat(owner, ask('Capital of France?'));
    expect(second.headers.get(ConduitHeader.Cache)).toBe('hit');
    const secondBody = (await second.json()) as Completion;
    expect(secondBody.choices[0]?.message.content).toBe('Paris is the capital.');
    expect(secondBody.usage).toEqual(firstBody.usage);
    expect(providerCalls()).toBe(1);
  });

  it('records a hit at zero provider tokens and cost, with the saving in the message metadata', async () => {
    const owner = await tenant(ON);
    await prime(owner, ask('What is two plus two?'));
    const hit = await chat(owner, ask('What is two plus two?'));
    expect(hit.headers.get(ConduitHeader.Cache)).toBe('hit');
    const messageId = hit.headers.get(ConduitHeader.MessageId) as string;
    await hit.arrayBuffer();
    const message = await waitFor(() => t.prisma.message.findUnique({ where: { id: messageId } }), { what: 'the hit to be recorded', until: (m) => m !== null });
    expect(message?.tokensIn).toBe(0);
    expect(message?.tokensOut).toBe(0);
    expect(message?.costUsd.toNumber()).toBe(0);
    expect(message?.metadata).toMatchObject({ cache: 'hit' });
    const saved = (message?.metadata as { cost_saved_usd: number }).cost_saved_usd;
    expect(saved).toBeGreaterThan(0);

    // The usage event says so: no tokens, a cache hit, and what it saved.
    const usage = new Queue(QueueName.Usage, { connection: { url: t.config.redis.url }, prefix: t.queuePrefix });
    try {
      // Sent alone (`usage.record`) or with the other turns of its write-behind batch (`usage.record.batch`).
      const eventOfHit = async () =>
        (await usage.getJobs(['waiting', 'delayed', 'active', 'completed']))
          .flatMap((j) => (j?.name === JobName.UsageRecordBatch ? (j.data as UsageBatch).events : j?.name === JobName.UsageRecord ? [j.data as UsageEvent] : []))
          .find((event) => event.event_id === messageId);
      const event = await waitFor(eventOfHit, { what: 'the usage event of the hit', until: (e) => e !== undefined });
      expect(event).toMatchObject({ input_tokens: 0, output_tokens: 0, cache_hit: true, cost_saved_usd: saved });
    } finally {
      await usage.close();
    }
  });

  it('never serves tenant A an entry to tenant B, nor to another user of A when the scope is per user', async () => {
    const a = await tenant({ cache: { mode: 'exact', scope: 'user' } });
    const b = await tenant(ON);
    await prime(a, ask('Same question for everyone'));
    const other = await chat(b, ask('Same question for everyone'));
    expect(other.headers.get(ConduitHeader.Cache)).toBe('miss');
    await other.arrayBuffer();
    const colleague = await createColleague(t.prisma, a);
    const sameTenant = await chat(colleague, ask('Same question for everyone'));
    expect(sameTenant.headers.get(ConduitHeader.Cache)).toBe('miss');
    await sameTenant.arrayBuffer();
    const same = await chat(a, ask('Same question for everyone'));
    expect(same.headers.get(ConduitHeader.Cache)).toBe('hit');
    await same.arrayBuffer();
    expect(providerCalls()).toBe(3);
  });

  it('misses on a different system prompt, tools list, response_format or temperature', async () => {
    const owner = await tenant(ON);
    const base = { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Name a colour' }], temperature: 0 };
    await prime(owner, base);
    const schema = { type: 'json_schema', json_schema: { name: 'colour', schema: { type: 'object', properties: { colour: { type: 'string' } } } } };
    const variants = [
      { ...base, messages: [{ role: 'system', content: 'Be verbose.' }, base.messages[1]] },
      { ...base, tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }] },
      { ...base, response_format: { type: 'json_object' } },
      { ...base, response_format: schema },
      { ...base, temperature: 0.9 },
    ];
    for (const variant of variants) {
      const response = await chat(owner, variant);
      expect(response.status).toBe(200);
      expect(response.headers.get(ConduitHeader.Cache)).toBe('miss');
      await response.arrayBuffer();
    }
    // response_format reached the provider (the chat schema used to drop it): the default route is
    // Anthropic, where both JSON formats are a forced answer tool.
    const answerTool = 'tool:conduit_structured_output';
    expect(t.mock.state.requests.list().map((r) => r.output_format)).toEqual([null, null, null, answerTool, answerTool, null]);
    const openai = await chat(owner, { ...base, model: 'cheap', response_format: { type: 'json_object' } });
    expect(openai.status).toBe(200);
    await openai.arrayBuffer();
    expect(t.mock.state.requests.list().at(-1)?.output_format).toBe('json_object');
    const again = await chat(owner, base);
    expect(again.headers.get(ConduitHeader.Cache)).toBe('hit');
    await again.arrayBuffer();
    // The same response_format again is a hit too.
    await waitFor(() => entries.usage(owner.tenantId), { what: 'the variants to be stored', until: (u) => u.entries === 7 });
    const sameFormat = await chat(owner, { ...base, response_format: { type: 'json_object' } });
    expect(sameFormat.headers.get(ConduitHeader.Cache)).toBe('hit');
    await sameFormat.arrayBuffer();
  });

  it('never stores errors, broken or cancelled streams, or tool-call answers', async () => {
    const owner = await tenant(ON);
    t.mock.state.faults.add({ match: {}, fault: { status: 400 }, times: 1 });
    expect((await chat(owner, ask('An error'))).status).toBeGreaterThanOrEqual(400);

    t.mock.state.faults.add({ match: {}, fault: { type: 'cut', after: 2 }, times: 1 });
    const cut = await chat(owner, ask('A stream that breaks and goes on for several words', { stream: true }));
    await cut.text();

    const tool = await chat(owner, ask('call tool please', { tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }] }));
    const toolBody = (await tool.json()) as Completion;
    expect(toolBody.choices[0]?.finish_reason).toBe('tool_calls');

    // A stream the client cancels after its first content: recorded as partial, never stored.
    t.mock.state.faults.add({ match: {}, fault: { token_delay_ms: 100 }, times: 1 });
    const abort = new AbortController();
    const cancelled = await fetch(`${t.url}/internal/chat/completions`, {
      method: 'POST',
      signal: abort.signal,
      headers: { 'content-type': 'application/json', [ConduitHeader.InternalToken]: INTERNAL_TOKEN, [ConduitHeader.TenantId]: owner.tenantId, [ConduitHeader.UserId]: owner.userId },
      body: JSON.stringify({ model: 'default', stream: true, messages: [{ role: 'user', content: 'A stream the client cancels long before the end of its answer' }] }),
    });
    const cancelledId = cancelled.headers.get(ConduitHeader.MessageId) as string;
    const reader = (cancelled.body as ReadableStream<Uint8Array>).getReader();
    let received = '';
    while (!received.includes('"content":"')) received += new TextDecoder().decode((await reader.read()).value);
    abort.abort();
    const partial = await waitFor(() => t.prisma.message.findUnique({ where: { id: cancelledId } }), { what: 'the cancelled stream to be recorded', until: (m) => m !== null });
    expect(partial?.status).toBe('partial');

    // A stored answer after them shows the store ran; only that one is there.
    await prime(owner, ask('A plain answer'));
    expect((await entries.usage(owner.tenantId)).entries).toBe(1);
  });

  it('replays a streamed hit that the openai client reads with content and usage intact', async () => {
    const owner = await tenant(ON);
    const reply = `A long answer ${'with many words '.repeat(12)}and an emoji 😀 at the end.`;
    t.mock.state.faults.add({ match: {}, fault: { reply }, times: 1 });
    const client = new OpenAI({
      apiKey: 'unused',
      baseURL: `${t.url}/internal`,
      defaultHeaders: { [ConduitHeader.InternalToken]: INTERNAL_TOKEN, [ConduitHeader.TenantId]: owner.tenantId, [ConduitHeader.UserId]: owner.userId },
    });
    const read = async () => {
      const stream = await client.chat.completions.create({ model: 'default', messages: [{ role: 'user', content: 'Tell me more' }], stream: true, stream_options: { include_usage: true } });
      let content = '';
      let usage: unknown;
      for await (const chunk of stream) {
        content += chunk.choices[0]?.delta.content ?? '';
        if (chunk.usage) usage = chunk.usage;
      }
      return { content, usage };
    };
    const first = await read();
    await waitFor(() => entries.usage(owner.tenantId), { what: 'the streamed answer to be stored', until: (u) => u.entries === 1 });
    const hit = await read();
    expect(hit.content).toBe(reply);
    expect(hit.content).toBe(first.content);
    expect(hit.usage).toEqual(first.usage);
    expect(providerCalls()).toBe(1);
  });

  it('honours cache-control no-cache (fresh answer, stored), no-store and conduit.cache.mode off (bypass)', async () => {
    const owner = await tenant(ON);
    await prime(owner, ask('Directive question'));
    const noCache = await chat(owner, ask('Directive question'), { 'cache-control': 'no-cache' });
    expect(noCache.headers.get(ConduitHeader.Cache)).toBe('bypass');
    await noCache.arrayBuffer();
    const noStore = await chat(owner, ask('Another question'), { 'cache-control': 'no-store' });
    expect(noStore.headers.get(ConduitHeader.Cache)).toBe('bypass');
    await noStore.arrayBuffer();
    const off = await chat(owner, ask('Directive question', { conduit: { cache: { mode: 'off' } } }));
    expect(off.headers.get(ConduitHeader.Cache)).toBe('bypass');
    await off.arrayBuffer();
    expect(providerCalls()).toBe(4);
    // no-cache stored its fresh answer over the old one; no-store stored nothing.
    expect((await entries.usage(owner.tenantId)).entries).toBe(1);
  });

  it('does nothing for a tenant whose cache is off (the default): no header, no entry', async () => {
    const owner = await tenant();
    const response = await chat(owner, ask('Default tenant'));
    expect(response.headers.get(ConduitHeader.Cache)).toBeNull();
    await response.arrayBuffer();
    expect(await entries.usage(owner.tenantId)).toEqual({ entries: 0, bytes: 0 });
  });

  describe('the last resort: every provider failed', () => {
    /** Primes one answer with a 1 s TTL, then waits (for real) until it is past it. */
    async function expiredEntry(owner: TestOwner, question: string): Promise<CacheEntry> {
      t.mock.state.faults.add({ match: {}, fault: { reply: `Answered before the outage: ${question}` }, times: 1 });
      await prime(owner, ask(question));
      const [key] = await redis.zrange(`${t.queuePrefix}:rc:{${owner.tenantId}}:idx`, '0', '0');
      const entry = (await entries.get(owner.tenantId, key as string)) as CacheEntry;
      expect(entry.expires_at).toBeDefined();
      await waitFor(() => Date.now(), { what: 'the entry to expire', until: (now) => now >= (entry.expires_at as number) });
      return entry;
    }

    it('answers with the expired entry, x-conduit-cache stale, plain and streamed, when the tenant serves stale answers', async () => {
      const owner = await tenant({ cache: { mode: 'exact', ttl_seconds: 1, serve_stale_on_error: true, max_stale_seconds: 600 } });
      const entry = await expiredEntry(owner, 'Stale question');
      t.mock.state.faults.add({ match: {}, fault: { status: 503 } });
      const plain = await chat(owner, ask('Stale question'));
      expect(plain.status).toBe(200);
      expect(plain.headers.get(ConduitHeader.Cache)).toBe('stale');
      expect(((await plain.json()) as Completion).choices[0]?.message.content).toBe(entry.content);
      const streamed = await chat(owner, ask('Stale question', { stream: true }));
      expect(streamed.status).toBe(200);
      expect(streamed.headers.get(ConduitHeader.Cache)).toBe('stale');
      const sse = await streamed.text();
      expect(sse).toContain('Answered before the outage');
      expect(sse.trim().endsWith('data: [DONE]')).toBe(true);
      // The providers were tried first (the stale answer is the end of the chain, not a shortcut).
      expect(t.mock.state.requests.list().filter((r) => r.status === 503).length).toBeGreaterThanOrEqual(2);
      // A stale answer is recorded at zero cost and never stored again: the entry is unchanged.
      const messageId = plain.headers.get(ConduitHeader.MessageId) as string;
      const message = await waitFor(() => t.prisma.message.findUnique({ where: { id: messageId } }), { what: 'the stale answer to be recorded', until: (m) => m !== null });
      expect(message?.costUsd.toNumber()).toBe(0);
      expect(await entries.get(owner.tenantId, (await redis.zrange(`${t.queuePrefix}:rc:{${owner.tenantId}}:idx`, '0', '0'))[0] as string)).toEqual(entry);
      // A question never answered before still fails as usual.
      expect((await chat(owner, ask('Never asked before'))).status).toBe(502);
    });

    it('fails as usual (502) with the expired entry there when the tenant does not serve stale answers', async () => {
      const owner = await tenant({ cache: { mode: 'exact', ttl_seconds: 1 } });
      await expiredEntry(owner, 'Not stale question');
      t.mock.state.faults.add({ match: {}, fault: { status: 503 } });
      for (const stream of [false, true]) {
        const response = await chat(owner, ask('Not stale question', { stream }));
        expect(response.status).toBe(502);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('upstream_unavailable');
      }
    });

    it('serves a fresh entry as a plain hit when the providers are down', async () => {
      const owner = await tenant({ cache: { mode: 'exact', serve_stale_on_error: true } });
      await prime(owner, ask('Fresh question'));
      t.mock.state.faults.add({ match: {}, fault: { status: 503 } });
      const response = await chat(owner, ask('Fresh question'));
      expect(response.headers.get(ConduitHeader.Cache)).toBe('hit');
      await response.arrayBuffer();
    });
  });

  it('purges every entry of a tenant: the next request misses', async () => {
    const owner = await tenant(ON);
    await prime(owner, ask('To be purged'));
    expect(await entries.purgeTenant(owner.tenantId)).toBe(1);
    const after = await chat(owner, ask('To be purged'));
    expect(after.headers.get(ConduitHeader.Cache)).toBe('miss');
    await after.arrayBuffer();
  });
});

describe('exact response cache with its Redis down', () => {
  let t: OrchestratorTestApp;
  let owner: TestOwner;

  beforeAll(async () => {
    // Nothing listens on port 1: every cache command fails; queues and the rest use the real Redis.
    t = await startOrchestratorTestApp({ INTERNAL_TOKEN, ...SLOW_MACHINE, RESPONSE_CACHE_REDIS_URL: 'redis://127.0.0.1:1' }, {}, { http: true });
    owner = await createOwner(t.prisma);
    await t.app.get(PolicyStore).put(owner.tenantId, ON, 'test');
  });

  afterAll(async () => {
    await removeOwners(t.prisma, [owner]);
    await t.close();
  });

  it('bypasses the cache and still answers, plain and streamed, never a 5xx', async () => {
    for (const stream of [false, true]) {
      const response = await fetch(`${t.url}/internal/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [ConduitHeader.InternalToken]: INTERNAL_TOKEN, [ConduitHeader.TenantId]: owner.tenantId, [ConduitHeader.UserId]: owner.userId },
        body: JSON.stringify({ model: 'default', stream, messages: [{ role: 'user', content: 'Redis is down' }] }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get(ConduitHeader.Cache)).toBe('bypass');
      expect(await response.text()).toContain('Mock');
    }
  });
});
