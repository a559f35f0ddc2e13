import { Injectable } from '@nestjs/common';
import { MessageRole, Prisma, PrismaService } from '@conduit/db';
import { isUuid, ListPage, toListPage } from '../sessions/list-page';
import { Owner, SessionsService } from '../sessions/sessions.service';
import { FeedbackBody, ListMessagesQuery, MessageObject, ratingValue, toMessageObject } from './messages.dto';
import { MessagesException } from './messages.exception';

/** Messages of the calling user's sessions: history listing and feedback. */
@Injectable()
export class MessagesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sessions: SessionsService,
  ) {}

  /** A session's messages (404 `session_not_found` unless it is the caller's); ties broken by id. */
  async listForSession(principal: Owner, sessionId: string, query: ListMessagesQuery): Promise<ListPage<MessageObject>> {
    const session = await this.sessions.assertOwned(principal, sessionId);
    const where: Prisma.MessageWhereInput = { sessionId: session.id, tenantId: principal.tenantId, userId: principal.userId };
    const direction = query.order;
    if (query.after) {
      const cursor = await this.prisma.message.findFirst({
        where: { ...where, id: query.after },
        select: { id: true, createdAt: true },
      });
      if (!cursor) throw MessagesException.invalidCursor();
      where.OR =
        direction === 'asc'
          ? [{ createdAt: { gt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { gt: cursor.id } }]
          : [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }];
    }
    const rows = await this.prisma.message.findMany({
      where,
      orderBy: [{ createdAt: direction }, { id: direction }],
      take: query.limit + 1,
    });
    return toListPage(rows, query.limit, toMessageObject);
  }

  /**
   * Rates an assistant message of the caller; a new rating replaces the previous one, comment
   * included (an omitted comment clears it).
   */
  async rate(principal: Owner, messageId: string, body: FeedbackBody): Promise<MessageObject> {
    if (!isUuid(messageId)) throw MessagesException.notFound(messageId);
    const owned = { id: messageId, tenantId: principal.tenantId, userId: principal.userId, session: { deletedAt: null } };
    const message = await this.prisma.message.findFirst({ where: owned, select: { role: true } });
    if (!message) throw MessagesException.notFound(messageId);
    if (message.role !== MessageRole.assistant) throw MessagesException.feedbackNotAllowed(message.role);
    try {
      const updated = await this.prisma.message.update({
        where: owned,
        data: { rating: ratingValue(body.rating), feedbackComment: body.comment ?? null },
      });
      return toMessageObject(updated);
    } catch (error) {
      // Deleted (with its session) between the check and the update.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025') {
        throw MessagesException.notFound(messageId);
      }
      throw error;
    }
  }
}
