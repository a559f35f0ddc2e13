import { randomUUID } from 'node:crypto';
import type { Prisma, PrismaService } from '@conduit/db';
import { createColleague, TestOwner, useTestDatabase } from '@conduit/testing';
import { makeTurn, messageIds } from './testing';
import { HISTORY_SQL, SESSION_MESSAGES_AFTER_SQL, turnRows, WRITE_TURNS_SQL } from './conversation.sql';
import { ConversationStore } from './conversation.store';
import { messageTokens } from './token-count';

jest.setTimeout(30_000);


/** The one owner of `sessions` and `messages`, against real Postgres. */
describe('ConversationStore (real Postgres)', () => {
  const db = useTestDatabase('conversations', 4);
  let prisma: PrismaService;
  let store: ConversationStore;
  let owner: TestOwner;

  /** Every column of these messages, keyed by id, as Postgres stores them. */
  const messageRows = async (ids: string[]) => {
    const { rows } = await prisma.pg.query<{ id: string; row: Record<string, unknown> }>(`SELECT id::text AS id, to_jsonb(m) AS row FROM messages AS m WHERE id = ANY($1::uuid[])`, [ids]);
    const byId = new Map(rows.map((r) => [r.id, r.row]));
    return ids.map((id) => byId.get(id));
  };
  const sessionRow = (id: string) => prisma.session.findUnique({ where: { id } });
  const existingSession = (of: TestOwner, updatedAt = new Date('2020-01-01T00:00:00.000Z')) =>
    prisma.session.create({ data: { tenantId: of.tenantId, userId: of.userId, title: 'Existing', updatedAt, createdAt: updatedAt } });
  const newOwner = () => db.newOwner();

  beforeAll(() => {
    ({ prisma, owner } = db);
    store = new ConversationStore(prisma);
  });

  describe('writeTurns (the chat write-behind)', () => {
    it('writes every column of new and continued sessions and of user, tool and assistant messages', async () => {
      const continued = await existingSession(owner);
      const createdAt = new Date('2026-03-04T05:06:07.089Z');
      const now = new Date('2026-03-04T05:06:08.000Z');
      const fresh = makeTurn({
        owner,
        title: 'An emoji cut in half by the title limit 😀'.slice(0, 41),
        user: { role: 'user', content: 'Lone \ud800 surrogate and ünïcödé' },
        assistant: { costUsd: 0.1 + 0.2, metadata: { finish_reason: 'stop', citations: [{ index: 1, chunk_index: 3, score: 0.8123, filename: null }], retrieval_ms: 17 } },
        createdAt,
      });
      const tool = makeTurn({
        owner,
        sessionId: continued.id,
        user: { role: 'tool', content: '{"result": 42}', toolCallId: 'call_7' },
        assistant: {
          status: 'partial',
          usageEstimated: true,
          ttftMs: 17,
          costUsd: 1.23e-7,
          provider: 'openai',
          model: 'gpt-4.1-mini',
          metadata: { finish_reason: 'cancelled', error: 'timeout' },
          toolCalls: [{ id: 'call_8', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }],
        },
        createdAt: new Date(createdAt.getTime() + 1),
      });
      const bare = makeTurn({
        owner,
        user: null,
        assistant: { provider: null, model: null, usage: { input_tokens: 0, output_tokens: 0, cached_tokens: 0 }, costUsd: 12345.678901234, latencyMs: 3, content: '' },
        createdAt: new Date(createdAt.getTime() + 2),
      });
      await store.writeTurns([fresh, tool, bare], now);

      const common = { tenant_id: owner.tenantId, user_id: owner.userId, rating: null, feedback_comment: null, prompt_name: null, prompt_version: null };
      const [freshUser, freshAssistant, toolUser, toolAssistant, bareAssistant] = await messageRows(messageIds([fresh, tool, bare]));
      expect(freshUser).toEqual({
        ...common,
        id: fresh.userMessage?.id,
        session_id: fresh.sessionId,
        role: 'user',
        content: 'Lone \ufffd surrogate and ünïcödé',
        status: 'complete',
        tokens_in: 0,
        tokens_out: 0,
        model: null,
        provider: null,
        cost_usd: 0,
        latency_ms: null,
        ttft_ms: null,
        metadata: {},
        created_at: '2026-03-04T05:06:06.839+00:00',
        tool_calls: null,
        tool_call_id: null,
        content_tokens: messageTokens('Lone \ufffd surrogate and ünïcödé'),
      });
      expect(freshAssistant).toEqual({
        ...common,
        id: fresh.assistant.id,
        session_id: fresh.sessionId,
        role: 'assistant',
        content: 'Mock reply',
        status: 'complete',
        tokens_in: 12,
        tokens_out: 34,
        model: 'claude-sonnet-4-6',
        provider: 'anthropic',
        cost_usd: 0.3,
        latency_ms: 250,
        ttft_ms: null,
        metadata: { finish_reason: 'stop', citations: [{ index: 1, chunk_index: 3, score: 0.8123, filename: null }], retrieval_ms: 17, request_id: fresh.context.requestId, usage_estimated: false },
        created_at: '2026-03-04T05:06:07.089+00:00',
        tool_calls: null,
        tool_call_id: null,
        content_tokens: messageTokens('Mock reply'),
      });
      expect(toolUser).toMatchObject({ session_id: continued.id, role: 'tool', status: 'complete', content: '{"result": 42}', tokens_in: 0, cost_usd: 0, metadata: {}, tool_call_id: 'call_7', tool_calls: null });
      expect(toolAssistant).toMatchObject({
        role: 'assistant',
        status: 'partial',
        provider: 'openai',
        model: 'gpt-4.1-mini',
        cost_usd: 0.00000012,
        ttft_ms: 17,
        metadata: { finish_reason: 'cancelled', error: 'timeout', request_id: tool.context.requestId, usage_estimated: true },
        tool_calls: [{ id: 'call_8', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }],
        tool_call_id: null,
        content_tokens: messageTokens('Mock reply', tool.assistant.toolCalls),
      });
      expect(bareAssistant).toMatchObject({ content: '', provider: null, model: null, tokens_in: 0, tokens_out: 0, cost_usd: 12345.67890123, latency_ms: 3 });

      for (const turn of [fresh, bare]) {
        expect(await sessionRow(turn.sessionId)).toEqual({ id: turn.sessionId, tenantId: owner.tenantId, userId: owner.userId, title: turn.title === fresh.title ? 'An emoji cut in half by the title limit \ufffd' : 'Hello there', metadata: {}, createdAt: now, updatedAt: now, deletedAt: null });
      }
      expect(await sessionRow(continued.id)).toEqual({ ...continued, updatedAt: now });
    });

    it('writes a batch in one statement', async () => {
      const continued = await existingSession(owner);
      const query = jest.spyOn(prisma.pg, 'query');
      try {
        await store.writeTurns([makeTurn({ owner }), makeTurn({ owner, sessionId: continued.id }), makeTurn({ owner, user: null })]);
        expect(query.mock.calls.map(([text]) => text)).toEqual([WRITE_TURNS_SQL]);
      } finally {
        query.mockRestore();
      }
    });

    it('treats writing the same turns again as a no-op (rows keyed by the turn ids), also twice within one batch', async () => {
      const continued = await existingSession(owner);
      const turns = [makeTurn({ owner }), makeTurn({ owner, sessionId: continued.id, user: { role: 'tool', content: 'tool output' } })];
      await store.writeTurns(turns);
      const rows = await messageRows(messageIds(turns));
      const created = await sessionRow(turns[0].sessionId);
      // A re-run writes the same ids (with whatever it produced this time); the first write stands.
      const again = turns.map((turn) => ({ ...turn, title: 'Other', assistant: { ...turn.assistant, content: 'Another answer', costUsd: 9 } }));
      await store.writeTurns([...again, ...again]);
      expect(await messageRows(messageIds(turns))).toEqual(rows);
      expect(await prisma.message.count({ where: { sessionId: { in: turns.map((t) => t.sessionId) } } })).toBe(4);
      expect(await sessionRow(turns[0].sessionId)).toEqual(created);
    });

    it('bumps updated_at of a continued session only when it is the turn owner’s', async () => {
      const otherTenant = await newOwner();
      const colleague = await createColleague(prisma, owner);
      const [theirs, colleagues, mine] = await Promise.all([existingSession(otherTenant), existingSession(colleague), existingSession(owner)]);
      const now = new Date();
      // The message rows are not in question here (history() has 404'd such a turn before it exists).
      await store.writeTurns([theirs, colleagues, mine].map((session) => makeTurn({ owner, sessionId: session.id, user: null })), now);
      expect((await sessionRow(theirs.id))?.updatedAt).toEqual(theirs.updatedAt);
      expect((await sessionRow(colleagues.id))?.updatedAt).toEqual(colleagues.updatedAt);
      expect((await sessionRow(mine.id))?.updatedAt).toEqual(now);
    });

    it('fails a whole batch whose one turn is refused (its session deleted): the caller retries turn by turn', async () => {
      const doomed = await existingSession(owner);
      await prisma.session.delete({ where: { id: doomed.id } });
      const turns = [makeTurn({ owner }), makeTurn({ owner, sessionId: doomed.id })];
      await expect(store.writeTurns(turns)).rejects.toMatchObject({ code: '23503', constraint: 'messages_session_id_fkey' });
      expect(await prisma.message.count({ where: { id: { in: messageIds(turns) } } })).toBe(0);
      await store.writeTurns([turns[0]]);
      expect(await prisma.message.count({ where: { id: { in: messageIds(turns) } } })).toBe(2);
    });

    it('refuses a turn whose text Postgres cannot hold (NUL) without putting its text in the error', async () => {
      const secret = 'a confidential question with a NUL \u0000 in it';
      const failure = (await store.writeTurns([makeTurn({ owner, user: { role: 'user', content: secret } })]).catch((error: unknown) => error)) as Error & { code?: string };
      expect(failure.code).toBe('22P05');
      expect(JSON.stringify({ ...failure, message: failure.message })).not.toContain('confidential');
    });
  });

  describe('prompt template versions (sessions keep the version they started with)', () => {
    it('stores the version on both rows of a turn and tells the session owner which version the session started with', async () => {
      const first = makeTurn({ owner, createdAt: new Date('2026-03-05T00:00:00.000Z') });
      first.prompt = { name: 'support', version: 2 };
      const later = makeTurn({ owner, sessionId: first.sessionId, createdAt: new Date('2026-03-05T00:01:00.000Z') });
      later.prompt = { name: 'support', version: 3 };
      await store.writeTurns([first]);
      await store.writeTurns([later]);
      const rows = await messageRows(messageIds([first]));
      expect(rows.map((row) => [row?.['prompt_name'], row?.['prompt_version']])).toEqual([
        ['support', 2],
        ['support', 2],
      ]);
      expect(await store.promptVersionOf(owner, first.sessionId, 'support')).toBe(2);
      expect(await store.promptVersionOf(owner, first.sessionId, 'other-template')).toBeNull();
      expect(await store.promptVersionOf(await newOwner(), first.sessionId, 'support')).toBeNull();
    });
  });

  describe('history (the chat path)', () => {
    const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));

    /** A session with messages of every role and status, at distinct times. */
    async function seededSession() {
      const session = await existingSession(owner);
      const base = { sessionId: session.id, tenantId: owner.tenantId, userId: owner.userId };
      const specs: Pick<Prisma.MessageCreateManyInput, 'role' | 'content' | 'status' | 'createdAt'>[] = [
        { role: 'system', content: 'system prompt', createdAt: at(0) },
        { role: 'user', content: 'q1', createdAt: at(1) },
        { role: 'assistant', content: 'a1', createdAt: at(2) },
        { role: 'user', content: 'q2', createdAt: at(3) },
        { role: 'assistant', content: 'a2 failed', status: 'failed', createdAt: at(4) },
        { role: 'assistant', content: 'a2 partial', status: 'partial', createdAt: at(5) },
        { role: 'tool', content: 'tool output', createdAt: at(6) },
        { role: 'user', content: 'q3', createdAt: at(7) },
        { role: 'assistant', content: 'a3', createdAt: at(8) },
      ];
      const messages = specs.map((m) => ({ ...base, id: randomUUID(), ...m }));
      await prisma.message.createMany({ data: messages });
      return { session, ids: messages.map((m) => m.id) };
    }

    const roleAndContent = (rows: { role: string; content: string }[] | null) => rows?.map(({ role, content }) => ({ role, content })) ?? null;

    it('reads the newest user, assistant and tool messages (complete or partial) newest first, within the limit, leaving out the given ids', async () => {
      const { session, ids } = await seededSession();
      const all = [
        { role: 'assistant', content: 'a3' },
        { role: 'user', content: 'q3' },
        { role: 'tool', content: 'tool output' },
        { role: 'assistant', content: 'a2 partial' },
        { role: 'user', content: 'q2' },
        { role: 'assistant', content: 'a1' },
        { role: 'user', content: 'q1' },
      ];
      expect(roleAndContent(await store.history(owner, session.id, { limit: 20 }))).toEqual(all);
      expect(roleAndContent(await store.history(owner, session.id, { limit: 3 }))).toEqual(all.slice(0, 3));
      expect(await store.history(owner, session.id, { limit: 0 })).toEqual([]);
      expect(roleAndContent(await store.history(owner, session.id, { limit: 20, excludeIds: [ids[8], ids[7]] }))).toEqual(all.slice(2));
      // After a summary's covered point: only what it does not cover.
      expect(roleAndContent(await store.history(owner, session.id, { limit: 20, after: at(5) }))).toEqual(all.slice(0, 3));
      const [newest] = (await store.history(owner, session.id, { limit: 1 })) ?? [];
      expect(newest).toEqual({ id: ids[8], role: 'assistant', content: 'a3', toolCalls: null, toolCallId: null, tokens: null, createdAt: at(8) });
    });

    it('messagesAfter: what a summary job reads, oldest first after the covered point, owner only', async () => {
      const { session } = await seededSession();
      expect(roleAndContent(await store.messagesAfter(owner, session.id, at(2), 20))).toEqual([
        { role: 'user', content: 'q2' },
        { role: 'assistant', content: 'a2 partial' },
        { role: 'tool', content: 'tool output' },
        { role: 'user', content: 'q3' },
        { role: 'assistant', content: 'a3' },
      ]);
      expect(roleAndContent(await store.messagesAfter(owner, session.id, null, 2))).toEqual([
        { role: 'user', content: 'q1' },
        { role: 'assistant', content: 'a1' },
      ]);
      expect(await store.messagesAfter(owner, session.id, at(8), 20)).toEqual([]);
      expect(await store.messagesAfter(await createColleague(prisma, owner), session.id, null, 20)).toBeNull();
      expect(await store.messagesAfter(await newOwner(), session.id, null, 20)).toBeNull();
    });

    it('is null for a session that is missing, another user’s, another tenant’s or soft-deleted, and [] for one without messages', async () => {
      const otherTenant = await newOwner();
      const colleague = await createColleague(prisma, owner);
      const { session } = await seededSession();
      for (const [who, id] of [
        [owner, randomUUID()],
        [colleague, session.id],
        [otherTenant, session.id],
        [{ tenantId: otherTenant.tenantId, userId: owner.userId }, session.id],
      ] as const) {
        expect(await store.history(who, id, { limit: 20 })).toBeNull();
      }
      expect(await store.history(owner, (await existingSession(owner)).id, { limit: 20 })).toEqual([]);
      await prisma.session.update({ where: { id: session.id }, data: { deletedAt: new Date() } });
      expect(await store.history(owner, session.id, { limit: 20 })).toBeNull();
    });

    it('reads back what writeTurns wrote, an answer after its question when both have the same millisecond', async () => {
      const createdAt = new Date();
      const first = makeTurn({ owner, user: { role: 'user', content: 'first question' }, assistant: { content: 'first answer' }, createdAt });
      await store.writeTurns([first]);
      const second = makeTurn({ owner, sessionId: first.sessionId, user: { role: 'user', content: 'second question' }, assistant: { content: 'second answer' }, createdAt: new Date(createdAt.getTime() + 1_000) });
      if (second.userMessage) second.userMessage.createdAt = second.assistant.createdAt;
      await store.writeTurns([second]);
      const rows = await store.history(owner, first.sessionId, { limit: 20 });
      expect(roleAndContent(rows)).toEqual([
        { role: 'assistant', content: 'second answer' },
        { role: 'user', content: 'second question' },
        { role: 'assistant', content: 'first answer' },
        { role: 'user', content: 'first question' },
      ]);
      // Token counts come from the write, so the window never tokenizes them again.
      expect(rows?.map((row) => row.tokens)).toEqual(['second answer', 'second question', 'first answer', 'first question'].map((text) => messageTokens(text)));
    });

    it('finds sessions by primary key only, even with statistics behind', async () => {
      interface PlanNode {
        'Node Type': string;
        'Relation Name'?: string;
        'Index Name'?: string;
        'Index Cond'?: string;
        Plans?: PlanNode[];
      }
      const scansOf = (node: PlanNode): PlanNode[] => [...(node['Node Type'] === 'ModifyTable' ? [] : [node]), ...(node.Plans ?? []).flatMap(scansOf)];
      const client = await prisma.pg.connect();
      try {
        await client.query('BEGIN');
        // A user who just opened thousands of sessions (each chat without a session id opens one).
        await client.query(`INSERT INTO sessions (id, tenant_id, user_id, updated_at) SELECT gen_random_uuid(), $1, $2, now() FROM generate_series(1, 5000)`, [owner.tenantId, owner.userId]);
        const continued = makeTurn({ owner, sessionId: (await existingSession(owner)).id });
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
          await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${HISTORY_SQL}`, [continued.sessionId, owner.tenantId, owner.userId, [], 20, null]),
          await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${SESSION_MESSAGES_AFTER_SQL}`, [continued.sessionId, owner.tenantId, owner.userId, null, 400]),
        ];
        for (const plan of plans) {
          const sessionScans = scansOf(plan.rows[0]['QUERY PLAN'][0].Plan).filter((node) => node['Relation Name'] === 'sessions');
          expect(sessionScans.length).toBeGreaterThan(0);
          for (const scan of sessionScans) expect(scan).toMatchObject({ 'Node Type': 'Index Scan', 'Index Name': 'sessions_pkey', 'Index Cond': expect.stringMatching(/^\(+id = /) });
        }
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
    });
  });

  describe('sessions (the gateway API)', () => {
    it('creates, finds, counts, lists in keyset pages and deletes the owner’s sessions only', async () => {
      const lister = await newOwner();
      const colleague = await createColleague(prisma, lister);
      const created = await store.createSession(lister, { title: 'First', metadata: { project: 'x' } });
      expect(created).toMatchObject({ tenantId: lister.tenantId, userId: lister.userId, title: 'First', metadata: { project: 'x' }, deletedAt: null });
      expect(created.updatedAt).toEqual(created.createdAt);
      const second = await store.createSession(lister, { title: null, metadata: {} });
      await store.writeTurns([makeTurn({ owner: lister, sessionId: second.id })]);

      expect(await store.findSession(lister, created.id)).toEqual(created);
      expect(await store.findSession(colleague, created.id)).toBeNull();
      expect(await store.getSession(lister, second.id)).toMatchObject({ id: second.id, messageCount: 2 });
      expect(await store.getSession(colleague, second.id)).toBeNull();

      const page1 = await store.listSessions(lister, { limit: 1 });
      expect(page1?.map((s) => [s.id, s.messageCount])).toEqual([
        [second.id, 2],
        [created.id, 0],
      ]);
      expect((await store.listSessions(lister, { limit: 1, after: second.id }))?.map((s) => s.id)).toEqual([created.id]);
      expect(await store.listSessions(lister, { limit: 1, after: randomUUID() })).toBeNull();
      expect(await store.listSessions(colleague, { limit: 10 })).toEqual([]);

      expect(await store.deleteSession(colleague, created.id)).toBe(false);
      expect(await store.deleteSession(lister, second.id)).toBe(true);
      expect(await prisma.message.count({ where: { sessionId: second.id } })).toBe(0);
      await prisma.session.update({ where: { id: created.id }, data: { deletedAt: new Date() } });
      expect(await store.findSession(lister, created.id)).toBeNull();
      expect(await store.listSessions(lister, { limit: 10 })).toEqual([]);
    });
  });

  describe('messages (the gateway API)', () => {
    it('lists a session’s messages in either order in keyset pages; an unknown cursor is null', async () => {
      const session = await existingSession(owner);
      const base = new Date('2026-04-01T00:00:00.000Z');
      const turns = [0, 1].map((i) => makeTurn({ owner, sessionId: session.id, createdAt: new Date(base.getTime() + i * 1_000) }));
      await store.writeTurns(turns);
      const ids = messageIds(turns);
      expect((await store.listMessages(owner, session.id, { limit: 10, order: 'asc' }))?.map((m) => m.id)).toEqual(ids);
      expect((await store.listMessages(owner, session.id, { limit: 1, order: 'desc' }))?.map((m) => m.id)).toEqual([ids[3], ids[2]]);
      expect((await store.listMessages(owner, session.id, { limit: 10, order: 'asc', after: ids[1] }))?.map((m) => m.id)).toEqual([ids[2], ids[3]]);
      expect(await store.listMessages(owner, session.id, { limit: 10, order: 'asc', after: randomUUID() })).toBeNull();
      expect(await store.listMessages(await createColleague(prisma, owner), session.id, { limit: 10, order: 'asc' })).toEqual([]);
    });

    it('rates an assistant message of the owner, replacing earlier feedback; anything else is not found or not an assistant’s', async () => {
      const turn = makeTurn({ owner });
      await store.writeTurns([turn]);
      const rated = await store.rateMessage(owner, turn.assistant.id, { rating: 1, comment: 'great' });
      expect(rated).toMatchObject({ outcome: 'rated', message: { id: turn.assistant.id, rating: 1, feedbackComment: 'great' } });
      expect(await store.rateMessage(owner, turn.assistant.id, { rating: -1, comment: null })).toMatchObject({ outcome: 'rated', message: { rating: -1, feedbackComment: null } });
      expect(await store.rateMessage(owner, turn.userMessage?.id ?? '', { rating: 1, comment: null })).toEqual({ outcome: 'not_assistant', role: 'user' });
      expect(await store.rateMessage(await createColleague(prisma, owner), turn.assistant.id, { rating: 1, comment: null })).toEqual({ outcome: 'not_found' });
      await prisma.session.update({ where: { id: turn.sessionId }, data: { deletedAt: new Date() } });
      expect(await store.rateMessage(owner, turn.assistant.id, { rating: 1, comment: null })).toEqual({ outcome: 'not_found' });
    });
  });
  describe('answers (the Responses API)', () => {
    it("finds the owner's answers only: not another user's or tenant's, not a user message, not in a deleted session", async () => {
      const turn = makeTurn({ owner });
      await store.writeTurns([turn]);
      expect((await store.findAnswer(owner, turn.assistant.id))?.content).toBe('Mock reply');
      expect(await store.findAnswer(await createColleague(prisma, owner), turn.assistant.id)).toBeNull();
      expect(await store.findAnswer(await newOwner(), turn.assistant.id)).toBeNull();
      expect(await store.findAnswer(owner, turn.userMessage?.id ?? '')).toBeNull();
      await prisma.session.update({ where: { id: turn.sessionId }, data: { deletedAt: new Date() } });
      expect(await store.findAnswer(owner, turn.assistant.id)).toBeNull();
    });

    it('deletes an answer with the message that asked it, leaving the session and its other turns; never for anyone else', async () => {
      const first = makeTurn({ owner, user: { role: 'user', content: 'First' }, createdAt: new Date(Date.now() - 60_000) });
      const second = makeTurn({ owner, sessionId: first.sessionId, newSession: false, user: { role: 'tool', content: '{"ok":true}' } });
      const bare = makeTurn({ owner, sessionId: first.sessionId, newSession: false, user: null, createdAt: new Date(Date.now() + 60_000) });
      await store.writeTurns([first]);
      await store.writeTurns([second, bare]);
      expect(await store.deleteExchange(await createColleague(prisma, owner), second.assistant.id)).toBe(false);
      expect(await store.deleteExchange(await newOwner(), second.assistant.id)).toBe(false);
      expect(await store.deleteExchange(owner, second.userMessage?.id ?? '')).toBe(false);

      expect(await store.deleteExchange(owner, second.assistant.id)).toBe(true);
      const left = async () => (await prisma.message.findMany({ where: { sessionId: first.sessionId }, orderBy: { createdAt: 'asc' } })).map((m) => m.id);
      expect(await left()).toEqual([...messageIds([first]), bare.assistant.id]);
      // An answer without its own question (the one before it is an answer) goes alone.
      expect(await store.deleteExchange(owner, bare.assistant.id)).toBe(true);
      expect(await left()).toEqual(messageIds([first]));
      expect(await store.deleteExchange(owner, bare.assistant.id)).toBe(false);
      expect(await sessionRow(first.sessionId)).not.toBeNull();
    });
  });

  describe('turnForEvaluation (the eval worker)', () => {
    it("gives an assistant message of the tenant with the question that asked it; nothing for another tenant's or a user message", async () => {
      const first = makeTurn({ owner, user: { role: 'user', content: 'First question' }, createdAt: new Date(Date.now() - 60_000) });
      const second = makeTurn({ owner, sessionId: first.sessionId, newSession: false, user: { role: 'user', content: 'Second question' } });
      await store.writeTurns([first]);
      await store.writeTurns([second]);
      const found = await store.turnForEvaluation(owner.tenantId, second.assistant.id);
      expect(found?.answer.id).toBe(second.assistant.id);
      expect(found?.question?.content).toBe('Second question');
      expect((await store.turnForEvaluation(owner.tenantId, first.assistant.id))?.question?.content).toBe('First question');
      const other = await newOwner();
      expect(await store.turnForEvaluation(other.tenantId, second.assistant.id)).toBeNull();
      expect(await store.turnForEvaluation(owner.tenantId, second.userMessage?.id ?? '')).toBeNull();
    });
  });
});
