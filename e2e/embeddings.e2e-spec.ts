import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import { createPrismaClient, type PrismaClient } from '@conduit/db';
import { RunningMockLlm, startMockLlmServer } from '@conduit/mock-llm';
import { createTenantWithUser, removeTenants, waitFor, type TenantWithUser } from '@conduit/testing';
import { OtlpReceiver } from './support/otlp-receiver';
import { RunningService, startReady } from './support/service-process';

const MODEL = 'text-embedding-3-small';
/** The mock's size when a request has no `dimensions` (its default, like the real model's). */
const NATIVE = 1536;

/** Little-endian float32 bytes → numbers, as OpenAI's clients read a base64 embedding. */
function decodeBase64(text: string): number[] {
  const bytes = Buffer.from(text, 'base64');
  return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
}

/**
 * Issue 23, deliver 2: `POST /v1/embeddings` through the real openai client. Gateway and billing
 * as processes; `text-embedding-3-small` goes to mock-llm over the OpenAI wire (its request log
 * counts provider calls), `hashing-v2` is computed in the gateway.
 */
describe('embeddings API (openai client)', () => {
  const prefix = `e2e-emb-${randomBytes(4).toString('hex')}`;
  const tag = randomBytes(4).toString('hex'); // inputs no earlier run has cached
  let mock: RunningMockLlm;
  let otlp: OtlpReceiver;
  let prisma: PrismaClient;
  let gateway: RunningService;
  let billing: RunningService;
  let tenantA: TenantWithUser;
  let tenantB: TenantWithUser;
  const clientOf = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
  const providerCalls = () => mock.state.requests.list().filter((entry) => entry.path === '/v1/embeddings');

  beforeAll(async () => {
    prisma = createPrismaClient(process.env.DATABASE_URL ?? '', 2);
    otlp = new OtlpReceiver();
    await otlp.start();
    mock = await startMockLlmServer();
    [tenantA, tenantB] = await Promise.all([createTenantWithUser(prisma), createTenantWithUser(prisma)]);
    const models = [
      { name: MODEL, provider: 'openai', base_url: `${mock.url}/v1` },
      { name: 'hashing-v2', provider: 'hashing' },
    ];
    [gateway, billing] = await Promise.all([
      startReady('api-gateway', {
        ...otlp.env(),
        QUEUE_PREFIX: prefix,
        EMBEDDINGS_MODELS: JSON.stringify(models),
        EMBEDDINGS_API_KEY: 'mock-key',
      }),
      startReady('billing', { QUEUE_PREFIX: prefix }),
    ]);
    // A just-started gateway on a loaded machine can miss the 1 s admission deadline on its first
    // call (503 usage_controls_unavailable, on main too): warm it up with an unbilled-model call.
    await waitFor(
      async () => (await fetch(`${gateway.url}/v1/embeddings`, { method: 'POST', headers: { authorization: tenantA.authHeader, 'content-type': 'application/json' }, body: '{"model":"hashing-v2","input":"warm up"}' })).status,
      { what: 'the gateway to answer a first embeddings call', until: (status) => status === 200, timeoutMs: 30_000 },
    );
  }, 180_000);

  afterAll(async () => {
    await Promise.all([gateway, billing].map((service) => service?.stop('SIGTERM')));
    await mock?.close();
    await otlp?.stop();
    if (prisma) {
      await removeTenants(prisma, [tenantA, tenantB].filter(Boolean).map((t) => t.tenant));
      await prisma.$disconnect();
    }
  });

  it('embeds a single input: OpenAI\'s response shape, the client decoding the base64 it asks for by default', async () => {
    const before = providerCalls().length;
    const response = await clientOf(tenantA.apiKey).embeddings.create({ model: MODEL, input: `single ${tag}` });
    expect(response).toMatchObject({ object: 'list', model: MODEL, usage: { prompt_tokens: expect.any(Number), total_tokens: expect.any(Number) } });
    expect(response.data).toHaveLength(1);
    expect(response.data[0]).toMatchObject({ object: 'embedding', index: 0 });
    expect(response.data[0].embedding).toHaveLength(NATIVE);
    expect(response.usage.prompt_tokens).toBeGreaterThan(0);
    expect(response.usage.total_tokens).toBe(response.usage.prompt_tokens);
    const calls = providerCalls();
    expect(calls).toHaveLength(before + 1);
    expect(response.usage.prompt_tokens).toBe(calls.at(-1)?.prompt_tokens);
  });

  it('embeds a batch in order, float and base64 carrying the same float32 numbers', async () => {
    const input = [`first ${tag}`, `second ${tag}`, `third ${tag}`];
    const client = clientOf(tenantA.apiKey);
    const asFloat = await client.embeddings.create({ model: MODEL, input, encoding_format: 'float' });
    const asBase64 = await client.embeddings.create({ model: MODEL, input, encoding_format: 'base64' });
    expect(asFloat.data.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(asFloat.data.every((d) => Array.isArray(d.embedding) && d.embedding.length === NATIVE)).toBe(true);
    // Explicit base64: the client hands back the string as it came.
    expect(asBase64.data.every((d) => typeof d.embedding === 'string')).toBe(true);
    expect(asBase64.data.map((d) => decodeBase64(d.embedding as unknown as string))).toEqual(asFloat.data.map((d) => d.embedding));
    expect(asFloat.data[0].embedding).not.toEqual(asFloat.data[1].embedding);
    // Default (no encoding_format): the client asks for base64 and decodes it to the same numbers.
    const decodedByClient = await client.embeddings.create({ model: MODEL, input });
    expect(decodedByClient.data.map((d) => d.embedding)).toEqual(asFloat.data.map((d) => d.embedding));
  });

  it('honours dimensions (sent to the provider) and refuses a size the model cannot make', async () => {
    const client = clientOf(tenantA.apiKey);
    const short = await client.embeddings.create({ model: MODEL, input: [`short ${tag}`, `vectors ${tag}`], dimensions: 256, encoding_format: 'float' });
    expect(short.data.map((d) => d.embedding.length)).toEqual([256, 256]);
    const norm = Math.hypot(...short.data[0].embedding);
    expect(norm).toBeCloseTo(1, 4);
    await expect(client.embeddings.create({ model: MODEL, input: 'x', dimensions: NATIVE + 1 })).rejects.toMatchObject({ status: 400, code: 'dimensions_not_supported', param: 'dimensions' });
  });

  it("serves tenant A's repeated call from A's cache, and never serves A's vectors to tenant B", async () => {
    const input = [`cached ${tag} one`, `cached ${tag} two`];
    const before = providerCalls().length;
    const call = async (who: TenantWithUser) => {
      const { data, response } = await clientOf(who.apiKey).embeddings.create({ model: MODEL, input, encoding_format: 'float' }).withResponse();
      return { body: data, requestId: response.headers.get('x-request-id') ?? '' };
    };
    const first = await call(tenantA);
    expect(providerCalls()).toHaveLength(before + 1);

    const again = await call(tenantA);
    expect(providerCalls()).toHaveLength(before + 1); // no provider call: A's cache answered
    expect(again.body.data).toEqual(first.body.data);
    expect(again.body.usage).toEqual(first.body.usage);

    const other = await call(tenantB);
    expect(providerCalls()).toHaveLength(before + 2); // B's own call reached the provider
    expect(other.body.data.map((d) => d.embedding.length)).toEqual([NATIVE, NATIVE]);

    // Billed: each call once, on its own tenant's ledger; the provider's tokens for a miss, zero for the hit.
    const requestIds = [first.requestId, again.requestId, other.requestId];
    const ledger = await waitFor(async () => prisma.usageEvent.findMany({ where: { requestId: { in: requestIds } } }), {
      what: 'the three calls in the ledger',
      until: (rows) => rows.length === 3,
      timeoutMs: 20_000,
    });
    const eventOf = (requestId: string) => ledger.find((row) => row.requestId === requestId);
    const tokens = first.body.usage.prompt_tokens;
    expect(eventOf(first.requestId)).toMatchObject({ tenantId: tenantA.tenant.id, feature: 'embedding', model: MODEL, inputTokens: tokens, cacheHit: false });
    expect(eventOf(again.requestId)).toMatchObject({ tenantId: tenantA.tenant.id, feature: 'embedding', model: MODEL, inputTokens: 0, cacheHit: true });
    expect(eventOf(other.requestId)).toMatchObject({ tenantId: tenantB.tenant.id, userId: tenantB.user.id, feature: 'embedding', inputTokens: tokens, cacheHit: false });
    expect(Number(eventOf(other.requestId)?.costUsd)).toBeCloseTo((tokens * 0.02) / 1_000_000, 12);
    expect(Number(eventOf(again.requestId)?.costUsd)).toBe(0);
  });

  it('bills every call with feature embedding, as /v1/usage shows', async () => {
    // Tenant A's provider calls so far: single, batch (float), dimensions, and the first cached one.
    const misses = await waitFor(
      async () => prisma.usageEvent.findMany({ where: { tenantId: tenantA.tenant.id, model: MODEL, cacheHit: false } }),
      { what: "tenant A's billed embedding calls", until: (rows) => rows.length >= 4, timeoutMs: 20_000 },
    );
    expect(misses).toHaveLength(4);
    expect(misses.every((r) => r.feature === 'embedding' && r.inputTokens > 0 && r.userId === tenantA.user.id)).toBe(true);
    const usage = (await (await fetch(`${gateway.url}/v1/usage`, { headers: { authorization: tenantA.authHeader } })).json()) as { data: { model: string; input_tokens: number }[] };
    expect(usage.data.find((row) => row.model === MODEL)?.input_tokens).toBe(misses.reduce((sum, r) => sum + r.inputTokens, 0));
  });

  it('computes hashing-v2 in the gateway; token arrays are decoded (cl100k_base) and embed like their text', async () => {
    const client = clientOf(tenantA.apiKey);
    const before = providerCalls().length;
    const fromText = await client.embeddings.create({ model: 'hashing-v2', input: 'hello world', encoding_format: 'float' });
    const fromTokens = await client.embeddings.create({ model: 'hashing-v2', input: [[15339, 1917]], encoding_format: 'float' }); // "hello world"
    expect(fromText.data[0].embedding).toHaveLength(384);
    expect(fromTokens.data[0].embedding).toEqual(fromText.data[0].embedding);
    expect(providerCalls()).toHaveLength(before);
    const sized = await client.embeddings.create({ model: 'hashing-v2', input: 'hello', dimensions: 32, encoding_format: 'float' });
    expect(sized.data[0].embedding).toHaveLength(32);
  });

  it('refuses callers without a valid key (401) and bad input with a stable code (400 / 404)', async () => {
    await expect(clientOf('cdt_not_a_key').embeddings.create({ model: MODEL, input: 'x' })).rejects.toMatchObject({ status: 401 });
    const unauthenticated = await fetch(`${gateway.url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: MODEL, input: 'x' }) });
    expect(unauthenticated.status).toBe(401);

    const client = clientOf(tenantA.apiKey);
    await expect(client.embeddings.create({ model: MODEL, input: [] })).rejects.toMatchObject({ status: 400, code: 'empty_input' });
    await expect(client.embeddings.create({ model: MODEL, input: ['a', ''] })).rejects.toMatchObject({ status: 400, code: 'empty_input', param: 'input.1' });
    await expect(client.embeddings.create({ model: MODEL, input: Array.from({ length: 2049 }, (_, i) => `${i}`) })).rejects.toMatchObject({ status: 400, code: 'too_many_inputs' });
    await expect(client.embeddings.create({ model: 'no-such-model', input: 'x' })).rejects.toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
    await expect(client.embeddings.create({ model: 'hashing-v2', input: [[999_999_999]] })).rejects.toMatchObject({ status: 400, code: 'invalid_tokens' });
    await expect(client.embeddings.create({ model: MODEL, input: 'x', temperature: 1 } as unknown as OpenAI.EmbeddingCreateParams)).rejects.toMatchObject({
      status: 400,
      code: 'unsupported_parameter',
      param: 'temperature',
    });
  });

  it('answers a provider failure with a stable code and bills nothing for it', async () => {
    const client = clientOf(tenantB.apiKey);
    const billedBefore = await prisma.usageEvent.count({ where: { tenantId: tenantB.tenant.id } });
    mock.state.faults.add({ match: { path: '/v1/embeddings' }, fault: { status: 400 }, times: 1 });
    await expect(client.embeddings.create({ model: MODEL, input: `refused ${tag}` })).rejects.toMatchObject({ status: 400, code: 'input_rejected' });
    mock.state.faults.add({ match: { path: '/v1/embeddings' }, fault: { status: 503 } });
    try {
      await expect(client.embeddings.create({ model: MODEL, input: `failing ${tag}` })).rejects.toMatchObject({ status: 502, code: 'embeddings_provider_error' });
    } finally {
      mock.state.faults.clear();
    }
    // The next call is answered, and only it reaches the ledger.
    const after = await client.embeddings.create({ model: MODEL, input: `recovered ${tag}` });
    expect(after.data).toHaveLength(1);
    await waitFor(async () => prisma.usageEvent.count({ where: { tenantId: tenantB.tenant.id } }), {
      what: "the recovered call in tenant B's ledger",
      until: (count) => count === billedBefore + 1,
      timeoutMs: 20_000,
    });
  });

  it('traces each call as an embeddings span (GenAI operation embeddings)', async () => {
    await clientOf(tenantB.apiKey).embeddings.create({ model: MODEL, input: `traced ${tag}` });
    const span = await waitFor(
      async () => otlp.spans.find((s) => s.service === 'api-gateway' && s.name === `embeddings ${MODEL}` && String(s.attributes['gen_ai.request.model']) === MODEL && s.attributes['conduit.cache'] === 'miss'),
      { what: 'the embeddings span', until: (found) => found !== undefined, timeoutMs: 10_000 },
    );
    expect(span?.attributes).toMatchObject({ 'gen_ai.operation.name': 'embeddings', 'gen_ai.provider.name': 'openai', 'gen_ai.response.model': MODEL });
    expect(Number(span?.attributes['gen_ai.embeddings.dimension.count'])).toBe(NATIVE);
    expect(Number(span?.attributes['gen_ai.usage.input_tokens'])).toBeGreaterThan(0);
  });
});
