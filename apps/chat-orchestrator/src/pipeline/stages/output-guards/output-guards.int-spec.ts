import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConduitHeader } from '@conduit/contracts';
import { PolicyStore } from '@conduit/policies';
import { waitFor } from '@conduit/testing';
import { createOwner, removeOwners, TestOwner } from '../../../testing/fixtures';
import { internalChat } from '../../../testing/internal-chat';
import { OrchestratorTestApp, startOrchestratorTestApp } from '../../../testing/orchestrator-test-app';

const INTERNAL_TOKEN = `token-${randomUUID()}`;
/** The test app's `cheap` route: the classifier's calls are the only ones on the OpenAI wire (chats go to the default, Anthropic). */
const JUDGE = { wire: 'openai' as const };
const FLAGGED = '{"verdict":"injection","score":0.91,"reason":"violent threat"}';
const CLEAN = '{"verdict":"clean","score":0.02,"reason":"ordinary answer"}';

interface Completion {
  choices: { message: { content: string | null }; finish_reason: string }[];
}

/** The text deltas and the finish reason of an SSE answer. */
async function streamed(response: Response): Promise<{ deltas: string[]; finish: string | null }> {
  const deltas: string[] = [];
  let finish: string | null = null;
  for (const line of (await response.text()).split('\n')) {
    if (!line.startsWith('data: {')) continue;
    const chunk = JSON.parse(line.slice(6)) as { choices: { delta: { content?: string }; finish_reason: string | null }[] };
    const choice = chunk.choices[0];
    if (choice?.delta.content) deltas.push(choice.delta.content);
    if (choice?.finish_reason) finish = choice.finish_reason;
  }
  return { deltas, finish };
}

/**
 * The output-guard stage's policy knobs against the real app, with the mock upstream as provider:
 * the stall flush (`output.flush_after_ms`) and the optional moderation classifier
 * (`output.classifier`: the LLM judge through the app's gateway, or an external HTTP service),
 * plain and streamed, with its failure modes.
 */
describe('output guards stage', () => {
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

  beforeEach(() => {
    t.mock.state.faults.clear();
    t.mock.state.requests.clear();
  });

  async function tenant(output: Record<string, unknown>): Promise<TestOwner> {
    const owner = await createOwner(t.prisma);
    owners.push(owner);
    await policies.put(owner.tenantId, { guardrails: { output } }, 'test');
    return owner;
  }

  const chat = (owner: TestOwner, content: string, extra: Record<string, unknown> = {}, signal?: AbortSignal) =>
    internalChat(t, INTERNAL_TOKEN, owner, { messages: [{ role: 'user', content }], ...extra }, signal ? { signal } : {});

  const storedMetadata = (messageId: string) =>
    waitFor(() => t.prisma.message.findUnique({ where: { id: messageId } }), { what: 'the assistant message to be stored', until: (m) => m !== null }).then(
      (m) => m?.metadata as { guardrails?: { stage: string; verdict: string; score?: number; entities?: Record<string, number> }[] },
    );

  const chatRequests = () => t.mock.state.requests.list().filter((r) => r.wire === 'anthropic');
  const judgeRequests = () => t.mock.state.requests.list().filter((r) => r.wire === 'openai');

  describe('stall flush (flush_after_ms)', () => {
    /**
     * Reads a streamed answer up to its first text delta and returns it with how many tokens the
     * upstream had sent by then. The upstream sends one word, then waits seconds for the next.
     */
    async function firstDelta(owner: TestOwner): Promise<{ text: string; upstreamTokens: number }> {
      t.mock.state.faults.add({ match: { wire: 'anthropic' }, fault: { reply: 'Alpha Bravo Charlie', token_delay_ms: 3_000 }, times: 1 });
      const abort = new AbortController();
      const response = await chat(owner, 'Say three words', { stream: true }, abort.signal);
      expect(response.status).toBe(200);
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let buffered = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) throw new Error('the stream ended without text');
          buffered += decoder.decode(value, { stream: true });
          const match = /"content":"([^"]+)"/.exec(buffered);
          if (match) return { text: match[1] as string, upstreamTokens: chatRequests()[0]?.tokens_sent ?? -1 };
        }
      } finally {
        abort.abort();
        await reader.cancel().catch(() => undefined);
      }
    }

    it('releases an unfinished word when the model stalls, before the next token arrives', async () => {
      const owner = await tenant({ action: 'block', flush_after_ms: 20 });
      expect(await firstDelta(owner)).toEqual({ text: 'Alpha', upstreamTokens: 1 });
    });

    it('without it, the word waits for the next token', async () => {
      const owner = await tenant({ action: 'block' });
      const first = await firstDelta(owner);
      expect(first.text.trim()).toBe('Alpha');
      expect(first.upstreamTokens).toBeGreaterThanOrEqual(2);
    });

    it('still never releases a planted secret, and a flushed answer arrives whole', async () => {
      const owner = await tenant({ action: 'block', flush_after_ms: 0 });
      t.mock.state.faults.add({ match: { wire: 'anthropic' }, fault: { reply: `The key is sk-ant-api03-${'Q7'.repeat(20)} and that is all.` }, times: 1 });
      const blocked = await streamed(await chat(owner, 'What is the key?', { stream: true }));
      expect(blocked.deltas.join('')).not.toContain('sk-ant');
      expect(blocked.finish).toBe('content_filter');
      const clean = await streamed(await chat(owner, 'Tell me about tea', { stream: true }));
      expect(clean).toEqual({ deltas: expect.any(Array), finish: 'stop' });
      expect(clean.deltas.join('')).toBe('Mock reply: Tell me about tea');
    });
  });

  describe('LLM moderation classifier', () => {
    const judged = (extra: Record<string, unknown> = {}) => ({ action: 'block', classifier: { kind: 'llm', model: 'cheap', timeout_ms: 5_000, ...extra } });

    it('judges a plain answer before it goes out: a flagged answer is withheld with content_filter', async () => {
      const owner = await tenant(judged());
      t.mock.state.faults.add({ match: JUDGE, fault: { reply: FLAGGED } });
      const response = await chat(owner, 'Tell me about tea');
      const body = (await response.json()) as Completion;
      expect(body.choices[0]).toMatchObject({ message: { content: '' }, finish_reason: 'content_filter' });
      // The judge saw the model's answer, under the moderation prompt.
      const [judge] = judgeRequests();
      expect(judge?.prompt_text).toContain('content moderation classifier');
      expect(judge?.prompt_text).toContain('Mock reply: Tell me about tea');
      const metadata = await storedMetadata(response.headers.get(ConduitHeader.MessageId) as string);
      expect(metadata.guardrails).toEqual([{ stage: 'output_guard', verdict: 'content_filter', score: 0.91, entities: { 'classifier:flagged': 1 } }]);
    });

    it('lets an answer the judge passes through unchanged', async () => {
      const owner = await tenant(judged());
      t.mock.state.faults.add({ match: JUDGE, fault: { reply: CLEAN } });
      const body = (await (await chat(owner, 'Tell me about tea')).json()) as Completion;
      expect(body.choices[0]).toMatchObject({ message: { content: 'Mock reply: Tell me about tea' }, finish_reason: 'stop' });
      expect(judgeRequests()).toHaveLength(1);
    });

    it('streamed, classifier_streaming end: the text streams, a flagged answer ends with content_filter', async () => {
      const owner = await tenant(judged());
      t.mock.state.faults.add({ match: JUDGE, fault: { reply: FLAGGED } });
      const { deltas, finish } = await streamed(await chat(owner, 'Tell me about tea', { stream: true }));
      // Released as it came (no time to first token added); only the held last word is withheld.
      expect(deltas.length).toBeGreaterThan(1);
      expect(deltas.join('').trimEnd()).toBe('Mock reply: Tell me about');
      expect(finish).toBe('content_filter');
      expect(judgeRequests()[0]?.prompt_text).toContain('Mock reply: Tell me about tea');
    });

    it('streamed, classifier_streaming hold: nothing goes out before the verdict', async () => {
      const owner = await tenant({ ...judged(), classifier_streaming: 'hold' });
      t.mock.state.faults.add({ match: JUDGE, fault: { reply: FLAGGED }, times: 1 });
      const blocked = await streamed(await chat(owner, 'Tell me about tea', { stream: true }));
      expect(blocked).toEqual({ deltas: [], finish: 'content_filter' });
      t.mock.state.faults.add({ match: JUDGE, fault: { reply: CLEAN }, times: 1 });
      const passed = await streamed(await chat(owner, 'Tell me about tea', { stream: true }));
      expect(passed).toEqual({ deltas: ['Mock reply: Tell me about tea'], finish: 'stop' });
    });

    it.each<['open' | 'closed', string, string]>([
      ['open', 'stop', 'Mock reply: Tell me about tea'],
      ['closed', 'content_filter', ''],
    ])('when the judge is down, fails %s', async (onFailure, finishReason, content) => {
      const owner = await tenant(judged({ on_failure: onFailure }));
      t.mock.state.faults.add({ match: JUDGE, fault: { status: 503 } });
      const response = await chat(owner, 'Tell me about tea');
      const body = (await response.json()) as Completion;
      expect(body.choices[0]).toMatchObject({ message: { content }, finish_reason: finishReason });
      expect(judgeRequests().length).toBeGreaterThanOrEqual(1);
      const metadata = await storedMetadata(response.headers.get(ConduitHeader.MessageId) as string);
      if (onFailure === 'closed') expect(metadata.guardrails).toEqual([expect.objectContaining({ stage: 'output_guard', verdict: 'content_filter', entities: { 'classifier:unavailable': 1 } })]);
      else expect(metadata.guardrails ?? []).toEqual([]);
    });

    it('flag: the answer goes out and the verdict is recorded', async () => {
      const owner = await tenant({ ...judged(), action: 'flag' });
      t.mock.state.faults.add({ match: JUDGE, fault: { reply: FLAGGED } });
      const response = await chat(owner, 'Tell me about tea');
      const body = (await response.json()) as Completion;
      expect(body.choices[0]?.message.content).toBe('Mock reply: Tell me about tea');
      const metadata = await storedMetadata(response.headers.get(ConduitHeader.MessageId) as string);
      expect(metadata.guardrails).toEqual([{ stage: 'output_guard', verdict: 'flag', score: 0.91, entities: { 'classifier:flagged': 1 } }]);
    });
  });

  describe('external HTTP moderation classifier', () => {
    let server: Server;
    let url: string;
    let answer: (text: string) => { status: number; body: unknown };
    const received: Array<{ text: string; kind: string }> = [];

    beforeAll(async () => {
      server = createServer((req: IncomingMessage, res: ServerResponse) => {
        let raw = '';
        req.on('data', (c: Buffer) => (raw += c.toString()));
        req.on('end', () => {
          const body = JSON.parse(raw) as { text: string; kind: string };
          received.push(body);
          const { status, body: reply } = answer(body.text);
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(reply));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/moderate`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('sends the answer as model_output and follows its label, plain and streamed', async () => {
      const owner = await tenant({ action: 'block', classifier: { kind: 'http', url, on_failure: 'closed' } });
      answer = (text) => ({ status: 200, body: text.includes('poison') ? { label: 'UNSAFE', score: 0.97 } : { label: 'SAFE', score: 0.99 } });
      const clean = (await (await chat(owner, 'Tell me about tea')).json()) as Completion;
      expect(clean.choices[0]).toMatchObject({ message: { content: 'Mock reply: Tell me about tea' }, finish_reason: 'stop' });
      expect(received.at(-1)).toEqual({ text: 'Mock reply: Tell me about tea', kind: 'model_output' });

      const flagged = (await (await chat(owner, 'Tell me about poison')).json()) as Completion;
      expect(flagged.choices[0]).toMatchObject({ message: { content: '' }, finish_reason: 'content_filter' });
      const stream = await streamed(await chat(owner, 'Tell me about poison', { stream: true }));
      expect(stream.finish).toBe('content_filter');
    });

    it('fails closed on a broken classifier when the policy says so, and open otherwise', async () => {
      answer = () => ({ status: 500, body: { error: 'down' } });
      const closed = await tenant({ action: 'block', classifier: { kind: 'http', url, on_failure: 'closed' } });
      expect(((await (await chat(closed, 'Tell me about tea')).json()) as Completion).choices[0]?.finish_reason).toBe('content_filter');
      const open = await tenant({ action: 'block', classifier: { kind: 'http', url, on_failure: 'open' } });
      expect(((await (await chat(open, 'Tell me about tea')).json()) as Completion).choices[0]).toMatchObject({ message: { content: 'Mock reply: Tell me about tea' }, finish_reason: 'stop' });
    });
  });
});
