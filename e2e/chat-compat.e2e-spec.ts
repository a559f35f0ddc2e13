import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { ConduitHeader } from '@conduit/contracts';
import { createTenantWithUser, removeTenants, TenantWithUser, waitFor } from '@conduit/testing';
import { ChatPlatform, startChatPlatform } from './support/chat-platform';

const ADMIN_KEY = `adm_${randomBytes(24).toString('hex')}`;
/** An OpenAI-wire route; `default` is the Anthropic route (claude-sonnet-4-6). */
const OPENAI_ROUTE = 'compat-openai';
/** Anthropic first, OpenAI as the fallback. */
const MIXED_ROUTE = 'compat-mixed';
const IMAGE_MAX_BYTES = 2_048;

const llmConfigFile = join(tmpdir(), `conduit-e2e-chat-compat-${process.pid}.json`);
writeFileSync(
  llmConfigFile,
  JSON.stringify({
    routes: {
      default: [{ provider: 'anthropic', model: 'claude-sonnet-4-6' }],
      [OPENAI_ROUTE]: [{ provider: 'openai', model: 'gpt-4.1-mini' }],
      [MIXED_ROUTE]: [
        { provider: 'openai', model: 'gpt-4.1-mini' },
        { provider: 'anthropic', model: 'claude-sonnet-4-6' },
      ],
    },
    retry: { baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 50 },
  }),
);

/** A base64 `data:` URL of `bytes` decoded bytes, labelled as PNG (the mock never decodes it). */
const pngDataUrl = (bytes: number) => `data:image/png;base64,${randomBytes(bytes).toString('base64')}`;
/** A public address literal: passes the SSRF check without DNS; the mock never fetches it. */
const PUBLIC_IMAGE_URL = 'https://93.184.215.14/cat.png';

type Params = OpenAI.ChatCompletionCreateParamsNonStreaming;

/**
 * OpenAI compatibility beyond plain chat (issue 23), as processes through the real openai client:
 * unknown fields refused or dropped per policy, parameters carried or refused per provider, `n`
 * choices and logprobs, image parts reaching both wires (asserted on the mock upstream's log),
 * their size limit and SSRF check.
 */
describe('chat compatibility end to end: unknown fields, parameters per provider, n, images', () => {
  let platform: ChatPlatform;
  let strict: TenantWithUser;
  let relaxed: TenantWithUser;
  let client: OpenAI;

  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${platform.gateway.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  const requests = () => platform.mock.state.requests.list();
  const lastRequest = (wire: 'openai' | 'anthropic') => requests().filter((r) => r.wire === wire && r.path.endsWith('/messages') === (wire === 'anthropic')).at(-1);
  const refusal = async (call: Promise<unknown>) => {
    const error = (await call.then(
      () => {
        throw new Error('expected the call to fail');
      },
      (e: unknown) => e,
    )) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.APIError);
    return error;
  };

  beforeAll(async () => {
    platform = await startChatPlatform(
      { LLM_CONFIG_FILE: llmConfigFile, LLM_MAX_RETRIES: '0' },
      { gatewayEnv: { ADMIN_API_KEY: ADMIN_KEY, IMAGE_MAX_BYTES: String(IMAGE_MAX_BYTES), IMAGE_MAX_COUNT: '3' } },
    );
    [strict, relaxed] = await Promise.all([createTenantWithUser(platform.prisma), createTenantWithUser(platform.prisma)]);
    client = new OpenAI({ apiKey: strict.apiKey, baseURL: `${platform.gateway.url}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    if (!platform) return;
    await removeTenants(platform.prisma, [strict, relaxed].filter(Boolean).map((t) => t.tenant));
    await platform.stop();
  });

  it('refuses an unknown parameter with 400 unsupported_parameter naming it, before any provider call', async () => {
    const before = requests().length;
    const error = await refusal(
      client.chat.completions.create({ model: 'default', messages: [{ role: 'user', content: 'hi' }], frobnicate: true } as unknown as Params),
    );
    expect(error.status).toBe(400);
    expect(error.code).toBe('unsupported_parameter');
    expect(error.param).toBe('frobnicate');
    expect(error.message).toContain('frobnicate');
    expect(requests().length).toBe(before);
  });

  it("drops unknown parameters for an API key whose compat policy says drop, naming them in x-conduit-dropped-params; the tenant's other keys still refuse", async () => {
    const key = await platform.prisma.apiKey.findFirstOrThrow({ where: { userId: relaxed.user.id } });
    const put = await admin('PUT', `/v1/admin/tenants/${relaxed.tenant.id}/policy`, { api_keys: { [key.id]: { compat: { unknown_params: 'drop' } } } });
    expect(put.status).toBe(200);
    const relaxedClient = new OpenAI({ apiKey: relaxed.apiKey, baseURL: `${platform.gateway.url}/v1`, maxRetries: 0 });
    const { data, response } = await relaxedClient.chat.completions
      .create({ model: 'default', messages: [{ role: 'user', content: 'hi there' }], frobnicate: 1, prediction_v9: {} } as unknown as Params)
      .withResponse();
    expect(response.status).toBe(200);
    expect(response.headers.get(ConduitHeader.DroppedParams)).toBe('frobnicate,prediction_v9');
    expect(data.choices[0]?.message.content).toContain('hi there');

    // The same tenant, policy at tenant level: still `reject` (the override is the key's only).
    const other = await refusal(client.chat.completions.create({ model: 'default', messages: [{ role: 'user', content: 'x' }], frobnicate: 1 } as unknown as Params));
    expect(other.code).toBe('unsupported_parameter');
  });

  it('carries OpenAI parameters to an OpenAI-wire provider, returns n choices and logprobs, usage counting every choice', async () => {
    const one = await client.chat.completions.create({ model: OPENAI_ROUTE, messages: [{ role: 'user', content: 'count the choices' }] });
    const { data, response } = await client.chat.completions
      .create({
        model: OPENAI_ROUTE,
        messages: [{ role: 'user', content: 'count the choices' }],
        n: 2,
        seed: 7,
        logprobs: true,
        top_logprobs: 2,
        presence_penalty: 0.5,
        frequency_penalty: 0.25,
        logit_bias: { '50256': -100 },
        metadata: { team: 'search' },
        reasoning_effort: 'low',
      })
      .withResponse();
    expect(response.headers.get(ConduitHeader.Provider)).toBe('openai');
    expect(data.choices.map((c) => c.index)).toEqual([0, 1]);
    expect(data.choices[1]?.message.content).toBe(data.choices[0]?.message.content);
    const logprobs = data.choices[0]?.logprobs?.content ?? [];
    expect(logprobs.length).toBeGreaterThan(0);
    expect(logprobs.map((l) => l.token).join('')).toBe(data.choices[0]?.message.content);
    expect(logprobs[0]?.top_logprobs).toHaveLength(2);
    expect(data.usage?.completion_tokens).toBe(2 * (one.usage?.completion_tokens ?? 0));
    expect(lastRequest('openai')?.params).toEqual({
      n: 2,
      seed: 7,
      logprobs: true,
      top_logprobs: 2,
      presence_penalty: 0.5,
      frequency_penalty: 0.25,
      logit_bias: { '50256': -100 },
      metadata: { team: 'search' },
      reasoning_effort: 'low',
    });
    // The first choice is the one stored.
    const sessionId = response.headers.get(ConduitHeader.SessionId) ?? '';
    const stored = await waitFor(() => platform.prisma.message.findFirst({ where: { sessionId, role: 'assistant', tenantId: strict.tenant.id } }), {
      what: 'the answer to be stored',
    });
    expect(stored.content).toBe(data.choices[0]?.message.content);
    expect(stored.tokensOut).toBe(data.usage?.completion_tokens);
  });

  it('refuses n > 1 with stream: true with 400 unsupported_parameter', async () => {
    const error = await refusal(client.chat.completions.create({ model: OPENAI_ROUTE, stream: true, n: 2, messages: [{ role: 'user', content: 'x' }] }));
    expect(error.status).toBe(400);
    expect(error.code).toBe('unsupported_parameter');
    expect(error.param).toBe('n');
  });

  it('refuses a parameter the Anthropic route cannot carry with 400 naming the field and the provider, calling nothing', async () => {
    const before = requests().length;
    const seed = await refusal(client.chat.completions.create({ model: 'default', seed: 1, messages: [{ role: 'user', content: 'x' }] }));
    expect(seed.status).toBe(400);
    expect(seed.code).toBe('unsupported_parameter');
    expect(seed.param).toBe('seed');
    expect(seed.message).toContain('anthropic');
    const n = await refusal(client.chat.completions.create({ model: 'default', n: 3, messages: [{ role: 'user', content: 'x' }] }));
    expect([n.code, n.param]).toEqual(['unsupported_parameter', 'n']);
    expect(requests().length).toBe(before);
  });

  it('carries what Anthropic can: reasoning_effort as output_config.effort, parallel_tool_calls false, metadata.user_id', async () => {
    await client.chat.completions.create({
      model: 'default',
      messages: [{ role: 'user', content: 'think a little' }],
      reasoning_effort: 'high',
      metadata: { user_id: 'u-42' },
      parallel_tool_calls: false,
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }],
    });
    const params = lastRequest('anthropic')?.params ?? {};
    expect(params.output_config).toMatchObject({ effort: 'high' });
    expect(params.metadata).toEqual({ user_id: 'u-42' });
    expect(params.tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
  });

  it('skips a fallback target that cannot carry a parameter instead of calling it without it', async () => {
    platform.mock.state.faults.add({ match: { wire: 'openai' }, fault: { status: 503 }, times: 1 });
    const before = requests().filter((r) => r.wire === 'anthropic').length;
    const error = await refusal(client.chat.completions.create({ model: MIXED_ROUTE, seed: 3, messages: [{ role: 'user', content: 'x' }] }));
    expect(error.status).toBe(502);
    expect(requests().filter((r) => r.wire === 'anthropic').length).toBe(before);
  });

  const imageMessage = (...urls: string[]): OpenAI.ChatCompletionMessageParam => ({
    role: 'user',
    content: [{ type: 'text', text: 'What is in these images?' }, ...urls.map((url) => ({ type: 'image_url' as const, image_url: { url, detail: 'low' as const } }))],
  });

  it('sends image parts to an OpenAI-wire provider as content parts (base64 and URL)', async () => {
    const data = pngDataUrl(600);
    const answer = await client.chat.completions.create({ model: OPENAI_ROUTE, messages: [imageMessage(data, PUBLIC_IMAGE_URL)] });
    expect(answer.choices[0]?.message.content).toContain('What is in these images?');
    expect(lastRequest('openai')?.images).toEqual([
      { source: 'base64', url: null, media_type: 'image/png', bytes: 600, detail: 'low' },
      { source: 'url', url: PUBLIC_IMAGE_URL, media_type: null, bytes: null, detail: 'low' },
    ]);
  });

  it('sends image parts to Anthropic as image blocks (base64 source, URL source)', async () => {
    const answer = await client.chat.completions.create({ model: 'default', messages: [imageMessage(pngDataUrl(900), PUBLIC_IMAGE_URL)] });
    expect(answer.choices[0]?.message.content).toContain('What is in these images?');
    expect(lastRequest('anthropic')?.images).toEqual([
      { source: 'base64', url: null, media_type: 'image/png', bytes: 900, detail: null },
      { source: 'url', url: PUBLIC_IMAGE_URL, media_type: null, bytes: null, detail: null },
    ]);
  });

  it('refuses an image past the size limit with 400 image_too_large, and too many images', async () => {
    const before = requests().length;
    const large = await refusal(client.chat.completions.create({ model: 'default', messages: [imageMessage(pngDataUrl(IMAGE_MAX_BYTES + 1))] }));
    expect(large.status).toBe(400);
    expect(large.code).toBe('image_too_large');
    expect(large.param).toBe('messages.0.content.1.image_url.url');
    const many = await refusal(client.chat.completions.create({ model: 'default', messages: [imageMessage(...Array.from({ length: 4 }, () => pngDataUrl(10)))] }));
    expect(many.code).toBe('too_many_images');
    expect(requests().length).toBe(before);
  });

  it('keys the response cache by the images, and neither serves nor stores n > 1 or logprobs answers', async () => {
    const cached = await createTenantWithUser(platform.prisma);
    try {
      expect((await admin('PUT', `/v1/admin/tenants/${cached.tenant.id}/policy`, { cache: { mode: 'exact' } })).status).toBe(200);
      const cachedClient = new OpenAI({ apiKey: cached.apiKey, baseURL: `${platform.gateway.url}/v1`, maxRetries: 0 });
      const cacheOf = async (params: Params) => (await cachedClient.chat.completions.create(params).withResponse()).response.headers.get(ConduitHeader.Cache);
      const withImage = (url: string): Params => ({ model: OPENAI_ROUTE, messages: [imageMessage(url)] });
      const first = pngDataUrl(64);
      expect(await cacheOf(withImage(first))).toBe('miss');
      const stored = () => admin('GET', `/v1/admin/tenants/${cached.tenant.id}/cache`).then((r) => r.json() as Promise<{ entries: number }>);
      await waitFor(stored, { what: 'the answer to be stored', until: (c) => c.entries === 1 });
      expect(await cacheOf(withImage(first))).toBe('hit');
      // Same text, another image: another key.
      expect(await cacheOf(withImage(pngDataUrl(64)))).toBe('miss');

      const plain: Params = { model: OPENAI_ROUTE, messages: [{ role: 'user', content: 'cache me twice' }] };
      expect(await cacheOf({ ...plain, n: 2 })).toBe('bypass');
      expect(await cacheOf({ ...plain, logprobs: true })).toBe('bypass');
      expect(await cacheOf({ ...plain, n: 2 })).toBe('bypass');
    } finally {
      await removeTenants(platform.prisma, [cached.tenant]);
    }
  });

  it.each([
    ['loopback', 'http://127.0.0.1:8080/cat.png'],
    ['private network', 'https://10.1.2.3/cat.png'],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
    ['localhost name', 'http://localhost/cat.png'],
  ])('refuses an image URL pointing at a %s address with 400 invalid_image_url', async (_kind, url) => {
    const before = requests().length;
    const error = await refusal(client.chat.completions.create({ model: OPENAI_ROUTE, messages: [imageMessage(url)] }));
    expect(error.status).toBe(400);
    expect(error.code).toBe('invalid_image_url');
    expect(error.message).toMatch(/image URL/);
    expect(requests().length).toBe(before);
  });
});
