import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { waitFor } from '@conduit/testing';
import type { RequestLogEntry } from './log/request-log';
import { startMockLlmServer, type RunningMockLlm } from './mock-llm.testing';
import {
  chatRequest,
  fetchRequestLog,
  messageRequest,
  postFaultRule,
  resetMock,
  startMockWithClients,
} from './testing/int-spec-helpers';

describe('mock-llm: input validation and control endpoints', () => {
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

  describe('bad input', () => {
    const endpoints = [
      ['/v1/chat/completions', 'openai'],
      ['/v1/embeddings', 'openai'],
      ['/v1/messages', 'anthropic'],
      ['/v1/messages/count_tokens', 'anthropic'],
    ] as const;
    const bodies = ['null', '[]', '"text"', '1', '{}', '{"model":1}', '{"model":"m","messages":"x"}', '{"__proto__":{"a":1}}', '{'];

    it.each(endpoints)('%s answers 4xx in the %s error shape, never 5xx', async (path, wire) => {
      for (const body of bodies) {
        const response = await fetch(`${mock.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        expect({ body, status: response.status }).toEqual({ body, status: 400 });
        const json = (await response.json()) as Record<string, unknown>;
        if (wire === 'openai') expect(json).toEqual({ error: expect.objectContaining({ type: 'invalid_request_error' }) });
        else expect(json).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
      }
      for (const [contentType, status] of [['text/plain', 400], ['application/xml', 415]] as const) {
        const response = await fetch(`${mock.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': contentType },
          body: 'hi',
        });
        expect({ contentType, status: response.status }).toEqual({ contentType, status });
      }
    });
  });

  describe('control endpoints', () => {
    it('lists, deletes and validates fault rules', async () => {
      const bad = await addRule({ fault: { status: 503, type: 'cut' } });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
      expect((await addRule({ fault: { explode: true } })).status).toBe(400);

      const { id } = (await (await addRule({ fault: { status: 500 } })).json()) as { id: string };
      await addRule({ match: { model: 'gpt-*' }, fault: { latency_ms: 1 } });
      const listed = (await (await fetch(`${mock.url}/_mock/faults`)).json()) as { data: { id: string }[] };
      expect(listed.data).toHaveLength(2);

      expect((await fetch(`${mock.url}/_mock/faults/${id}`, { method: 'DELETE' })).status).toBe(200);
      expect((await fetch(`${mock.url}/_mock/faults/${id}`, { method: 'DELETE' })).status).toBe(404);
      expect(await (await fetch(`${mock.url}/_mock/faults`, { method: 'DELETE' })).json()).toEqual({ cleared: 1 });
    });

    it('rejects malformed x-mock-* headers with a 400 in the wire shape', async () => {
      await expect(
        openai.chat.completions.create(chat, { headers: { 'x-mock-status': 'soon' } }),
      ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
      await expect(
        anthropic.messages.create(message, { headers: { 'x-mock-fault': 'explode' } }),
      ).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    });

    it('returns the most recent requests with ?limit and clears the log', async () => {
      await openai.chat.completions.create(chat);
      await anthropic.messages.create(message);
      const limited = (await (await fetch(`${mock.url}/_mock/requests?limit=1`)).json()) as { data: RequestLogEntry[] };
      expect(limited.data).toEqual([
        expect.objectContaining({ wire: 'anthropic', path: '/v1/messages', model: 'claude-haiku-4-5', status: 200 }),
      ]);
      await fetch(`${mock.url}/_mock/requests`, { method: 'DELETE' });
      expect(await requestLog()).toEqual([]);
    });

    it('logs the text each request carried (prompt_text), on both wires and for embeddings', async () => {
      await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Mail <EMAIL_1> now' }] });
      await anthropic.messages.create({ ...message, system: 'Sys prompt', messages: [{ role: 'user', content: 'Call <PHONE_1>' }] });
      await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['one', 'two'] });
      expect((await requestLog()).map((entry) => entry.prompt_text)).toEqual(['Be brief.\nMail <EMAIL_1> now', 'Sys prompt\nCall <PHONE_1>', 'one\ntwo']);
    });

    it('answers with a fault rule\'s reply text (plain and streamed), a header still winning', async () => {
      await addRule({ match: { wire: 'openai' }, fault: { reply: 'Your key is sk-planted-1234' }, times: 3 });
      const plain = await openai.chat.completions.create(chat);
      expect(plain.choices[0]?.message.content).toBe('Your key is sk-planted-1234');
      const stream = await openai.chat.completions.create({ ...chat, stream: true });
      let streamed = '';
      for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
      expect(streamed).toBe('Your key is sk-planted-1234');
      const overridden = await openai.chat.completions.create(chat, { headers: { 'x-mock-reply': 'from the header' } });
      expect(overridden.choices[0]?.message.content).toBe('from the header');
      expect((await addRule({ fault: { reply: '' } })).status).toBe(400);
    });
  });
});

describe('mock-llm: shutdown', () => {
  it('closes promptly while a request hangs on a timeout fault', async () => {
    const mock = await startMockLlmServer();
    const pending = fetch(`${mock.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-mock-fault': 'timeout' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
    });
    await waitFor(() => mock.state.active.size > 0, { what: 'the request to be in flight' });
    const started = Date.now();
    await mock.close();
    expect(Date.now() - started).toBeLessThan(3_000); // the fault would hold the request forever
    await expect(pending).rejects.toThrow();
  });
});
