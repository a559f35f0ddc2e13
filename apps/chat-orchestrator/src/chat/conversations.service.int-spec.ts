import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { UsageEventProducer } from '@conduit/budget';
import type { UsageEventInput } from '@conduit/contracts';
import { ConversationStore, messageTokens, SessionSummaryStore } from '@conduit/conversations';
import { makeTurn, messageIds } from '@conduit/conversations/testing';
import type { PrismaService } from '@conduit/db';
import { TestOwner, useTestDatabase } from '@conduit/testing';
import { ORCHESTRATOR_ERROR_STATUS } from '../errors/error-status';
import type { ChatContext } from './chat-context';
import { ChatErrorCode, ChatException } from './chat.exception';
import { ChatTurn, ConversationsService } from './conversations.service';

jest.setTimeout(30_000);

/** Stands in for the usage producer: records the events and checks their rows were written first. */
class RecordingUsage {
  readonly calls: { eventIds: string[]; payloads: UsageEventInput[]; storedAtEmit: string[] }[] = [];

  constructor(private readonly prisma: PrismaService) {}

  async emit(events: readonly UsageEventInput[]): Promise<void> {
    const eventIds = events.map((e) => e.event_id);
    const stored = await this.prisma.message.findMany({ where: { id: { in: eventIds } }, select: { id: true } });
    this.calls.push({ eventIds, payloads: [...events], storedAtEmit: stored.map((s) => s.id) });
  }
}

/** A turn of the orchestrator's chat path; `tokens: 0` for one that consumed none (not billed). */
function turnOf(owner: TestOwner, spec: { sessionId?: string; user?: { role: 'user' | 'tool'; content: string } | null; tokens?: number } = {}): ChatTurn {
  const tokens = spec.tokens ?? 12;
  return makeTurn<ChatContext>({
    owner,
    context: { apiKeyId: null, reservationId: null },
    sessionId: spec.sessionId,
    user: spec.user,
    assistant: { usage: { input_tokens: tokens, output_tokens: tokens ? 34 : 0, cached_tokens: tokens ? 5 : 0 } },
  });
}

/** The chat path's write-behind and history over the real ConversationStore (Postgres). */
describe('ConversationsService (real Postgres)', () => {
  const db = useTestDatabase('conversations', 4);
  let prisma: PrismaService;
  let store: ConversationStore;
  let usage: RecordingUsage;
  let service: ConversationsService;
  let owner: TestOwner;

  const existingSession = () => prisma.session.create({ data: { tenantId: owner.tenantId, userId: owner.userId, title: 'Existing' } });

  beforeAll(() => {
    // The service logs the turns it could not store; here that is expected.
    Logger.overrideLogger(false);
    ({ prisma, owner } = db);
    store = new ConversationStore(prisma);
  });

  beforeEach(() => {
    usage = new RecordingUsage(prisma);
    service = new ConversationsService(store, usage as unknown as UsageEventProducer, new SessionSummaryStore(prisma));
  });

  afterEach(async () => {
    await service.drain();
  });

  it('writes concurrent turns as one batch in one statement, then emits their usage events after the rows, for the turns that consumed tokens', async () => {
    const writeTurns = jest.spyOn(store, 'writeTurns');
    const first = turnOf(owner);
    Object.assign(first.context, { apiKeyId: randomUUID(), reservationId: randomUUID(), feature: 'job' });
    const turns = [first, turnOf(owner), turnOf(owner, { tokens: 0 })];
    try {
      await Promise.all(turns.map((turn) => service.save(turn)));
      expect(writeTurns).toHaveBeenCalledTimes(1);
    } finally {
      writeTurns.mockRestore();
    }
    expect(usage.calls).toHaveLength(1);
    expect(usage.calls[0].eventIds).toEqual([turns[0].assistant.id, turns[1].assistant.id]);
    expect(usage.calls[0].storedAtEmit.sort()).toEqual(usage.calls[0].eventIds.slice().sort());
    expect(usage.calls[0].payloads[0]).toEqual({
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

  it('retries a failing batch turn by turn: a deleted session rejects only its own turn', async () => {
    const doomed = await existingSession();
    const kept = await existingSession();
    await prisma.session.delete({ where: { id: doomed.id } });
    const turns = [turnOf(owner), turnOf(owner, { sessionId: doomed.id }), turnOf(owner, { sessionId: kept.id })];

    const results = await Promise.allSettled(turns.map((turn) => service.save(turn)));

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { code: '23503', constraint: 'messages_session_id_fkey' } });
    const stored = await prisma.message.findMany({ where: { id: { in: messageIds(turns) } }, select: { id: true } });
    expect(stored.map((m) => m.id).sort()).toEqual(messageIds([turns[0], turns[2]]).sort());
    // Usage only for the stored turns, one event per retried turn.
    expect(usage.calls.map((c) => c.eventIds)).toEqual([[turns[0].assistant.id], [turns[2].assistant.id]]);
  });

  it('fails a turn whose text Postgres cannot hold (NUL) alone, without its text in the error', async () => {
    const secret = 'a confidential question with a NUL \u0000 in it';
    const turns = [turnOf(owner), turnOf(owner, { user: { role: 'user', content: secret } }), turnOf(owner)];
    const results = await Promise.allSettled(turns.map((turn) => service.save(turn)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const reason = (results[1] as PromiseRejectedResult).reason as Error & { code?: string };
    expect(reason.code).toBe('22P05');
    expect(JSON.stringify({ ...reason, message: reason.message })).not.toContain('confidential');
    expect(await prisma.message.count({ where: { id: { in: messageIds(turns) } } })).toBe(4);
  });

  it('stores recorded turns in the background; drain waits for them', async () => {
    const turn = turnOf(owner);
    service.record(turn);
    await service.drain();
    expect(await prisma.message.count({ where: { id: { in: messageIds([turn]) } } })).toBe(2);
  });

  describe('history', () => {
    it('keeps the newest messages that fit the token budget, oldest first', async () => {
      const first = turnOf(owner, { user: { role: 'user', content: 'q1 with a longer text of forty characters' } });
      await service.save(first);
      const second = turnOf(owner, { sessionId: first.sessionId, user: { role: 'user', content: 'q2' } });
      second.assistant.createdAt = new Date(first.assistant.createdAt.getTime() + 1_000);
      if (second.userMessage) second.userMessage.createdAt = new Date(second.assistant.createdAt.getTime() - 1);
      await service.save(second);
      const all = [
        { role: 'user', content: 'q1 with a longer text of forty characters' },
        { role: 'assistant', content: 'Mock reply' },
        { role: 'user', content: 'q2' },
        { role: 'assistant', content: 'Mock reply' },
      ];
      const window = async (limits: { maxMessages: number; maxTokens: number }, excludeIds?: string[]) =>
        (await service.history(first.context, first.sessionId, { limits, ...(excludeIds ? { excludeIds } : {}) })).messages;
      expect(await window({ maxMessages: 20, maxTokens: 4_000 })).toEqual(all);
      expect(await window({ maxMessages: 3, maxTokens: 4_000 })).toEqual(all.slice(1));
      // Real token counts (stored with each message), not characters/4.
      const lastTurn = messageTokens('q2') + messageTokens('Mock reply');
      expect(await window({ maxMessages: 20, maxTokens: lastTurn })).toEqual(all.slice(2));
      expect(await window({ maxMessages: 20, maxTokens: lastTurn - 1 })).toEqual(all.slice(3));
      expect(await window({ maxMessages: 20, maxTokens: 0 })).toEqual([]);
      // A re-run job does not see its own earlier answer.
      expect(await window({ maxMessages: 20, maxTokens: 4_000 }, messageIds([second]))).toEqual(all.slice(0, 2));
    });

    it('answers 404 session_not_found for a session that is not the caller’s', async () => {
      const other = await db.newOwner();
      const session = await existingSession();
      const failure = await service
        .history({ tenantId: other.tenantId, userId: other.userId, apiKeyId: null, requestId: 'r' }, session.id, { limits: { maxMessages: 20, maxTokens: 100 }, summaries: true })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ChatException);
      expect(failure).toMatchObject({ code: ChatErrorCode.SessionNotFound });
      expect(ORCHESTRATOR_ERROR_STATUS[(failure as ChatException).code]).toBe(404);
    });
  });
});
