import { feedbackTotal } from '@conduit/observability';
import { Injectable } from '@nestjs/common';
import { ConversationStore } from '@conduit/conversations';
import { isUuid, ListPage, toListPage } from '../sessions/list-page';
import { Owner, SessionsService } from '../sessions/sessions.service';
import { FeedbackBody, ListMessagesQuery, MessageObject, ratingValue, toMessageObject } from './messages.dto';
import { MessagesException } from './messages.exception';

/** Messages of the calling user's sessions (stored by `ConversationStore`): history listing and feedback. */
@Injectable()
export class MessagesService {
  constructor(
    private readonly store: ConversationStore,
    private readonly sessions: SessionsService,
  ) {}

  /** A session's messages (404 `session_not_found` unless it is the caller's); ties broken by id. */
  async listForSession(principal: Owner, sessionId: string, query: ListMessagesQuery): Promise<ListPage<MessageObject>> {
    const session = await this.sessions.assertOwned(principal, sessionId);
    const rows = await this.store.listMessages(principal, session.id, query);
    if (!rows) throw MessagesException.invalidCursor();
    return toListPage(rows, query.limit, toMessageObject);
  }

  /**
   * Rates an assistant message of the caller; a new rating replaces the previous one, comment
   * included (an omitted comment clears it).
   */
  async rate(principal: Owner, messageId: string, body: FeedbackBody): Promise<MessageObject> {
    if (!isUuid(messageId)) throw MessagesException.notFound(messageId);
    const rated = await this.store.rateMessage(principal, messageId, { rating: ratingValue(body.rating), comment: body.comment ?? null });
    if (rated.outcome === 'not_found') throw MessagesException.notFound(messageId);
    if (rated.outcome === 'not_assistant') throw MessagesException.feedbackNotAllowed(rated.role);
    feedbackTotal.inc({ rating: body.rating });
    return toMessageObject(rated.message);
  }
}
