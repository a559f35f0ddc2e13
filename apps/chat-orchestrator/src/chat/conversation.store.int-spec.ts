import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { JobsOptions } from 'bullmq';
import { JobInput, JobName, UsageEventInput } from '@conduit/contracts';
import { MessageRole, Prisma, PrismaService } from '@conduit/db';
import type { JobProducer } from '@conduit/queue';
import { ORCHESTRATOR_ERROR_STATUS } from '../errors/error-status';
import { createOwner, removeOwners, TestOwner } from '../testing/fixtures';
import { ChatErrorCode, ChatException } from './chat.exception';
import { HISTORY_SQL, turnRows, WRITE_TURNS_SQL, writeTurns } from './conversation.sql';
import { ChatTurn, ConversationStore, HistoryLimits } from './conversation.store';
import { estimateTokens } from './token-estimate';

/*
 * The chat path's SQL (conversation.sql.ts) against real Postgres. The rows must be exactly what
 * the Prisma code it replaced wrote: that code is kept below as the reference (`prismaWrite`,
 * `prismaHistory`) and both are run on the same turns.
 */

const databaseUrl = (): string => {
  const url = process.env['DATABASE_URL'];
  if (!url) throw new Error('DATABASE_URL is not set (the integration globalSetup sets it)');
  return url;
};

/** The batch write as it was with Prisma (reference for the SQL). */
async function prismaWrite(prisma: PrismaService, batch: ChatTurn[]): Promise<void> {
  const newSessions: Prisma.SessionCreateManyInput[] = [];
  const touched = new Set<string>();
  const messages: Prisma.MessageCreateManyInput[] = [];
  for (const turn of batch) {
    const { context, assistant } = turn;
    const owner = { tenantId: context.tenantId, userId: context.userId };
    if (turn.newSession && !newSessions.some((s) => s.id === turn.sessionId)) {
      newSessions.push({ id: turn.sessionId, ...owner, title: turn.title });
    } else if (!turn.newSession) {
      touched.add(turn.sessionId);
    }
    if (turn.userMessage) {
      messages.push({
        id: turn.userMessage.id,
        sessionId: turn.sessionId,
        ...owner,
        role: turn.userMessage.role as MessageRole,
        content: turn.userMessage.content,
        tokensIn: 0,
        createdAt: turn.userMessage.createdAt,
      });
    }
    messages.push({
      id: assistant.id,
      sessionId: turn.sessionId,
      ...owner,
      role: 'assistant',
      content: assistant.content,
      status: assistant.status,
      tokensIn: assistant.usage.input_tokens,
      tokensOut: assistant.usage.output_tokens,
      provider: assistant.provider,
      model: assistant.model,
      costUsd: assistant.costUsd,
      latencyMs: assistant.latencyMs,
      ttftMs: assistant.ttftMs,
      metadata: { ...assistant.metadata, request_id: context.requestId, usage_estimated: assistant.usageEstimated },
      createdAt: assistant.createdAt,
    });
  }
  await prisma.$transaction([
    ...(newSessions.length ? [prisma.session.createMany({ data: newSessions, skipDuplicates: true })] : []),
    ...(touched.size ? [prisma.session.updateMany({ where: { id: { in: [...touched] } }, data: { updatedAt: new Date() } })] : []),
    prisma.message.createMany({ data: messages, skipDuplicates: true }),
  ]);
}

/** History as it was with Prisma (reference for the SQL). */
async function prismaHistory(prisma: PrismaService, owner: TestOwner, sessionId: string, limits: HistoryLimits, excludeIds: string[] = []) {
  const session = await prisma.session.findFirst({
    where: { id: sessionId, tenantId: owner.tenantId, userId: owner.userId },
    select: {
      messages: {
        where: { status: { in: ['complete', 'partial'] }, role: { in: ['user', 'assistant'] }, ...(excludeIds.length ? { id: { notIn: excludeIds } } : {}) },
        orderBy: { createdAt: 'desc' },
        take: limits.maxMessages,
        select: { role: true, content: true },
      },
    },
  });
  if (!session) return null;
  const kept: { role: string; content: string }[] = [];
  let budget = limits.maxTokens;
  for (const message of session.messages) {
    budget -= estimateTokens(message.content);
    if (budget < 0) break;
    kept.push({ role: message.role, content: message.content });
  }
  return kept.reverse();
}

interface Enqueued {
  eventIds: string[];
  jobIds: (string | undefined)[];
  payloads: UsageEventInput[];
  /** Which of the events' messages were already in the database when the events were enqueued. */
  storedAtEnqueue: string[];
}

/** Stands in for BullMQ: records usage events and checks their rows were written first. */
class RecordingProducer {
  readonly calls: Enqueued[] = [];

  constructor(private readonly prisma: PrismaService) {}

  async enqueueMany<J extends JobName>(job: J, items: { payload: JobInput<J>; options?: JobsOptions }[]): Promise<void> {
    if (job !== JobName.UsageRecord) throw new Error(`unexpected job ${job}`);
    const payloads = items.map((item) => item.payload as UsageEventInput);
    const eventIds = payloads.map((p) => p.event_id);
    const stored = await this.prisma.message.findMany({ where: { id: { in: eventIds } }, select: { id: true } });
    this.calls.push({ eventIds, jobIds: items.map((i) => i.options?.jobId), payloads, storedAtEnqueue: stored.map((s) => s.id) });
  }
}

interface TurnSpec {
  owner: TestOwner;
  sessionId?: string;
  newSession?: boolean;
  title?: string;
  user?: { role: 'user' | 'tool'; content: string } | null;
  assistant?: Partial<ChatTurn['assistant']>;
  createdAt?: Date;
}

/** A finished turn with fresh ids (`spec` fixes what a test cares about). */
function makeTurn(spec: TurnSpec): ChatTurn {
  const createdAt = spec.createdAt ?? new Date();
  const user = spec.user === undefined ? { role: 'user' as const, content: 'Hello there' } : spec.user;
  return {
    context: { tenantId: spec.owner.tenantId, userId: spec.owner.userId, apiKeyId: null, requestId: `req-${randomUUID()}`, reservationId: null },
    sessionId: spec.sessionId ?? randomUUID(),
    newSession: spec.newSession ?? spec.sessionId === undefined,
    title: spec.title ?? 'Hello there',
    userMessage: user ? { id: randomUUID(), ...user, createdAt: new Date(createdAt.getTime() - 250) } : null,
    assistant: {
      id: randomUUID(),
      content: 'Mock reply',
      status: 'complete',
      provider: 'anthropic',
      model: 'claude-sonnet-4-6',
      usage: { input_tokens: 12, output_tokens: 34, cached_tokens: 5 },
      usageEstimated: false,
      costUsd: 0.000546,
      latencyMs: 250,
      ttftMs: null,
      metadata: { finish_reason: 'stop', attempts: 1 },
      createdAt,
      ...spec.assistant,
    },
  };
}

/** The same turn again with new ids, in `sessionId` (for writing it the other way). */
function twin(turn: ChatTurn, sessionId = randomUUID()): ChatTurn {
  return {
    ...turn,
    context: { ...turn.context },
    sessionId: turn.newSession ? sessionId : turn.sessionId,
    userMessage: turn.userMessage ? { ...turn.userMessage, id: randomUUID() } : null,
    assistant: { ...turn.assistant, id: randomUUID() },
  };
}

const messageIds = (turns: ChatTurn[]) => turns.flatMap((t) => [...(t.userMessage ? [t.userMessage.id] : []), t.assistant.id]);

describe('ConversationStore on real Postgres (SQL on the pg pool)', () => {
  let prisma: PrismaService;
  let owner: TestOwner;
  const owners: TestOwner[] = [];
  let producer: RecordingProducer;
  let store: ConversationStore;

  /** Every column of these rows but the ids (which differ between the two ways of writing). */
  const messageColumns = async (ids: string[]) => {
    const { rows } = await prisma.pg.query<{ id: string; row: Record<string, unknown> }>(
      `SELECT id::text AS id, to_jsonb(m) - 'id' - 'session_id' AS row FROM messages AS m WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const byId = new Map(rows.map((r) => [r.id, r.row]));
    return ids.map((id) => byId.get(id));
  };
  const sessionRow = (id: string) => prisma.session.findUnique({ where: { id } });
  const createSession = (of: TestOwner, updatedAt = new Date('2020-01-01T00:00:00.000Z')) =>
    prisma.session.create({ data: { tenantId: of.tenantId, userId: of.userId, title: 'Existing', updatedAt, createdAt: updatedAt } });

  beforeAll(async () => {
    // The store logs the turns it could not store; here that is expected.
    Logger.overrideLogger(false);
    prisma = new PrismaService({ url: databaseUrl(), poolSize: 4 });
    await prisma.onModuleInit();
    owner = await createOwner(prisma);
    owners.push(owner);
  });

  afterAll(async () => {
    if (prisma) {
      await removeOwners(prisma, owners);
      await prisma.onApplicationShutdown();
    }
  });

  beforeEach(() => {
    producer = new RecordingProducer(prisma);
    store = new ConversationStore(prisma, producer as unknown as JobProducer);
  });

  afterEach(async () => {
    await store.drain();
  });

  describe('batch write', () => {
    it('writes exactly the rows the Prisma transaction wrote: new and continued sessions, user/tool/assistant messages', async () => {
      const legacyContinued = await createSession(owner);
      const sqlContinued = await createSession(owner);
      const createdAt = new Date(Date.now() - 1_000);
      // Each spec once Prisma's way and once the new way; values chosen where conversions could differ.
      const specs: TurnSpec[] = [
        {
          owner,
          title: 'An emoji cut in half by the title limit 😀'.slice(0, 41),
          user: { role: 'user', content: 'Lone \ud800 surrogate and ünïcödé' },
          assistant: {
            costUsd: 0.1 + 0.2,
            metadata: {
              finish_reason: 'stop',
              attempts: 2,
              citations: [{ index: 1, document_id: randomUUID(), chunk_index: 3, score: 0.8123, filename: null }],
              retrieval_ms: 17,
              tool_calls: JSON.stringify([{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }]),
            },
          },
          createdAt,
        },
        {
          owner,
          sessionId: 'continued',
          user: { role: 'tool', content: '{"result": 42}' },
          assistant: {
            status: 'partial',
            usageEstimated: true,
            ttftMs: 17,
            costUsd: 1.23e-7,
            provider: 'openai',
            model: 'gpt-4.1-mini',
            metadata: { finish_reason: 'cancelled', error: 'timeout' },
          },
          createdAt: new Date(createdAt.getTime() + 1),
        },
        {
          owner,
          user: null,
          assistant: { provider: null, model: null, usage: { input_tokens: 0, output_tokens: 0, cached_tokens: 0 }, costUsd: 0, latencyMs: 3, content: '' },
          createdAt: new Date(createdAt.getTime() + 2),
        },
        { owner, sessionId: 'continued', assistant: { costUsd: 0.000000125, latencyMs: 123_456, ttftMs: 0 }, createdAt: new Date(createdAt.getTime() + 3) },
        { owner, sessionId: 'continued', assistant: { costUsd: 12345.678901234 }, createdAt: new Date(createdAt.getTime() + 4) },
      ];
      const legacy = specs.map((spec) => makeTurn({ ...spec, sessionId: spec.sessionId && legacyContinued.id }));
      const sql = legacy.map((turn) => (turn.newSession ? twin(turn) : twin({ ...turn, sessionId: sqlContinued.id })));

      const before = new Date();
      await prismaWrite(prisma, legacy);
      await Promise.all(sql.map((turn) => store.save(turn)));
      const after = new Date();

      const legacyRows = await messageColumns(messageIds(legacy));
      const sqlRows = await messageColumns(messageIds(sql));
      expect(legacyRows.every((row) => row !== undefined)).toBe(true);
      expect(sqlRows).toEqual(legacyRows);
      // A spot check that the comparison compares something: the partial, estimated, tool turn.
      expect(sqlRows[2]).toMatchObject({ role: 'tool', status: 'complete', content: '{"result": 42}', tokens_in: 0, cost_usd: 0 });
      expect(sqlRows[3]).toMatchObject({
        role: 'assistant',
        status: 'partial',
        provider: 'openai',
        model: 'gpt-4.1-mini',
        tokens_in: 12,
        tokens_out: 34,
        cost_usd: 0.00000012,
        latency_ms: 250,
        ttft_ms: 17,
        metadata: { finish_reason: 'cancelled', error: 'timeout', request_id: legacy[1].context.requestId, usage_estimated: true },
      });
      expect(sqlRows[0]).toMatchObject({ content: 'Lone \ufffd surrogate and ünïcödé' });

      for (const [index, turn] of sql.entries()) {
        if (!turn.newSession) continue;
        const [legacySession, sqlSession] = await Promise.all([sessionRow(legacy[index].sessionId), sessionRow(turn.sessionId)]);
        expect(sqlSession).toMatchObject({ tenantId: owner.tenantId, userId: owner.userId, title: legacySession?.title, metadata: {}, deletedAt: null });
        expect(sqlSession?.updatedAt).toEqual(sqlSession?.createdAt);
        expect(sqlSession?.createdAt.getTime()).toBeGreaterThanOrEqual(before.getTime());
        expect(sqlSession?.createdAt.getTime()).toBeLessThanOrEqual(after.getTime());
      }
      expect((await sessionRow(sql[0].sessionId))?.title).toBe('An emoji cut in half by the title limit \ufffd');
      for (const continued of [legacyContinued.id, sqlContinued.id]) {
        expect((await sessionRow(continued))?.updatedAt.getTime()).toBeGreaterThanOrEqual(before.getTime());
      }
    });

    it('writes one batch in one statement and emits the usage events after the rows, with the same payloads and job ids', async () => {
      const query = jest.spyOn(prisma.pg, 'query');
      const first = makeTurn({ owner });
      Object.assign(first.context, { apiKeyId: randomUUID(), reservationId: randomUUID(), feature: 'job' });
      // The third consumed no tokens: stored, not billed.
      const turns = [first, makeTurn({ owner }), makeTurn({ owner, assistant: { usage: { input_tokens: 0, output_tokens: 0, cached_tokens: 0 } } })];
      try {
        await Promise.all(turns.map((turn) => store.save(turn)));
        expect(query.mock.calls.filter(([text]) => text === WRITE_TURNS_SQL)).toHaveLength(1);
      } finally {
        query.mockRestore();
      }
      expect(producer.calls).toHaveLength(1);
      expect(producer.calls[0].eventIds).toEqual([turns[0].assistant.id, turns[1].assistant.id]);
      expect(producer.calls[0].storedAtEnqueue.sort()).toEqual(producer.calls[0].eventIds.slice().sort());
      expect(producer.calls[0].jobIds).toEqual(producer.calls[0].eventIds.map((id) => `usage-${id}`));
      expect(producer.calls[0].payloads[0]).toEqual({
        event_id: first.assistant.id,
        tenant_id: owner.tenantId,
        user_id: owner.userId,
        api_key_id: first.context.apiKeyId,
        request_id: first.context.requestId,
        provider: 'anthropic',
        model: 'claude-sonnet-4-6',
        input_tokens: 12,
        output_tokens: 34,
        cached_tokens: 5,
        latency_ms: 250,
        feature: 'job',
        occurred_at: first.assistant.createdAt.toISOString(),
        reservation_id: first.context.reservationId,
      });
    });

    it('treats writing the same turns again as a no-op (rows keyed by the turn ids), also twice within one batch', async () => {
      const continued = await createSession(owner);
      const turns = [makeTurn({ owner }), makeTurn({ owner, sessionId: continued.id, user: { role: 'tool', content: 'tool output' } })];
      await Promise.all(turns.map((turn) => store.save(turn)));
      const ids = messageIds(turns);
      const rows = await messageColumns(ids);
      const created = await sessionRow(turns[0].sessionId);

      // A re-run writes the same ids (with whatever it produced this time); the first write stands.
      const again = turns.map((turn) => ({ ...turn, title: 'Other', assistant: { ...turn.assistant, content: 'Another answer', costUsd: 9 } }));
      await Promise.all([...again, ...again.map((turn) => ({ ...turn }))].map((turn) => store.save(turn)));

      expect(await messageColumns(ids)).toEqual(rows);
      expect(await prisma.message.count({ where: { sessionId: { in: turns.map((t) => t.sessionId) } } })).toBe(4);
      expect(await sessionRow(turns[0].sessionId)).toEqual(created);
    });

    it('retries a failing batch turn by turn: a deleted session rejects only its own turn', async () => {
      const doomed = await createSession(owner);
      const kept = await createSession(owner);
      await prisma.session.delete({ where: { id: doomed.id } });
      const turns = [makeTurn({ owner }), makeTurn({ owner, sessionId: doomed.id }), makeTurn({ owner, sessionId: kept.id })];

      const results = await Promise.allSettled(turns.map((turn) => store.save(turn)));

      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(results[1]).toMatchObject({ status: 'rejected', reason: { code: '23503', constraint: 'messages_session_id_fkey' } });
      const stored = await prisma.message.findMany({ where: { id: { in: messageIds(turns) } }, select: { id: true } });
      expect(stored.map((m) => m.id).sort()).toEqual(messageIds([turns[0], turns[2]]).sort());
      expect(await sessionRow(turns[0].sessionId)).not.toBeNull();
      // Usage only for the stored turns, one event per retried turn.
      expect(producer.calls.map((c) => c.eventIds)).toEqual([[turns[0].assistant.id], [turns[2].assistant.id]]);
    });

    it('fails a turn whose text Postgres cannot hold (NUL) like Prisma did, alone and without its text in the error', async () => {
      const secret = 'a confidential question with a NUL \u0000 in it';
      const turns = [makeTurn({ owner }), makeTurn({ owner, user: { role: 'user', content: secret } }), makeTurn({ owner })];

      const results = await Promise.allSettled(turns.map((turn) => store.save(turn)));

      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const reason = (results[1] as PromiseRejectedResult).reason as Error & { code?: string; where?: string };
      expect(reason.code).toBe('22P05');
      expect(JSON.stringify({ ...reason, message: reason.message })).not.toContain('confidential');
      expect(await prisma.message.count({ where: { id: { in: messageIds(turns) } } })).toBe(4);
      expect(producer.calls.map((c) => c.eventIds)).toEqual([[turns[0].assistant.id], [turns[2].assistant.id]]);
    });

    it('stamps new sessions (created_at = updated_at) and continued ones with the batch time, as Prisma’s client-side @updatedAt did', async () => {
      const continued = await createSession(owner);
      const fresh = makeTurn({ owner });
      const now = new Date('2026-03-04T05:06:07.089Z');
      await writeTurns(prisma.pg, [fresh, makeTurn({ owner, sessionId: continued.id })], now);
      expect(await sessionRow(fresh.sessionId)).toMatchObject({ createdAt: now, updatedAt: now, title: 'Hello there' });
      expect(await sessionRow(continued.id)).toMatchObject({ createdAt: continued.createdAt, updatedAt: now });
    });

    it('bumps updated_at of a continued session only when it is the turn owner’s', async () => {
      const otherTenant = await createOwner(prisma);
      owners.push(otherTenant);
      const colleague = { tenantId: owner.tenantId, userId: (await prisma.user.create({ data: { tenantId: owner.tenantId } })).id };
      const [theirs, colleagues, mine] = await Promise.all([createSession(otherTenant), createSession(colleague), createSession(owner)]);
      const before = new Date();

      // One batch; the message rows are not in question here (history() has 404'd such a turn before it exists).
      await Promise.all([theirs, colleagues, mine].map((session) => store.save(makeTurn({ owner, sessionId: session.id, user: null }))));

      expect((await sessionRow(theirs.id))?.updatedAt).toEqual(theirs.updatedAt);
      expect((await sessionRow(colleagues.id))?.updatedAt).toEqual(colleagues.updatedAt);
      expect((await sessionRow(mine.id))?.updatedAt.getTime()).toBeGreaterThanOrEqual(before.getTime());
    });
  });

  describe('query plans', () => {
    interface PlanNode {
      'Node Type': string;
      'Relation Name'?: string;
      'Index Name'?: string;
      'Index Cond'?: string;
      Plans?: PlanNode[];
    }
    const scansOf = (node: PlanNode): PlanNode[] => [...(node['Node Type'] === 'ModifyTable' ? [] : [node]), ...(node.Plans ?? []).flatMap(scansOf)];

    it('finds sessions by primary key only, even with statistics behind', async () => {
      const client = await prisma.pg.connect();
      try {
        await client.query('BEGIN');
        // A user who just opened thousands of sessions (each chat without a session id opens one).
        await client.query(`INSERT INTO sessions (id, tenant_id, user_id, updated_at) SELECT gen_random_uuid(), $1, $2, now() FROM generate_series(1, 5000)`, [
          owner.tenantId,
          owner.userId,
        ]);
        const continued = makeTurn({ owner, sessionId: (await createSession(owner)).id });
        await client.query(
          `INSERT INTO messages (id, session_id, tenant_id, user_id, role, content, created_at)
           SELECT gen_random_uuid(), $1, $2, $3, 'user', 'earlier', now() - i * interval '1 second' FROM generate_series(1, 1000) AS i`,
          [continued.sessionId, owner.tenantId, owner.userId],
        );
        const rows = turnRows([makeTurn({ owner }), continued]);
        const plans = [
          await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${WRITE_TURNS_SQL}`, [
            JSON.stringify(rows.sessions),
            JSON.stringify(rows.touched),
            JSON.stringify(rows.messages),
            new Date().toISOString(),
            rows.touched.map((t) => t.id),
          ]),
          await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${HISTORY_SQL}`, [continued.sessionId, owner.tenantId, owner.userId, [], 20]),
        ];
        for (const plan of plans) {
          const sessionScans = scansOf(plan.rows[0]['QUERY PLAN'][0].Plan).filter((node) => node['Relation Name'] === 'sessions');
          expect(sessionScans.length).toBeGreaterThan(0);
          for (const scan of sessionScans) expect(scan).toMatchObject({ 'Node Type': 'Index Scan', 'Index Name': 'sessions_pkey', 'Index Cond': expect.stringMatching(/^\(+id = /) });
        }
        // Whether history reads messages through (session_id, created_at) or sorts a bitmap scan is
        // the planner's call from the table's statistics (both are cheap once the session is found
        // by key); asserting it made this test depend on the database's history, so it is not.
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
    });
  });

  describe('history', () => {
    const limits = { maxMessages: 20, maxTokens: 4_000 };
    const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));

    /** A session with messages of every role and status, at distinct times (Prisma ordered ties arbitrarily). */
    async function seededSession() {
      const session = await createSession(owner);
      const base = { sessionId: session.id, tenantId: owner.tenantId, userId: owner.userId };
      const specs: Pick<Prisma.MessageCreateManyInput, 'role' | 'content' | 'status' | 'createdAt'>[] = [
        { role: 'system', content: 'system prompt', createdAt: at(0) },
        { role: 'user', content: 'q1', createdAt: at(1) },
        { role: 'assistant', content: 'a1', createdAt: at(2) },
        { role: 'user', content: 'q2', createdAt: at(3) },
        { role: 'assistant', content: 'a2 failed', status: 'failed', createdAt: at(4) },
        { role: 'assistant', content: 'a2 partial', status: 'partial', createdAt: at(5) },
        { role: 'tool', content: 'tool output', createdAt: at(6) },
        { role: 'user', content: 'q3 with a longer text of forty characters', createdAt: at(7) },
        { role: 'assistant', content: 'a3', createdAt: at(8) },
      ];
      const messages = specs.map((m) => ({ ...base, id: randomUUID(), ...m }));
      await prisma.message.createMany({ data: messages });
      return { session, ids: messages.map((m) => m.id) };
    }

    it('returns the same messages as the Prisma query within every limit, oldest first', async () => {
      const { session, ids } = await seededSession();
      const cases: [HistoryLimits, string[]][] = [
        [limits, []],
        [{ maxMessages: 3, maxTokens: 4_000 }, []],
        [{ maxMessages: 20, maxTokens: 12 }, []],
        [{ maxMessages: 20, maxTokens: 0 }, []],
        [{ maxMessages: 0, maxTokens: 4_000 }, []],
        [limits, [ids[8], ids[7]]],
      ];
      for (const [caseLimits, exclude] of cases) {
        const expected = await prismaHistory(prisma, owner, session.id, caseLimits, exclude);
        expect(await store.history({ ...owner, apiKeyId: null, requestId: 'r' }, session.id, caseLimits, exclude)).toEqual(expected);
      }
      expect(await store.history({ ...owner, apiKeyId: null, requestId: 'r' }, session.id, limits)).toEqual([
        { role: 'user', content: 'q1' },
        { role: 'assistant', content: 'a1' },
        { role: 'user', content: 'q2' },
        { role: 'assistant', content: 'a2 partial' },
        { role: 'user', content: 'q3 with a longer text of forty characters' },
        { role: 'assistant', content: 'a3' },
      ]);
      expect(await store.history({ ...owner, apiKeyId: null, requestId: 'r' }, session.id, { maxMessages: 3, maxTokens: 13 })).toEqual([
        { role: 'user', content: 'q3 with a longer text of forty characters' },
        { role: 'assistant', content: 'a3' },
      ]);
    });

    it('answers 404 for a session that is missing, another user’s or another tenant’s, and [] for one without messages', async () => {
      const otherTenant = await createOwner(prisma);
      owners.push(otherTenant);
      const colleague = { tenantId: owner.tenantId, userId: (await prisma.user.create({ data: { tenantId: owner.tenantId } })).id };
      const { session } = await seededSession();
      const empty = await createSession(owner);
      const as = (who: TestOwner) => ({ ...who, apiKeyId: null, requestId: 'r' });

      for (const [who, id] of [
        [owner, randomUUID()],
        [colleague, session.id],
        [otherTenant, session.id],
        [{ tenantId: otherTenant.tenantId, userId: owner.userId }, session.id],
      ] as const) {
        expect(await prismaHistory(prisma, who, id, limits)).toBeNull();
        const failure = await store.history(as(who), id, limits).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(ChatException);
        expect(failure).toMatchObject({ code: ChatErrorCode.SessionNotFound });
        expect(ORCHESTRATOR_ERROR_STATUS[(failure as ChatException).code]).toBe(404);
      }
      expect(await store.history(as(owner), empty.id, limits)).toEqual([]);
      expect(await store.history(as(owner), session.id, { maxMessages: 0, maxTokens: 100 })).toEqual([]);
    });

    it('answers 404 for a soft-deleted session, as the gateway’s session API does', async () => {
      const { session } = await seededSession();
      await prisma.session.update({ where: { id: session.id }, data: { deletedAt: new Date() } });
      const failure = await store.history({ ...owner, apiKeyId: null, requestId: 'r' }, session.id, limits).catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: ChatErrorCode.SessionNotFound });
    });

    it('reads back what the store wrote, putting a question before its answer when both have the same millisecond', async () => {
      const createdAt = new Date();
      const first = makeTurn({ owner, user: { role: 'user', content: 'first question' }, assistant: { content: 'first answer' }, createdAt });
      await store.save(first);
      const second = makeTurn({ owner, sessionId: first.sessionId, user: { role: 'user', content: 'second question' }, assistant: { content: 'second answer' }, createdAt: new Date(createdAt.getTime() + 1_000) });
      if (second.userMessage) second.userMessage.createdAt = second.assistant.createdAt;
      await store.save(second);

      expect(await store.history(first.context, first.sessionId, limits)).toEqual([
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'first answer' },
        { role: 'user', content: 'second question' },
        { role: 'assistant', content: 'second answer' },
      ]);
      // A re-run job does not see its own earlier answer.
      expect(await store.history(first.context, first.sessionId, limits, messageIds([second]))).toHaveLength(2);
    });
  });
});
