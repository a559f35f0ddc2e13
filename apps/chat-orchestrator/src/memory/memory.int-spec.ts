import { randomUUID } from 'node:crypto';
import { UsageEventProducer } from '@conduit/budget';
import { ConduitHeader, JobName, QueueName, type MemoryExtractInput, memoryExtractSchema } from '@conduit/contracts';
import { Memories, MemoryRecall } from '@conduit/memory';
import { PolicyStore } from '@conduit/policies';
import { JobProducer } from '@conduit/queue';
import { createColleague, waitFor } from '@conduit/testing';
import { createOwner, removeOwners, TestOwner } from '../testing/fixtures';
import { internalChat } from '../testing/internal-chat';
import { OrchestratorTestApp, startOrchestratorTestApp } from '../testing/orchestrator-test-app';
import { MemoryExtractor } from './memory-extractor';

const INTERNAL_TOKEN = `token-${randomUUID()}`;
const MEMORY_HEADER = 'Long-term memories about this user';

describe('long-term memories: extracted after a turn, recalled in later sessions, reconciled safely', () => {
  let t: OrchestratorTestApp;
  let memories: Memories;
  let extractor: MemoryExtractor;
  const owners: TestOwner[] = [];

  beforeAll(async () => {
    t = await startOrchestratorTestApp({ INTERNAL_TOKEN }, {}, { http: true });
    memories = t.app.get(Memories);
    extractor = t.app.get(MemoryExtractor);
  });

  afterAll(async () => {
    await removeOwners(t.prisma, owners);
    await t.close();
  });

  async function owner(memory: Record<string, unknown> = { mode: 'full', recall_min_score: 0 }, extra: Record<string, unknown> = {}): Promise<TestOwner> {
    const created = await createOwner(t.prisma);
    owners.push(created);
    await t.app.get(PolicyStore).put(created.tenantId, { memory, ...extra }, 'test');
    return created;
  }

  /** One chat in a new session; the provider's prompt text of it (found by a marker in the message). */
  async function chat(o: TestOwner, content: string, conduit: Record<string, unknown> = {}): Promise<string> {
    const marker = `[m-${randomUUID()}]`;
    const response = await internalChat(t, INTERNAL_TOKEN, o, { messages: [{ role: 'user', content: `${content} ${marker}` }], ...(Object.keys(conduit).length ? { conduit } : {}) });
    await response.arrayBuffer();
    expect(response.status).toBe(200);
    const entry = t.mock.state.requests.list().find((r) => r.prompt_text.includes(marker) && !r.prompt_text.includes('Conduit memory extractor'));
    expect(entry).toBeDefined();
    return entry?.prompt_text ?? '';
  }

  const contents = async (o: TestOwner) => (await memories.store.live(o)).map((m) => m.content).sort();
  const job = (o: TestOwner, userText: string, messageId = randomUUID()): ReturnType<typeof memoryExtractSchema.parse> =>
    memoryExtractSchema.parse({ tenant_id: o.tenantId, user_id: o.userId, message_id: messageId, user_text: userText, assistant_text: 'Noted.' } satisfies MemoryExtractInput);

  it('a fact stated in one session reaches the provider in a later session of the same user, never another user or tenant', async () => {
    const alice = await owner();
    const bob = await createColleague(t.prisma, alice);
    const mallory = await owner();
    await chat(alice, 'My name is Sam. I prefer green tea.');
    await waitFor(() => t.prisma.memory.findMany({ where: { tenantId: alice.tenantId, userId: alice.userId } }), {
      until: (rows) => rows.length === 2 && rows.every((row) => row.embeddedAt !== null),
      timeoutMs: 15_000,
      what: "alice's extracted and embedded memories",
    });
    expect(await contents(alice)).toEqual(['Name is Sam', 'Prefers green tea']);

    const later = await chat(alice, 'Which green tea should I buy, Sam?');
    expect(later).toContain(MEMORY_HEADER);
    expect(later).toContain('Prefers green tea');

    for (const other of [bob, mallory]) {
      const prompt = await chat(other, 'Which green tea should I buy, Sam?');
      expect(prompt).not.toContain(MEMORY_HEADER);
      expect(prompt).not.toContain('Prefers green tea');
    }
  });

  it('memory off — tenant policy not `full`, or `conduit.memory: false` — recalls nothing and extracts nothing', async () => {
    const producer = t.app.get(JobProducer);
    const enqueued: string[] = [];
    const original = producer.enqueue.bind(producer);
    const spy = jest.spyOn(producer, 'enqueue').mockImplementation((name, payload, options) => {
      if (name === JobName.MemoryExtract) enqueued.push((payload as MemoryExtractInput).tenant_id);
      return original(name, payload, options);
    });
    try {
      const summariesOnly = await owner({ mode: 'summaries', recall_min_score: 0 });
      const full = await owner();
      for (const o of [summariesOnly, full]) await memories.addStated(o, 'Prefers oolong tea', 'preference');

      expect(await chat(summariesOnly, 'I prefer oolong tea. Which oolong tea now?')).not.toContain(MEMORY_HEADER);
      expect(await chat(full, 'I prefer oolong tea. Which oolong tea now?', { memory: false })).not.toContain(MEMORY_HEADER);
      // The turn was handed to persistence before the answer returned: no extraction was enqueued.
      expect(enqueued.filter((id) => id === summariesOnly.tenantId || id === full.tenantId)).toEqual([]);

      // The control: memory on, the same request recalls and enqueues.
      expect(await chat(full, 'I prefer oolong tea. Which oolong tea now?')).toContain('Prefers oolong tea');
      expect(enqueued.filter((id) => id === full.tenantId)).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('a recall that fails never fails the chat: answered without memories, marked degraded', async () => {
    const o = await owner();
    await memories.addStated(o, 'Prefers lapsang tea', 'preference');
    const spy = jest.spyOn(t.app.get(MemoryRecall), 'recall').mockRejectedValueOnce(new Error('vector store down'));
    try {
      const marker = `[m-${randomUUID()}]`;
      const response = await internalChat(t, INTERNAL_TOKEN, o, { messages: [{ role: 'user', content: `Which lapsang tea? ${marker}` }] });
      await response.arrayBuffer();
      expect(response.status).toBe(200);
      expect(response.headers.get(ConduitHeader.Degraded)).toBe('memory');
      const entry = t.mock.state.requests.list().find((r) => r.prompt_text.includes(marker) && !r.prompt_text.includes('Conduit memory extractor'));
      expect(entry?.prompt_text).not.toContain(MEMORY_HEADER);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  describe('reconciliation (the extraction job against mock-llm’s fact extractor)', () => {
    it('a duplicate is a no-op — also when the extractor answers it as delete + add (mem0#1674)', async () => {
      const o = await owner();
      expect(await extractor.extract(job(o, 'I prefer jasmine tea.'))).toBe('applied');
      const [first] = await memories.store.live(o);
      expect(await extractor.extract(job(o, 'I prefer jasmine tea!'))).toBe('no_change');
      expect(await extractor.extract(job(o, 'I prefer jasmine tea. [[memory:dup-delete]]'))).toBe('no_change');
      const after = await memories.store.live(o);
      expect(after).toEqual([first]);
      expect(await memories.vectors.count(o, [first.id])).toBe(1);
    });

    it('an update replaces the memory in place (same id, new content, new vector)', async () => {
      const o = await owner();
      await extractor.extract(job(o, 'My name is Sam.'));
      const [before] = await memories.store.live(o);
      const messageId = randomUUID();
      expect(await extractor.extract(job(o, 'My name is Samuel.', messageId))).toBe('applied');
      const after = await memories.store.live(o);
      expect(after).toEqual([{ id: before.id, kind: 'profile', content: 'Name is Samuel' }]);
      expect((await memories.store.find(o, before.id))?.sourceMessageIds).toContain(messageId);
      expect(await t.prisma.memory.count({ where: { id: before.id, embeddedAt: { not: null } } })).toBe(1);
    });

    it('a contradiction replaces the old fact — as an update, or as delete + add written in one transaction (mem0#4536)', async () => {
      const o = await owner();
      await extractor.extract(job(o, 'I prefer tea.'));
      expect(await extractor.extract(job(o, 'Actually I prefer coffee.'))).toBe('applied');
      expect(await contents(o)).toEqual(['Prefers coffee']);
      expect(await extractor.extract(job(o, 'I prefer cocoa. [[memory:delete-add]]'))).toBe('applied');
      expect(await contents(o)).toEqual(['Prefers cocoa']);
      const ids = (await memories.store.allIds(o)).sort();
      expect(ids).toHaveLength(1);
      expect(await memories.vectors.count(o, ids)).toBe(1);
    });

    it('an explicit "forget that …" deletes the matching memory and its vector, and nothing else', async () => {
      const o = await owner();
      await extractor.extract(job(o, "I prefer rooibos. I'm working on a tea blog."));
      const before = await memories.store.live(o);
      expect(before).toHaveLength(2);
      expect(await extractor.extract(job(o, 'Forget that I prefer rooibos.'))).toBe('applied');
      expect(await contents(o)).toEqual(['Working on a tea blog']);
      expect(await memories.vectors.count(o, before.map((m) => m.id))).toBe(1);
      expect(await t.prisma.memory.count({ where: { tenantId: o.tenantId, userId: o.userId } })).toBe(1);
    });

    it('a malformed or wrongly shaped extractor answer is rejected and existing memories are untouched', async () => {
      const o = await owner();
      await extractor.extract(job(o, 'I prefer matcha. My name is Kim.'));
      const before = await memories.store.live(o);
      expect(await extractor.extract(job(o, 'Forget that I prefer matcha. [[memory:malformed]]'))).toBe('rejected');
      expect(await extractor.extract(job(o, 'My name is Lee. [[memory:invalid]]'))).toBe('rejected');
      expect(await memories.store.live(o)).toEqual(before);
    });

    it('a job run again — concurrently, after a crash before the commit, or after one before the vectors — leaves no duplicates', async () => {
      const o = await owner();
      // Two workers on the same turn at once.
      const twice = job(o, 'I prefer earl grey.');
      expect((await Promise.all([extractor.extract(twice), extractor.extract(twice)])).sort()).toEqual(['applied', 'duplicate']);
      expect(await contents(o)).toEqual(['Prefers earl grey']);

      // Killed before the commit: nothing written, the retry writes once.
      const killed = job(o, "I'm working on a teapot.");
      const commit = jest.spyOn(memories.store, 'applyExtraction').mockRejectedValueOnce(new Error('worker killed'));
      await expect(extractor.extract(killed)).rejects.toThrow('worker killed');
      commit.mockRestore();
      expect(await contents(o)).toEqual(['Prefers earl grey']);
      expect(await extractor.extract(killed)).toBe('applied');
      expect(await extractor.extract(killed)).toBe('duplicate');
      expect(await contents(o)).toEqual(['Prefers earl grey', 'Working on a teapot']);

      // Killed after the commit, before the vectors: the retry writes no row and finishes the vector.
      const halfway = job(o, 'My name is Ada.');
      const upsert = jest.spyOn(memories.vectors, 'upsert').mockRejectedValueOnce(new Error('worker killed'));
      await expect(extractor.extract(halfway)).rejects.toThrow('worker killed');
      upsert.mockRestore();
      expect(await extractor.extract(halfway)).toBe('duplicate');
      const live = await memories.store.live(o);
      expect(live.map((m) => m.content).sort()).toEqual(['Name is Ada', 'Prefers earl grey', 'Working on a teapot']);
      expect(await memories.vectors.count(o, live.map((m) => m.id))).toBe(3);
      expect(await t.prisma.memoryExtraction.count({ where: { tenantId: o.tenantId } })).toBe(3);
    });

    it('runs through the queue: the job is keyed by the turn, enqueued twice it writes once', async () => {
      const o = await owner();
      const data = job(o, 'I prefer white tea.');
      const producer = t.app.get(JobProducer);
      await producer.enqueue(JobName.MemoryExtract, data, { jobId: `memory-${data.message_id}` });
      await waitFor(() => t.prisma.memoryExtraction.count({ where: { messageId: data.message_id } }), { until: (n) => n === 1, timeoutMs: 15_000, what: 'the extraction written by the worker' });
      await producer.enqueue(JobName.MemoryExtract, data, { jobId: `memory-${data.message_id}-again` });
      await waitFor(() => producer.queue(QueueName.Memory).getJobCounts('waiting', 'active', 'delayed'), {
        until: (counts) => counts.waiting + counts.active + counts.delayed === 0,
        timeoutMs: 15_000,
        what: 'the queue drained',
      });
      expect(await contents(o)).toEqual(['Prefers white tea']);
    });

    it('masks personal data the tenant guards before storing, and bills the extraction as `memory`', async () => {
      const o = await owner({ mode: 'full' }, { guardrails: { pii: { entities: { EMAIL: 'redact' } } } });
      const usage = t.app.get(UsageEventProducer);
      const emitted: { feature: string; event_id: string }[] = [];
      const spy = jest.spyOn(usage, 'emit').mockImplementation(async (events) => {
        emitted.push(...events.map((e) => ({ feature: e.feature, event_id: e.event_id })));
      });
      try {
        const data = job(o, 'My name is kim@example.com.');
        expect(await extractor.extract(data)).toBe('applied');
        const [memory] = await memories.store.live(o);
        expect(memory.content).not.toContain('kim@example.com');
        expect(memory.content).toMatch(/^Name is /);
        expect(emitted.length).toBeGreaterThan(0);
        expect(emitted.every((e) => e.feature === 'memory')).toBe(true);
      } finally {
        spy.mockRestore();
      }
    });
  });
});
