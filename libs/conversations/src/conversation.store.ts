import { Injectable } from '@nestjs/common';
import { Message, MessageRole, Prisma, PrismaService, Session } from '@conduit/db';
import type { ChatTurn } from './chat-turn';
import {
  HISTORY_SQL,
  HistoryRow,
  HistorySqlRow,
  historyRowsOf,
  SESSION_MESSAGES_AFTER_SQL,
  SESSION_PROMPT_VERSION_SQL,
  WRITE_TURNS_SQL,
  turnRows,
  withoutJsonContext,
} from './conversation.sql';

/** Whose sessions and messages a call may touch: every read and write filters by both. */
export interface ConversationOwner {
  tenantId: string;
  userId: string;
}

export type SessionWithCount = Session & { messageCount: number };

export interface Page {
  /** The id of the last row of the previous page. */
  after?: string;
  limit: number;
}

export type RateOutcome = { outcome: 'rated'; message: Message } | { outcome: 'not_found' } | { outcome: 'not_assistant'; role: MessageRole };

const withMessageCount = { _count: { select: { messages: true } } } as const;

/**
 * The one owner of `sessions` and `messages`: the gateway's session and message API (including
 * feedback on messages) and the orchestrator's chat history and turn writes. Every read is scoped
 * to a tenant AND a user, and a soft-deleted session is as good as missing. The chat path's
 * statements (one per batch of turns, one per history read) are plain SQL (`conversation.sql.ts`),
 * the API's are Prisma.
 */
@Injectable()
export class ConversationStore {
  constructor(private readonly prisma: PrismaService) {}

  // ── sessions ───────────────────────────────────────────────────────────────────────────────

  createSession(owner: ConversationOwner, session: { title: string | null; metadata: Prisma.InputJsonObject }): Promise<Session> {
    return this.prisma.session.create({ data: { tenantId: owner.tenantId, userId: owner.userId, title: session.title, metadata: session.metadata } });
  }

  /** The owner's session; null when it is someone else's, soft-deleted or missing. */
  findSession(owner: ConversationOwner, sessionId: string): Promise<Session | null> {
    return this.prisma.session.findFirst({ where: { ...ownedBy(owner), id: sessionId } });
  }

  /** The owner's session with its message count; null like {@link findSession}. */
  async getSession(owner: ConversationOwner, sessionId: string): Promise<SessionWithCount | null> {
    const row = await this.prisma.session.findFirst({ where: { ...ownedBy(owner), id: sessionId }, include: withMessageCount });
    return row ? withCount(row) : null;
  }

  /**
   * The owner's sessions newest first, ties broken by id (pages never skip or repeat), `limit + 1`
   * rows (the extra one says there is more); null when `after` names none of the owner's sessions.
   */
  async listSessions(owner: ConversationOwner, page: Page): Promise<SessionWithCount[] | null> {
    const where: Prisma.SessionWhereInput = ownedBy(owner);
    if (page.after) {
      const cursor = await this.prisma.session.findFirst({ where: { ...ownedBy(owner), id: page.after }, select: { id: true, createdAt: true } });
      if (!cursor) return null;
      where.OR = [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }];
    }
    const rows = await this.prisma.session.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: page.limit + 1, include: withMessageCount });
    return rows.map(withCount);
  }

  /** Hard delete; the session's messages go with it (ON DELETE CASCADE). False when there was no such session of the owner. */
  async deleteSession(owner: ConversationOwner, sessionId: string): Promise<boolean> {
    const { count } = await this.prisma.session.deleteMany({ where: { ...ownedBy(owner), id: sessionId } });
    return count > 0;
  }

  /**
   * Erasure: every session of the owner, soft-deleted ones included, and every message written as
   * them. Idempotent.
   */
  async deleteAllOf(owner: ConversationOwner): Promise<{ sessions: number; messages: number }> {
    const who = { tenantId: owner.tenantId, userId: owner.userId };
    const messages = await this.prisma.message.deleteMany({ where: who });
    const sessions = await this.prisma.session.deleteMany({ where: who });
    return { sessions: sessions.count, messages: messages.count };
  }

  // ── messages ───────────────────────────────────────────────────────────────────────────────

  /**
   * Messages of one of the owner's sessions (the caller has checked it is theirs), in `order` with
   * ties broken by id, `limit + 1` rows; null when `after` names none of the session's messages.
   */
  async listMessages(owner: ConversationOwner, sessionId: string, page: Page & { order: 'asc' | 'desc' }): Promise<Message[] | null> {
    const where: Prisma.MessageWhereInput = { sessionId, tenantId: owner.tenantId, userId: owner.userId };
    const direction = page.order;
    if (page.after) {
      const cursor = await this.prisma.message.findFirst({ where: { ...where, id: page.after }, select: { id: true, createdAt: true } });
      if (!cursor) return null;
      where.OR =
        direction === 'asc'
          ? [{ createdAt: { gt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { gt: cursor.id } }]
          : [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }];
    }
    return this.prisma.message.findMany({ where, orderBy: [{ createdAt: direction }, { id: direction }], take: page.limit + 1 });
  }

  /**
   * Rates an assistant message of the owner (in a session that is not deleted); a new rating
   * replaces the previous one, comment included.
   */
  async rateMessage(owner: ConversationOwner, messageId: string, feedback: { rating: number; comment: string | null }): Promise<RateOutcome> {
    const owned = { id: messageId, tenantId: owner.tenantId, userId: owner.userId, session: { deletedAt: null } };
    const message = await this.prisma.message.findFirst({ where: owned, select: { role: true } });
    if (!message) return { outcome: 'not_found' };
    if (message.role !== MessageRole.assistant) return { outcome: 'not_assistant', role: message.role };
    try {
      const updated = await this.prisma.message.update({ where: owned, data: { rating: feedback.rating, feedbackComment: feedback.comment } });
      return { outcome: 'rated', message: updated };
    } catch (error) {
      // Deleted (with its session) between the check and the update.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025') return { outcome: 'not_found' };
      throw error;
    }
  }

  /**
   * An assistant message of the owner in a session that is not deleted (the Responses API's
   * stored responses); null when it is missing, someone else's or not an answer.
   */
  findAnswer(owner: ConversationOwner, messageId: string): Promise<Message | null> {
    return this.prisma.message.findFirst({ where: { ...answerOf(owner, messageId), session: { deletedAt: null } } });
  }

  /**
   * Deletes an answer of the owner (like {@link findAnswer}) with the message that asked it — the
   * session's latest earlier message, when that is a user or tool message — and nothing else: the
   * session, other turns and the usage ledger stay. False when there was no such answer.
   */
  async deleteExchange(owner: ConversationOwner, messageId: string): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const answer = await tx.message.findFirst({ where: { ...answerOf(owner, messageId), session: { deletedAt: null } }, select: { id: true, sessionId: true, createdAt: true } });
      if (!answer) return false;
      const asked = await tx.message.findFirst({
        where: { sessionId: answer.sessionId, tenantId: owner.tenantId, userId: owner.userId, createdAt: { lte: answer.createdAt }, id: { not: answer.id } },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        select: { id: true, role: true },
      });
      const ids = [answer.id, ...(asked && (asked.role === MessageRole.user || asked.role === MessageRole.tool) ? [asked.id] : [])];
      const { count } = await tx.message.deleteMany({ where: { id: { in: ids }, tenantId: owner.tenantId, userId: owner.userId } });
      return count > 0;
    });
  }

  // ── evaluation ─────────────────────────────────────────────────────────────────────────────

  /**
   * An assistant message of the tenant with the user message that asked it (the latest user
   * message of its session at or before it), for the eval worker's judges; null when the message
   * is missing (not stored yet, deleted) or is not an assistant's.
   */
  async turnForEvaluation(tenantId: string, messageId: string): Promise<{ answer: Message; question: Message | null } | null> {
    const answer = await this.prisma.message.findFirst({ where: { id: messageId, tenantId, role: MessageRole.assistant } });
    if (!answer) return null;
    const question = await this.prisma.message.findFirst({
      where: { sessionId: answer.sessionId, tenantId, role: MessageRole.user, createdAt: { lte: answer.createdAt } },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    });
    return { answer, question };
  }

  // ── the chat path ──────────────────────────────────────────────────────────────────────────

  /**
   * A session's most recent `limit` user, assistant and tool messages (complete or partial), newest
   * first, leaving out `excludeIds` and, with `after`, everything up to that instant (what a
   * session summary covers); null when the session is not the owner's (missing, another user's or
   * tenant's, soft-deleted). One statement.
   */
  async history(owner: ConversationOwner, sessionId: string, options: { limit: number; excludeIds?: readonly string[]; after?: Date | null }): Promise<HistoryRow[] | null> {
    const { rows } = await this.prisma.pg.query<HistorySqlRow>(HISTORY_SQL, [
      sessionId,
      owner.tenantId,
      owner.userId,
      options.excludeIds ?? [],
      options.limit,
      options.after?.toISOString() ?? null,
    ]);
    if (rows.length === 0) return null;
    return historyRowsOf(rows);
  }

  /**
   * A session's messages after `after` (null: from its start), oldest first, at most `limit`: what a
   * summary job summarises. Null when the session is not the owner's.
   */
  async messagesAfter(owner: ConversationOwner, sessionId: string, after: Date | null, limit: number): Promise<HistoryRow[] | null> {
    const { rows } = await this.prisma.pg.query<HistorySqlRow>(SESSION_MESSAGES_AFTER_SQL, [sessionId, owner.tenantId, owner.userId, after?.toISOString() ?? null, limit]);
    if (rows.length === 0) return null;
    return historyRowsOf(rows);
  }

  /** The version of prompt template `name` the session started with (null: none yet, or not the owner's session). */
  async promptVersionOf(owner: ConversationOwner, sessionId: string, name: string): Promise<number | null> {
    const { rows } = await this.prisma.pg.query<{ prompt_version: number }>(SESSION_PROMPT_VERSION_SQL, [sessionId, owner.tenantId, owner.userId, name]);
    return rows[0]?.prompt_version ?? null;
  }

  /**
   * Stores a batch of finished turns in one statement (atomically): new sessions, the `updated_at`
   * bump of continued sessions that are the turn owner's, and the messages. Writing a turn again is
   * a no-op (rows are keyed by the turn's ids). `now` stamps created and continued sessions. A
   * refused batch fails whole; the error carries no message text.
   */
  async writeTurns(batch: readonly ChatTurn[], now: Date = new Date()): Promise<void> {
    const rows = turnRows(batch);
    const params = [JSON.stringify(rows.sessions), JSON.stringify(rows.touched), JSON.stringify(rows.messages), now.toISOString(), rows.touched.map((session) => session.id)];
    await this.prisma.pg.query(WRITE_TURNS_SQL, params).catch((error: unknown) => Promise.reject(withoutJsonContext(error)));
  }
}

function answerOf(owner: ConversationOwner, messageId: string) {
  return { id: messageId, tenantId: owner.tenantId, userId: owner.userId, role: MessageRole.assistant };
}

function ownedBy(owner: ConversationOwner) {
  return { tenantId: owner.tenantId, userId: owner.userId, deletedAt: null };
}

function withCount<S extends Session & { _count: { messages: number } }>({ _count, ...session }: S): SessionWithCount {
  return { ...session, messageCount: _count.messages };
}
