import { writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConduitHeader } from '@conduit/contracts';
import { createMessage, createSession, createTenantWithUser, removeTenants, TenantWithUser, waitFor } from '@conduit/testing';
import { ChatPlatform, startChatPlatform } from './support/chat-platform';
import { HostileUpstream } from './support/hostile-upstream';
import { expectOpenAiError, parseRawResponse, rawExchange, RawResponse } from './support/raw-http';

const ADMIN_KEY = 'hostile-input-admin-key-0123456789abcdef';
const REQUEST_TIMEOUT_MS = 3_000;
const HEADERS_TIMEOUT_MS = 2_000;

/**
 * Regression tests of issue 12 ("Hostile input"), one per finding, against the real platform
 * (gateway, orchestrator, billing as processes; the mock upstream, plus a hostile one).
 */
describe('hostile input: every reproduction of issue 12', () => {
  const upstream = new HostileUpstream();
  let platform: ChatPlatform;
  let alice: TenantWithUser;
  let messageId: string;

  const call = async (path: string, init: RequestInit & { key?: string | null } = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(init.headers as Record<string, string>) };
    if (init.key !== null) headers.authorization = `Bearer ${init.key ?? alice.apiKey}`;
    const response = await fetch(`${platform.gateway.url}${path}`, { ...init, headers });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
  };
  const post = (path: string, body: string) => call(path, { method: 'POST', body });
  const chat = (fields: string) => `{"model":"default","messages":[{"role":"user","content":"hi"}]${fields}}`;
  const user = (content: string) => `{"model":"default","messages":[{"role":"user","content":${content}}]}`;

  function expectError(response: { status: number; headers: Headers; json: () => Record<string, unknown> }, status: number, code: string, param?: string | null) {
    expectOpenAiError({ status: response.status, headers: Object.fromEntries(response.headers), body: response.json() }, status, code, param);
  }

  beforeAll(async () => {
    await upstream.start();
    const llmConfig = join(tmpdir(), `conduit-e2e-hostile-${process.pid}.json`);
    writeFileSync(
      llmConfig,
      JSON.stringify({
        providers: [{ name: 'hostile', kind: 'openai', baseURL: `${upstream.url}/v1`, apiKey: 'hostile-key', maxRetries: 0 }],
        // The file's routes replace the built-in ones: `default` is kept as it is built in.
        routes: { default: [{ provider: 'anthropic', model: 'claude-sonnet-4-6' }], hostile: [{ provider: 'hostile', model: 'gpt-4.1-mini' }] },
      }),
    );
    platform = await startChatPlatform(
      { LLM_CONFIG_FILE: llmConfig },
      {
        gatewayEnv: {
          ADMIN_API_KEY: ADMIN_KEY,
          HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
          HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
          HTTP_MAX_HEADERS: '60',
        },
      },
    );
    alice = await createTenantWithUser(platform.prisma);
    const session = await createSession(platform.prisma, alice);
    messageId = (await createMessage(platform.prisma, session)).id;
  });

  afterAll(async () => {
    if (platform) {
      if (alice) await removeTenants(platform.prisma, [alice.tenant]);
      await platform.stop();
    }
    await upstream.stop();
  });

  describe('finding 2: NUL bytes and lone surrogates', () => {
    const jobOf = (input: string, extra = '') => `{"type":"chat.completion","input":${input}${extra}}`;
    const cases: [string, string, string, string][] = [
      ['session title with NUL', '/v1/sessions', '{"title":"a\\u0000b"}', 'title'],
      ['session metadata value with a lone surrogate', '/v1/sessions', '{"metadata":{"k":"\\ud800"}}', 'metadata.k'],
      ['session metadata key with NUL', '/v1/sessions', '{"metadata":{"k\\u0000":"v"}}', 'metadata.k\uFFFD'],
      ['feedback comment with NUL', '/v1/messages/:message/feedback', '{"rating":"up","comment":"x\\u0000"}', 'comment'],
      ['job message content with NUL', '/v1/jobs', jobOf(user('"a\\u0000"')), 'input.messages.0.content'],
      ['job message content with a lone surrogate', '/v1/jobs', jobOf(user('"\\ud800"')), 'input.messages.0.content'],
      ['job metadata with a lone surrogate', '/v1/jobs', jobOf(user('"hi"'), ',"metadata":{"k":"\\udfff"}'), 'metadata.k'],
      [
        'batch request content part with NUL',
        '/v1/jobs',
        `{"type":"chat.batch","input":{"requests":[{"body":${user('[{"type":"text","text":"\\u0000"}]')}}]}}`,
        'input.requests.0.body.messages.0.content.0.text',
      ],
      ['chat content with NUL', '/v1/chat/completions', user('"hi\\u0000there"'), 'messages.0.content'],
      ['chat content part with a lone surrogate', '/v1/chat/completions', user('[{"type":"text","text":"x\\ud83d"}]'), 'messages.0.content.0.text'],
      ['chat message name with NUL', '/v1/chat/completions', '{"model":"default","messages":[{"role":"user","content":"hi","name":"a\\u0000"}]}', 'messages.0.name'],
      [
        'chat tool call arguments with NUL',
        '/v1/chat/completions',
        '{"model":"default","messages":[{"role":"user","content":"hi"},{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\\u0000}"}}]},{"role":"tool","tool_call_id":"c1","content":"ok"}]}',
        'messages.1.tool_calls.0.function.arguments',
      ],
      ['chat tool parameter key with NUL', '/v1/chat/completions', chat(',"tools":[{"type":"function","function":{"name":"f","parameters":{"properties":{"x\\u0000":{}}}}}]'), 'tools.0.function.parameters.properties.x\uFFFD'],
      ['chat conduit metadata with NUL', '/v1/chat/completions', chat(',"conduit":{"metadata":{"k":"\\u0000"}}'), 'conduit.metadata.k'],
      ['chat user with a lone surrogate', '/v1/chat/completions', chat(',"user":"\\udc00"'), 'user'],
    ];

    it.each(cases)('answers 400 invalid_characters for a %s, naming the field', async (_name, path, body, param) => {
      const response = await post(path.replace(':message', messageId), body);
      expectError(response, 400, 'invalid_characters', param);
    });

    it('answers 400 invalid_characters for query strings and form fields', async () => {
      expectError(await call('/v1/sessions?after=%00'), 400, 'invalid_characters', 'after');
      expectError(await call('/v1/documents?collection=x%00'), 400, 'invalid_characters', 'collection');
      expectError(await call(`/v1/sessions/${messageId}/messages?order=%00`), 400, 'invalid_characters', 'order');
      const form = new FormData();
      form.append('collection', 'docs\u0000');
      form.append('file', new Blob(['hello']), 'a.txt');
      const upload = await fetch(`${platform.gateway.url}/v1/documents`, { method: 'POST', headers: { authorization: alice.authHeader }, body: form });
      expectOpenAiError({ status: upload.status, headers: Object.fromEntries(upload.headers), body: await upload.json() }, 400, 'invalid_characters', 'collection');
    });

    it('accepts and stores any other Unicode (emoji, RTL marks, CJK) unchanged', async () => {
      const title = 'Ünïcödé 😀 \u200fשלום 你好';
      const session = await post('/v1/sessions', JSON.stringify({ title, metadata: { 'ключ 🔑': 'värde ½' } }));
      expect(session.status).toBe(201);
      expect(session.json()).toMatchObject({ title, metadata: { 'ключ 🔑': 'värde ½' } });
      const completion = await post('/v1/chat/completions', user(JSON.stringify(`hello ${title}`)));
      expect(completion.status === 200 ? 200 : completion.text).toBe(200);
      const sessionId = completion.headers.get(ConduitHeader.SessionId) ?? '';
      const rows = await waitFor(
        () => platform.prisma.message.findMany({ where: { sessionId }, orderBy: { createdAt: 'asc' } }),
        { what: 'the turn stored', until: (found) => found.length === 2 },
      );
      expect(rows.map((m) => m.content)).toEqual([`hello ${title}`, expect.stringContaining('😀')]);
    });

    it.each([false, true])('stores every accepted turn, even when the provider answers with NUL or unpaired surrogates (stream: %s)', async (stream) => {
      const completion = await post('/v1/chat/completions', `{"model":"hostile","stream":${stream},"messages":[{"role":"user","content":"hi"}]}`);
      expect(completion.status).toBe(200);
      // What the client got is the provider's text, escaped in JSON as OpenAI does.
      expect(completion.text).toContain('bad\\u0000reply');
      const sessionId = completion.headers.get(ConduitHeader.SessionId) ?? '';
      const rows = await waitFor(
        () => platform.prisma.message.findMany({ where: { sessionId }, orderBy: { createdAt: 'asc' } }),
        { what: 'the turn stored', until: (found) => found.length === 2 },
      );
      expect(rows.map((m) => [m.role, m.content])).toEqual([
        ['user', 'hi'],
        ['assistant', 'bad\uFFFDreply\uFFFD end'],
      ]);
    });
  });

  describe('finding 3: model names with control or non-Latin-1 characters', () => {
    it.each([
      ['NUL', '"\\u0000"', 'invalid_characters'],
      ['an emoji', '"😀"', 'invalid_model'],
      ['an RTL mark', '"gpt-4o\\u200f"', 'invalid_model'],
      ['a lone surrogate', '"\\ud800"', 'invalid_characters'],
      ['a space', '"gpt 4o"', 'invalid_model'],
    ])('answers 400 for a model name with %s, before any provider is called', async (_name, model, code) => {
      const before = platform.mock.state.requests.list().length;
      for (const path of ['/v1/chat/completions', '/v1/jobs']) {
        const body = `{"model":${model},"messages":[{"role":"user","content":"hi"}]}`;
        const response = await post(path, path === '/v1/jobs' ? `{"type":"chat.completion","input":${body}}` : body);
        expectError(response, 400, code, path === '/v1/jobs' ? 'input.model' : 'model');
      }
      expect(platform.mock.state.requests.list().length).toBe(before);
    });

    it('answers 200 when a provider reports a model name that a header cannot carry', async () => {
      const completion = await post('/v1/chat/completions', '{"model":"hostile","messages":[{"role":"user","content":"hi"}]}');
      expect(completion.status).toBe(200);
      expect(completion.headers.get(ConduitHeader.Model)).toBe('gpt-4.1-mini');
      expect(completion.json()).toMatchObject({ object: 'chat.completion' });
    });
  });

  describe('finding 4: other 500s', () => {
    const deep = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

    it('answers 400 json_too_deep for tool parameters nested 10,000 deep, for chat and for jobs', async () => {
      const tools = `,"tools":[{"type":"function","function":{"name":"f","parameters":${deep(10_000)}}}]`;
      const chatResponse = await post('/v1/chat/completions', chat(tools));
      expectError(chatResponse, 400, 'json_too_deep');
      expect((chatResponse.json() as { error: { param: string } }).error.param).toMatch(/^tools\.0\.function\.parameters\.a\.a/);
      const jobResponse = await post('/v1/jobs', `{"type":"chat.completion","input":${chat(tools)}}`);
      expectError(jobResponse, 400, 'json_too_deep');
      // Within the limit, nesting is fine.
      const within = await post('/v1/chat/completions', chat(`,"tools":[{"type":"function","function":{"name":"f","parameters":${deep(50)}}}]`));
      expect(within.status === 200 ? 200 : within.text).toBe(200);
    });

    it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])('answers 404 for GET /docs/assets/%s without authentication', async (name) => {
      expectError(await call(`/docs/assets/${name}`, { key: null }), 404, 'not_found');
    });

    it('answers 400 invalid_range for admin usage dates outside 1970-01-01..9999-12-30', async () => {
      expectError(await call('/v1/admin/usage?end=0000-01-01', { key: ADMIN_KEY }), 400, 'invalid_range', 'end');
      expectError(await call('/v1/admin/usage?start=1969-12-31', { key: ADMIN_KEY }), 400, 'invalid_range', 'start');
      expectError(await call('/v1/usage?end=0001-01-01'), 400, 'invalid_range', 'end');
      expect((await call('/v1/admin/usage?start=9999-12-01&end=9999-12-30', { key: ADMIN_KEY })).status).toBe(200);
      expect((await call('/v1/admin/usage?start=1970-01-01&end=1970-01-31', { key: ADMIN_KEY })).status).toBe(200);
    });
  });

  describe('finding 6: error bodies produced before Conduit\'s filters', () => {
    const raw = (request: string) => rawExchange(platform.gateway.port, request, 10_000);
    const expectRaw = (response: RawResponse, status: number, code: string) => expectOpenAiError(response, status, code);

    it('answers FST_ERR_BAD_URL, over-long parameters and huge query strings in the OpenAI shape', async () => {
      expectError(await call('/v1/sessions/%ff'), 400, 'invalid_url');
      expectError(await call('/v1/no-such-route/abc'), 404, 'not_found');
      expectError(await call(`/v1/sessions/${'a'.repeat(200)}`), 414, 'uri_too_long');
      expectRaw(await raw(`GET /v1/sessions?${'q=1&'.repeat(5_000)} HTTP/1.1\r\nHost: x\r\n\r\n`), 431, 'headers_too_large');
      expectRaw(await raw(`GET /v1/sessions HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`), 431, 'headers_too_large');
    });

    it('answers parser-level errors (invalid method, bad framing, Expect, CONNECT, no Host, too many headers) in the OpenAI shape', async () => {
      expectRaw(await raw('FOO / HTTP/1.1\r\nHost: x\r\n\r\n'), 400, 'malformed_request');
      expectRaw(await raw('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'), 400, 'malformed_request');
      expectRaw(await raw('GET /v1/sessions HTTP/1.1\r\nHost: x\r\nExpect: bogus\r\n\r\n'), 417, 'expectation_failed');
      expectRaw(await raw('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'), 405, 'method_not_allowed');
      expectRaw(await raw('GET /v1/sessions HTTP/1.1\r\n\r\n'), 400, 'missing_host');
      const many = Array.from({ length: 70 }, (_, i) => `X-H${i}: v\r\n`).join('');
      expectRaw(await raw(`GET /v1/sessions HTTP/1.1\r\nHost: x\r\n${many}\r\n`), 431, 'headers_too_large');
    });
  });

  describe('finding 7: slow bodies time out', () => {
    /** Opens a connection, sends `text` and never more; resolves with what came back once the server closed it. */
    function sendAndHold(text: string): Promise<{ closedAfterMs: number; response: string }> {
      return new Promise((resolve, reject) => {
        const started = Date.now();
        const socket = createConnection(platform.gateway.port, '127.0.0.1');
        let response = '';
        const deadline = setTimeout(() => {
          socket.destroy();
          reject(new Error(`the gateway kept a slow connection open for ${Date.now() - started} ms`));
        }, 30_000);
        socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
        socket.on('error', () => undefined);
        socket.on('close', () => {
          clearTimeout(deadline);
          resolve({ closedAfterMs: Date.now() - started, response });
        });
        socket.write(text);
      });
    }

    it('cuts off a client that sends a partial body, with a 408 in the OpenAI shape', async () => {
      const { response, closedAfterMs } = await sendAndHold(
        `POST /v1/sessions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${alice.apiKey}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"title":`,
      );
      expect(closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
      expectOpenAiError(parseRawResponse(response), 408, 'request_timeout');
    });

    it('cuts off a client that sends partial headers', async () => {
      const { response, closedAfterMs } = await sendAndHold('GET /v1/sessions HTTP/1.1\r\nHost: x\r\nX-Slow: ');
      expect(closedAfterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 100);
      expectOpenAiError(parseRawResponse(response), 408, 'request_timeout');
    });

    it('still serves a request whose body arrives in pieces within the timeout', async () => {
      const response = await rawExchange(
        platform.gateway.port,
        [`POST /v1/sessions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${alice.apiKey}\r\nContent-Type: application/json\r\nContent-Length: 14\r\nConnection: close\r\n\r\n{"title"`, ':"ok"}'],
        10_000,
      );
      expect(response.status).toBe(201);
    });
  });
});
