import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, Session } from '@conduit/db';
import type { Principal } from '../auth/principal';
import { isUuid, ListPage, toListPage } from './list-page';
import {
  CreateSessionBody,
  DeletedSessionObject,
  ListSessionsQuery,
  SessionObject,
  toSessionObject,
} from './sessions.dto';
import { SessionsException } from './sessions.exception';

/** Whose data a query may touch: every query filters by both. */
export type Owner = Pick<Principal, 'tenantId' | 'userId'>;

const withMessageCount = { _count: { select: { messages: true } } } as const;

/**
 * Sessions of the calling user. Every read and write is scoped to the caller's tenant AND user;
 * an id that is not theirs (or not a uuid) is reported exactly like one that does not exist.
 */
@Injectable()
export class SessionsService {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * For other gateway code (the chat path): resolves a session id the caller sent, returning the
   * session when it belongs to the caller's tenant and user, otherwise throwing the same 404
   * `session_not_found` the sessions API returns (malformed ids included). Never reveals whether
   * the id exists for someone else.
   */
  async assertOwned(principal: Owner, sessionId: string): Promise<Session> {
    const session = await this.findOwned(principal, sessionId);
    if (!session) throw SessionsException.notFound(sessionId);
    return session;
  }

  async create(principal: Owner, body: CreateSessionBody): Promise<SessionObject> {
    const session = await this.prisma.session.create({
      data: {
        tenantId: principal.tenantId,
        userId: principal.userId,
        title: body.title ?? null,
        metadata: body.metadata ?? {},
      },
    });
    return toSessionObject(session, 0);
  }

  /** Newest first; ties on `created_at` are broken by id so pages never skip or repeat. */
  async list(principal: Owner, query: ListSessionsQuery): Promise<ListPage<SessionObject>> {
    const where: Prisma.SessionWhereInput = this.ownedBy(principal);
    if (query.after) {
      const cursor = await this.prisma.session.findFirst({
        where: { ...this.ownedBy(principal), id: query.after },
        select: { id: true, createdAt: true },
      });
      if (!cursor) throw SessionsException.invalidCursor();
      where.OR = [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }];
    }
    const rows = await this.prisma.session.findMany({
      where,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: query.limit + 1,
      include: withMessageCount,
    });
    return toListPage(rows, query.limit, (row) => toSessionObject(row, row._count.messages));
  }

  async get(principal: Owner, sessionId: string): Promise<SessionObject> {
    if (!isUuid(sessionId)) throw SessionsException.notFound(sessionId);
    const session = await this.prisma.session.findFirst({
      where: { ...this.ownedBy(principal), id: sessionId },
      include: withMessageCount,
    });
    if (!session) throw SessionsException.notFound(sessionId);
    return toSessionObject(session, session._count.messages);
  }

  /** Hard delete; the session's messages go with it (ON DELETE CASCADE). */
  async delete(principal: Owner, sessionId: string): Promise<DeletedSessionObject> {
    if (!isUuid(sessionId)) throw SessionsException.notFound(sessionId);
    const { count } = await this.prisma.session.deleteMany({ where: { ...this.ownedBy(principal), id: sessionId } });
    if (count === 0) throw SessionsException.notFound(sessionId);
    return { id: sessionId, object: 'session.deleted', deleted: true };
  }

  private async findOwned(principal: Owner, sessionId: string): Promise<Session | null> {
    if (!isUuid(sessionId)) return null;
    return this.prisma.session.findFirst({ where: { ...this.ownedBy(principal), id: sessionId } });
  }

  private ownedBy(principal: Owner) {
    return { tenantId: principal.tenantId, userId: principal.userId, deletedAt: null };
  }
}
