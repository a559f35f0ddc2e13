import type { PrismaService } from '@conduit/db';
import { createColleague, TestOwner, useTestDatabase } from '@conduit/testing';
import { ConversationStore } from '../conversation.store';
import { makeTurn } from '../testing';
import { SessionSummary, SessionSummaryStore } from './session-summary.store';

jest.setTimeout(30_000);

/** The one owner of `session_summaries`, against real Postgres. */
describe('SessionSummaryStore (real Postgres)', () => {
  const db = useTestDatabase('session-summaries', 2);
  let prisma: PrismaService;
  let store: SessionSummaryStore;
  let owner: TestOwner;

  beforeAll(() => {
    ({ prisma, owner } = db);
    store = new SessionSummaryStore(prisma);
  });

  /** A stored session of the owner with one turn; the assistant message and its time. */
  async function session(of: TestOwner = owner) {
    const turn = makeTurn({ owner: of, createdAt: new Date('2026-05-01T10:00:00.123Z') });
    await new ConversationStore(prisma).writeTurns([turn]);
    return { sessionId: turn.sessionId, messageId: turn.assistant.id, at: turn.assistant.createdAt };
  }

  const summaryOf = (messageId: string, at: Date, text: string, coveredMessages = 2): Omit<SessionSummary, 'updatedAt'> => ({
    summary: text,
    coversMessageId: messageId,
    coversCreatedAt: at,
    coveredMessages,
    tokens: 12,
    model: 'gpt-4.1-mini',
  });

  it('stores a summary and reads it back for the owner only', async () => {
    const s = await session();
    expect(await store.get(owner, s.sessionId)).toBeNull();
    expect(await store.save(owner, s.sessionId, summaryOf(s.messageId, s.at, 'Summary: one'))).toBe(true);
    expect(await store.get(owner, s.sessionId)).toEqual({ ...summaryOf(s.messageId, s.at, 'Summary: one'), updatedAt: expect.any(Date) });
    const colleague = await createColleague(prisma, owner);
    const stranger = await db.newOwner();
    for (const other of [colleague, stranger, { tenantId: stranger.tenantId, userId: owner.userId }]) {
      expect(await store.get(other, s.sessionId)).toBeNull();
      // Nor can anyone else write a summary of it.
      expect(await store.save(other, s.sessionId, summaryOf(s.messageId, new Date(s.at.getTime() + 1), 'Summary: hijack'))).toBe(false);
    }
    expect((await store.get(owner, s.sessionId))?.summary).toBe('Summary: one');
  });

  it('only ever moves forward: a summary covering no more than the stored one changes nothing', async () => {
    const s = await session();
    const later = new Date(s.at.getTime() + 5_000);
    expect(await store.save(owner, s.sessionId, summaryOf(s.messageId, later, 'Summary: newer', 6))).toBe(true);
    expect(await store.save(owner, s.sessionId, summaryOf(s.messageId, s.at, 'Summary: late job'))).toBe(false);
    expect(await store.save(owner, s.sessionId, summaryOf(s.messageId, later, 'Summary: same point again'))).toBe(false);
    expect(await store.get(owner, s.sessionId)).toMatchObject({ summary: 'Summary: newer', coveredMessages: 6, coversCreatedAt: later });
  });

  it('goes with its session: deleting the session or erasing its user removes the summary', async () => {
    const conversations = new ConversationStore(prisma);
    const a = await session();
    await store.save(owner, a.sessionId, summaryOf(a.messageId, a.at, 'Summary: a'));
    expect(await conversations.deleteSession(owner, a.sessionId)).toBe(true);
    expect(await prisma.sessionSummary.count({ where: { sessionId: a.sessionId } })).toBe(0);
    const erased = await createColleague(prisma, owner);
    const b = await session(erased);
    await store.save(erased, b.sessionId, summaryOf(b.messageId, b.at, 'Summary: b'));
    await conversations.deleteAllOf(erased);
    expect(await prisma.sessionSummary.count({ where: { sessionId: b.sessionId } })).toBe(0);
  });

  it('does not store a summary of a soft-deleted session', async () => {
    const s = await session();
    await prisma.session.update({ where: { id: s.sessionId }, data: { deletedAt: new Date() } });
    expect(await store.save(owner, s.sessionId, summaryOf(s.messageId, s.at, 'Summary: gone'))).toBe(false);
  });
});
