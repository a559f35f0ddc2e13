import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import { ConduitHeader, QueueName } from '@conduit/contracts';
import { SessionSummaryProducer, SessionSummaryStore } from '@conduit/conversations';
import type { RequestLogEntry } from '@conduit/mock-llm';
import { PolicyStore } from '@conduit/policies';
import { createColleague, waitFor } from '@conduit/testing';
import { SUMMARY_LABEL } from '../chat/session-context';
import { createOwner, removeOwners, TestOwner } from '../testing/fixtures';
import { internalChat } from '../testing/internal-chat';
import { OrchestratorTestApp, startOrchestratorTestApp } from '../testing/orchestrator-test-app';

jest.setTimeout(60_000);

const INTERNAL_TOKEN = `token-${randomUUID()}`;
/** The test app's routes: `default` → claude-sonnet-4-6 (Anthropic), `cheap` → gpt-4.1-mini (OpenAI). */
const CHAT_MODEL = 'claude-sonnet-4-6';
const SUMMARY_MODEL = 'gpt-4.1-mini';
const TOOLS = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }];

/**
 * A user message of about 60 tokens with a marker in its first 80 characters (the mock summariser
 * keeps those) and another one after them (seen only when the message itself is in the window).
 */
const question = (i: number) => `Fact ${i}: head-${i}. ${'The quick brown fox jumps over the lazy dog. '.repeat(5)} tail-${i}.`;

describe('session summaries and the history window (memory policy, real Postgres, Redis and BullMQ, mock provider)', () => {
  let t: OrchestratorTestApp;
  const owners: TestOwner[] = [];

  beforeAll(async () => {
    t = await startOrchestratorTestApp({ INTERNAL_TOKEN, CHAT_HISTORY_MAX_TOKENS: '4000' }, {}, { http: true });
  });

  afterAll(async () => {
    await removeOwners(t.prisma, owners);
    await t.close();
  });

  afterEach(() => {
    t.mock.state.faults.clear();
  });

  async function owner(memory?: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<TestOwner> {
    const created = await createOwner(t.prisma);
    owners.push(created);
    if (memory) await t.app.get(PolicyStore).put(created.tenantId, { memory, ...extra }, 'test');
    return created;
  }

  /** One turn; the session id it ran in (a new one when `sessionId` is absent). */
  async function chat(o: TestOwner, sessionId: string | undefined, messages: Record<string, unknown>[], extra: Record<string, unknown> = {}): Promise<{ status: number; sessionId: string; body: Record<string, unknown> }> {
    const conduit = { ...(sessionId ? { session_id: sessionId } : {}), ...((extra['conduit'] as Record<string, unknown>) ?? {}) };
    const response = await internalChat(t, INTERNAL_TOKEN, o, { ...extra, messages, conduit });
    const body = (await response.json()) as Record<string, unknown>;
    return { status: response.status, sessionId: response.headers.get(ConduitHeader.SessionId) ?? '', body };
  }

  /** Waits until every message of the session's turns so far is stored (turns are written behind the answer). */
  const storedMessages = (sessionId: string, count: number) =>
    waitFor(() => t.prisma.message.count({ where: { sessionId } }), { until: (n) => n >= count, what: `${count} stored messages` });

  const chatRequests = (): RequestLogEntry[] => t.mock.state.requests.list().filter((entry) => entry.model === CHAT_MODEL);
  const lastChatRequest = () => chatRequests().at(-1) as RequestLogEntry;
  const summary = (o: TestOwner, sessionId: string) => t.app.get(SessionSummaryStore).get(o, sessionId);

  /** Runs turns of `question(i)` in one session until its summary exists; returns the session and the turns run. */
  async function summarisedSession(o: TestOwner, ask: (i: number) => string = question): Promise<{ sessionId: string; turns: number }> {
    let sessionId: string | undefined;
    let turns = 0;
    for (; turns < 12; turns += 1) {
      const result = await chat(o, sessionId, [{ role: 'user', content: ask(turns) }]);
      expect(result.status).toBe(200);
      sessionId = result.sessionId;
      await storedMessages(sessionId, (turns + 1) * 2);
      if (turns >= 3) break;
    }
    const id = sessionId as string;
    await waitFor(() => summary(o, id), { until: (s) => s !== null, timeoutMs: 20_000, what: 'the session summary' });
    return { sessionId: id, turns: turns + 1 };
  }

  it('past the threshold, summarises the older part with the summary model; the provider then gets the summary plus the window after it', async () => {
    const o = await owner({ mode: 'summaries', summary_threshold_tokens: 200, summary_model: 'cheap' });
    const { sessionId, turns } = await summarisedSession(o);
    const stored = await summary(o, sessionId);
    if (!stored) throw new Error('no summary');
    // The mock summariser keeps the first 80 characters of each covered user message.
    expect(stored.summary).toMatch(/^Summary: user: Fact 0: head-0\./);
    expect(stored.model).toBe(SUMMARY_MODEL);
    const covered = await t.prisma.message.findUniqueOrThrow({ where: { id: stored.coversMessageId } });
    expect(covered.sessionId).toBe(sessionId);
    expect(stored.coveredMessages).toBe(await t.prisma.message.count({ where: { sessionId, createdAt: { lte: covered.createdAt } } }));
    // The summariser call is billed as memory usage.
    const usage = await waitFor(
      () => t.producer.queue(QueueName.Usage).getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']),
      { until: (jobs: Job[]) => jobs.some((job) => job.data?.feature === 'memory' && job.data?.tenant_id === o.tenantId), what: 'the memory usage event' },
    );
    expect(usage.find((job) => job.data?.feature === 'memory' && job.data?.tenant_id === o.tenantId)?.data).toMatchObject({ model: SUMMARY_MODEL, user_id: o.userId });

    const next = await chat(o, sessionId, [{ role: 'user', content: question(turns) }]);
    expect(next.status).toBe(200);
    const prompt = lastChatRequest().prompt_text;
    expect(prompt).toContain(`${SUMMARY_LABEL}\n${stored.summary}`);
    // Covered messages are not repeated verbatim; the uncovered ones are.
    expect(prompt).not.toContain('tail-0.');
    expect(prompt).toContain(`tail-${turns - 1}.`);
    expect(prompt).toContain(`tail-${turns}.`);

    // `conduit.memory: false`: no summary for this request (the plain window).
    await chat(o, sessionId, [{ role: 'user', content: 'no memory please' }], { conduit: { memory: false } });
    expect(lastChatRequest().prompt_text).not.toContain(SUMMARY_LABEL);
  });

  it('re-summarises incrementally as the session grows: the new summary folds in the previous one and covers more', async () => {
    const o = await owner({ mode: 'summaries', summary_threshold_tokens: 200, summary_model: 'cheap' });
    const { sessionId, turns } = await summarisedSession(o);
    const first = await summary(o, sessionId);
    if (!first) throw new Error('no summary');
    for (let i = turns; i < turns + 3; i += 1) {
      expect((await chat(o, sessionId, [{ role: 'user', content: question(i) }])).status).toBe(200);
      await storedMessages(sessionId, (i + 1) * 2);
    }
    const second = await waitFor(() => summary(o, sessionId), { until: (s) => (s?.coveredMessages ?? 0) > first.coveredMessages, timeoutMs: 20_000, what: 'a newer summary' });
    expect(second?.coversCreatedAt.getTime()).toBeGreaterThan(first.coversCreatedAt.getTime());
    // The mock summariser keeps the previous summary's points first, then adds the new messages'.
    expect(second?.summary.startsWith(first.summary)).toBe(true);
    expect(second?.summary).toContain(`Fact ${turns - 1}: head-${turns - 1}.`);
  });

  it('masks the personal data the tenant’s PII guard covers before the summariser sees it', async () => {
    const o = await owner({ mode: 'summaries', summary_threshold_tokens: 200, summary_model: 'cheap' }, { guardrails: { pii: { entities: { EMAIL: 'redact' } } } });
    const { sessionId } = await summarisedSession(o, (i) => `Mail ${i}: jane.doe${i}@example.com. ${question(i)}`);
    const stored = await summary(o, sessionId);
    expect(stored?.summary).toContain('Mail 0: [redacted:email]');
    expect(stored?.summary).not.toMatch(/jane\.doe\d@example\.com/);
    const summariserPrompts = t.mock.state.requests.list().filter((entry) => entry.model === SUMMARY_MODEL && entry.prompt_text.includes('Mail 0'));
    expect(summariserPrompts.length).toBeGreaterThan(0);
    for (const entry of summariserPrompts) expect(entry.prompt_text).not.toContain('@example.com');
  });

  it('is the session owner’s only: another user of the tenant and another tenant get 404 and never the summary', async () => {
    const o = await owner({ mode: 'full', summary_threshold_tokens: 200, summary_model: 'cheap' });
    const { sessionId } = await summarisedSession(o);
    const colleague = await createColleague(t.prisma, o);
    const stranger = await owner({ mode: 'full', summary_threshold_tokens: 200 });
    for (const other of [colleague, stranger]) {
      expect((await chat(other, sessionId, [{ role: 'user', content: 'whose session?' }])).status).toBe(404);
      expect(await summary(other, sessionId)).toBeNull();
    }
  });

  it('below the threshold (or with memory off), nothing is enqueued or stored and the provider gets the plain window', async () => {
    const enqueue = jest.spyOn(t.app.get(SessionSummaryProducer), 'enqueue');
    try {
      for (const memory of [{ mode: 'summaries', summary_threshold_tokens: 100_000 }, { mode: 'off', summary_threshold_tokens: 200 }]) {
        const o = await owner(memory);
        let sessionId: string | undefined;
        for (let i = 0; i < 4; i += 1) {
          const result = await chat(o, sessionId, [{ role: 'user', content: question(i) }]);
          expect(result.status).toBe(200);
          sessionId = result.sessionId;
          await storedMessages(sessionId, (i + 1) * 2);
        }
        expect(enqueue.mock.calls.filter(([job]) => job.sessionId === sessionId)).toEqual([]);
        expect(await t.prisma.sessionSummary.count({ where: { sessionId: sessionId as string } })).toBe(0);
        const prompt = lastChatRequest().prompt_text;
        expect(prompt).not.toContain(SUMMARY_LABEL);
        for (let i = 0; i < 4; i += 1) expect(prompt).toContain(`tail-${i}.`);
      }
    } finally {
      enqueue.mockRestore();
    }
  });

  it('a failing summariser leaves no summary, the chat answers, and the provider gets the plain window', async () => {
    t.mock.state.faults.add({ match: { model: SUMMARY_MODEL }, fault: { status: 500 } });
    const o = await owner({ mode: 'summaries', summary_threshold_tokens: 200, summary_model: 'cheap' });
    let sessionId: string | undefined;
    for (let i = 0; i < 4; i += 1) {
      const result = await chat(o, sessionId, [{ role: 'user', content: question(i) }]);
      expect(result.status).toBe(200);
      sessionId = result.sessionId;
      await storedMessages(sessionId, (i + 1) * 2);
    }
    const id = sessionId as string;
    // Every attempt reaches the (failing) summariser, then the job gives up.
    await waitFor(() => t.producer.queue(QueueName.Summaries).getJobs(['failed']), {
      until: (jobs: Job[]) => jobs.some((job) => job.data?.session_id === id),
      timeoutMs: 30_000,
      what: 'the failed summary job',
    });
    expect(t.mock.state.requests.list().filter((entry) => entry.model === SUMMARY_MODEL && entry.status === 500).length).toBeGreaterThan(0);
    expect(await summary(o, id)).toBeNull();
    const next = await chat(o, id, [{ role: 'user', content: question(4) }]);
    expect(next.status).toBe(200);
    const prompt = lastChatRequest().prompt_text;
    expect(prompt).not.toContain(SUMMARY_LABEL);
    for (let i = 0; i <= 4; i += 1) expect(prompt).toContain(`tail-${i}.`);
  });

  describe('tool calls survive the history window and the provider accepts them', () => {
    it.each([
      ['OpenAI', 'cheap'],
      ['Anthropic', 'default'],
    ])('%s wire: a tool call, its result in the next request, then a follow-up question', async (_wire, model) => {
      const o = await owner();
      const first = await chat(o, undefined, [{ role: 'user', content: 'Please call tool lookup for me' }], { model, tools: TOOLS });
      expect(first.status).toBe(200);
      const choice = (first.body['choices'] as { message: { tool_calls?: { id: string }[] } }[])[0];
      const callId = choice?.message.tool_calls?.[0]?.id as string;
      expect(callId).toEqual(expect.any(String));
      await storedMessages(first.sessionId, 2);
      const stored = await t.prisma.message.findFirstOrThrow({ where: { sessionId: first.sessionId, role: 'assistant' } });
      expect(stored.toolCalls).toEqual([expect.objectContaining({ id: callId, function: expect.objectContaining({ name: 'lookup' }) })]);

      // The client answers the call: its tool result follows the stored call in the window.
      const second = await chat(o, first.sessionId, [{ role: 'tool', tool_call_id: callId, content: 'lookup result: 42' }], { model, tools: TOOLS });
      expect(second.status).toBe(200);
      await storedMessages(first.sessionId, 4);
      // A follow-up: the whole exchange (call, result, answer) is history now, on both wires.
      const third = await chat(o, first.sessionId, [{ role: 'user', content: 'And what did it say?' }], { model, tools: TOOLS });
      expect(third.status).toBe(200);
      const turn3 = t.mock.state.requests.list().at(-1) as RequestLogEntry;
      expect(turn3.status).toBe(200);
      expect(turn3.prompt_text).toContain('Please call tool lookup for me');
      // The other wire accepts the same history (the mapping turns it into its own blocks).
      const other = model === 'cheap' ? 'default' : 'cheap';
      expect((await chat(o, first.sessionId, [{ role: 'user', content: 'Once more' }], { model: other })).status).toBe(200);
    });

    it('a streamed tool call is stored too, so its result is accepted in the next request', async () => {
      const o = await owner();
      const response = await internalChat(t, INTERNAL_TOKEN, o, { model: 'default', stream: true, tools: TOOLS, messages: [{ role: 'user', content: 'Please call tool lookup' }] });
      expect(response.status).toBe(200);
      const sse = await response.text();
      const sessionId = response.headers.get(ConduitHeader.SessionId) ?? '';
      const callId = /"id":"(toolu_[^"]+)"/.exec(sse)?.[1] as string;
      expect(callId).toEqual(expect.any(String));
      await storedMessages(sessionId, 2);
      const stored = await t.prisma.message.findFirstOrThrow({ where: { sessionId, role: 'assistant' } });
      expect(stored.toolCalls).toEqual([{ id: callId, type: 'function', function: { name: 'lookup', arguments: '{}' } }]);
      expect((await chat(o, sessionId, [{ role: 'tool', tool_call_id: callId, content: 'lookup result: 42' }], { model: 'default', tools: TOOLS })).status).toBe(200);
    });

    it('the provider refuses a tool result without its call (so the window’s grouping is what makes the tests above pass)', async () => {
      const o = await owner();
      const orphan = await chat(o, undefined, [{ role: 'tool', tool_call_id: 'call_missing', content: 'stray' }], { model: 'cheap' });
      expect(orphan.status).toBeGreaterThanOrEqual(400);
      expect(orphan.status).toBeLessThan(500);
    });
  });
});
