import Anthropic, { type APIError as AnthropicApiError } from '@anthropic-ai/sdk';
import OpenAI, { type APIError as OpenAiApiError } from 'openai';
import { waitFor } from '@conduit/testing';
import type { RunningMockLlm } from './mock-llm.testing';
import {
  chatRequest,
  fetchRequestLog,
  messageRequest,
  postFaultRule,
  rejection,
  resetMock,
  startMockWithClients,
} from './testing/int-spec-helpers';

describe('mock-llm: fault injection (status, timeout, cut, latency)', () => {
  let mock: RunningMockLlm;
  let openai: OpenAI;
  let anthropic: Anthropic;
  const chat = chatRequest;
  const message = messageRequest;
  const requestLog = () => fetchRequestLog(mock);
  const addRule = (rule: unknown) => postFaultRule(mock, rule);

  beforeAll(async () => {
    ({ mock, openai, anthropic } = await startMockWithClients());
  });
  afterAll(() => mock.close());
  beforeEach(() => resetMock(mock));

  describe('status faults', () => {
    it('x-mock-status: 429 surfaces as RateLimitError with retry-after on both wires', async () => {
      const openaiError = await rejection(openai.chat.completions.create(chat, { headers: { 'x-mock-status': '429' } }));
      expect(openaiError).toBeInstanceOf(OpenAI.RateLimitError);
      const typed = openaiError as InstanceType<typeof OpenAI.RateLimitError>;
      expect(typed.headers.get('retry-after')).toBe('1');
      expect(typed.error).toMatchObject({ code: 'rate_limit_exceeded' });
      expect(typed.requestID).toMatch(/^req_/);

      const anthropicError = await rejection(
        anthropic.messages.create(message, { headers: { 'x-mock-status': '429', 'x-mock-retry-after': '7' } }),
      );
      expect(anthropicError).toBeInstanceOf(Anthropic.RateLimitError);
      const typedAnthropic = anthropicError as InstanceType<typeof Anthropic.RateLimitError>;
      expect(typedAnthropic.headers.get('retry-after')).toBe('7');
      expect(typedAnthropic.type).toBe('rate_limit_error');
      expect(typedAnthropic.requestID).toMatch(/^req_/);
    });

    it('500 and 503 surface as InternalServerError', async () => {
      for (const status of ['500', '503']) {
        const headers = { 'x-mock-status': status };
        const openaiError = await rejection(openai.chat.completions.create({ ...chat, stream: true }, { headers }));
        expect(openaiError).toBeInstanceOf(OpenAI.InternalServerError);
        expect((openaiError as OpenAiApiError).status).toBe(Number(status));
        const anthropicError = await rejection(anthropic.messages.create(message, { headers }));
        expect(anthropicError).toBeInstanceOf(Anthropic.InternalServerError);
        expect((anthropicError as AnthropicApiError).type).toBe('api_error');
      }
      expect((await requestLog()).map((entry) => entry.fault)).toEqual([
        'status:500',
        'status:500',
        'status:503',
        'status:503',
      ]);
    });

    it('the SDKs retry a 429 after the retry-after the mock sends', async () => {
      const retrying = { maxRetries: 1 };
      const openaiRetrying = new OpenAI({ apiKey: 'sk-test', baseURL: `${mock.url}/v1`, ...retrying });
      const anthropicRetrying = new Anthropic({ apiKey: 'sk-ant-test', baseURL: mock.url, ...retrying });
      // 0.8 s is longer than either SDK's own first backoff (at most 0.5 s), so only honouring retry-after explains it.
      const fault = { status: 429, retry_after: 0.8 };
      expect((await addRule({ match: { wire: 'openai' }, fault, times: 1 })).status).toBe(201);
      expect((await addRule({ match: { wire: 'anthropic' }, fault, times: 1 })).status).toBe(201);

      const started = Date.now();
      const [completion, reply] = await Promise.all([
        openaiRetrying.chat.completions.create(chat),
        anthropicRetrying.messages.create(message),
      ]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(790);
      expect(completion.choices[0].message.content).toContain('Mock reply');
      expect(reply.content[0]).toMatchObject({ type: 'text' });
      const statuses = (await requestLog()).map((entry) => `${entry.wire}:${entry.status}`).sort();
      expect(statuses).toEqual(['anthropic:200', 'anthropic:429', 'openai:200', 'openai:429']);
    });

    it('a rule with times: 2 fails exactly twice, only for matching requests, then succeeds', async () => {
      const created = await addRule({ match: { wire: 'anthropic', model: 'claude-*' }, fault: { status: 503 }, times: 2 });
      expect(await created.json()).toMatchObject({ id: expect.any(String), times: 2, remaining: 2 });

      await expect(openai.chat.completions.create(chat)).resolves.toBeDefined();
      await expect(anthropic.messages.create(message)).rejects.toBeInstanceOf(Anthropic.ServiceUnavailableError);
      await expect(anthropic.messages.create({ ...message, stream: true })).rejects.toBeInstanceOf(
        Anthropic.InternalServerError,
      );
      await expect(anthropic.messages.create(message)).resolves.toMatchObject({ type: 'message' });

      expect((await requestLog()).map((entry) => entry.status)).toEqual([200, 503, 503, 200]);
      const rules = (await (await fetch(`${mock.url}/_mock/faults`)).json()) as { data: unknown[] };
      expect(rules.data).toEqual([]);
    });
  });

  describe('timeouts, cuts, disconnects', () => {
    it('a timeout fault never answers: the SDK times out and the log shows the disconnect', async () => {
      const shortTimeout = { timeout: 300, headers: { 'x-mock-fault': 'timeout' } };
      await expect(openai.chat.completions.create(chat, shortTimeout)).rejects.toBeInstanceOf(
        OpenAI.APIConnectionTimeoutError,
      );
      await expect(anthropic.messages.create(message, shortTimeout)).rejects.toBeInstanceOf(
        Anthropic.APIConnectionTimeoutError,
      );
      const entries = await waitFor(async () => {
        const log = await requestLog();
        return log.every((entry) => entry.client_disconnected) && log.length === 2 ? log : undefined;
      }, { what: 'both timed-out calls to be disconnected' });
      for (const entry of entries) expect(entry).toMatchObject({ fault: 'timeout', status: null });
    });

    it('a timeout rule hangs requests the test does not control', async () => {
      await addRule({ match: { path: '/v1/chat/*' }, fault: { type: 'timeout' }, times: 1 });
      await expect(openai.chat.completions.create(chat, { timeout: 200 })).rejects.toBeInstanceOf(
        OpenAI.APIConnectionTimeoutError,
      );
      await expect(openai.chat.completions.create(chat, { timeout: 2000 })).resolves.toBeDefined();
    });

    it('a cut stream makes the OpenAI SDK iteration throw after N tokens', async () => {
      for (const delay of ['0', '5']) {
        const stream = await openai.chat.completions.create(
          { ...chat, stream: true },
          { headers: { 'x-mock-fault': 'cut', 'x-mock-cut-after': '3', 'x-mock-token-delay-ms': delay } },
        );
        const deltas: string[] = [];
        const error = await rejection(
          (async () => {
            for await (const chunk of stream) {
              const content = chunk.choices[0]?.delta.content;
              if (content) deltas.push(content);
            }
          })(),
        );
        expect(error).toMatchObject({ message: 'terminated', cause: { code: 'UND_ERR_SOCKET' } });
        expect(deltas).toHaveLength(3);
      }
      const entries = await requestLog();
      for (const entry of entries) {
        expect(entry).toMatchObject({ fault: 'cut:3', tokens_sent: 3, client_disconnected: false, status: 200 });
        expect(entry.ended_at).not.toBeNull();
      }
    });

    it('a cut stream makes the Anthropic SDK iteration throw', async () => {
      await addRule({ match: { wire: 'anthropic', stream: true }, fault: { type: 'cut', after: 2 } });
      const stream = await anthropic.messages.create({ ...message, stream: true });
      const types: string[] = [];
      await expect(
        (async () => {
          for await (const event of stream) types.push(event.type);
        })(),
      ).rejects.toThrow();
      expect(types.filter((type) => type === 'content_block_delta')).toHaveLength(2);
      expect(types).not.toContain('message_stop');

      await expect(anthropic.messages.stream(message).finalMessage()).rejects.toThrow();
    });

    it('a cut on a plain call drops the connection without a response', async () => {
      await expect(openai.chat.completions.create(chat, { headers: { 'x-mock-fault': 'cut' } })).rejects.toBeInstanceOf(
        OpenAI.APIConnectionError,
      );
    });

    it('records client_disconnected when the client aborts a stream', async () => {
      const stream = await openai.chat.completions.create(
        { ...chat, stream: true },
        { headers: { 'x-mock-token-delay-ms': '20' } },
      );
      let received = 0;
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content) received++;
        if (received === 2) break;
      }
      const entry = await waitFor(async () => {
        const [first] = await requestLog();
        return first?.client_disconnected ? first : undefined;
      }, { what: 'the stream to be disconnected' });
      expect(entry.status).toBe(200);
      expect(entry.tokens_sent).toBeLessThan(entry.completion_tokens);

      const anthropicStream = anthropic.messages.stream(message, { headers: { 'x-mock-ttft-ms': '50' } });
      anthropicStream.on('connect', () => anthropicStream.abort());
      await expect(anthropicStream.done()).rejects.toBeInstanceOf(Anthropic.APIUserAbortError);
      await waitFor(async () => {
        const log = await requestLog();
        return log.find((e) => e.wire === 'anthropic' && e.client_disconnected);
      }, { what: 'the anthropic stream to be disconnected' });
    });
  });

  describe('latency', () => {
    it('x-mock-latency-ms delays a plain answer', async () => {
      const started = Date.now();
      await openai.chat.completions.create(chat, { headers: { 'x-mock-latency-ms': '120' } });
      expect(Date.now() - started).toBeGreaterThanOrEqual(115);
    });

    it('TTFT and per-token delay shape a stream', async () => {
      const started = Date.now();
      const stream = await anthropic.messages.create(
        { ...message, stream: true },
        { headers: { 'x-mock-ttft-ms': '100', 'x-mock-token-delay-ms': '10' } },
      );
      const headersAt = Date.now() - started;
      let firstTokenAt = -1;
      let tokens = 0;
      for await (const event of stream) {
        if (event.type !== 'content_block_delta') continue;
        if (firstTokenAt < 0) firstTokenAt = Date.now() - started;
        tokens++;
      }
      const total = Date.now() - started;
      expect(headersAt).toBeLessThan(firstTokenAt);
      expect(firstTokenAt).toBeGreaterThanOrEqual(95);
      expect(total).toBeGreaterThanOrEqual(95 + (tokens - 1) * 10);
    });

    it('a latency rule slows calls the test does not control', async () => {
      await addRule({ match: { wire: 'openai' }, fault: { latency_ms: 120 }, times: 1 });
      const started = Date.now();
      await openai.chat.completions.create(chat);
      expect(Date.now() - started).toBeGreaterThanOrEqual(115);
    });
  });
});
