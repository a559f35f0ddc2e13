import { feedbackTotal } from '@conduit/observability';
import { Injectable, Logger } from '@nestjs/common';
import { ConversationStore } from '@conduit/conversations';
import { EvalTurnProducer } from '@conduit/evaluation';
import { PolicyStore } from '@conduit/policies';
import { isUuid, ListPage, toListPage } from '../sessions/list-page';
import { Owner, SessionsService } from '../sessions/sessions.service';
import { FeedbackBody, ListMessagesQuery, MessageObject, ratingValue, toMessageObject } from './messages.dto';
import { MessagesException } from './messages.exception';

/** Messages of the calling user's sessions (stored by `ConversationStore`): history listing and feedback. */
@Injectable()
export class MessagesService {
  private readonly logger = new Logger(MessagesService.name);

  constructor(
    private readonly store: ConversationStore,
    private readonly sessions: SessionsService,
    private readonly evaluation: EvalTurnProducer,
    private readonly policies: PolicyStore,
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
   * included (an omitted comment clears it). The rating goes to the eval queue in the background
   * (a thumbs-down is always judged; see `EvalTurnProducer.afterFeedback`); a failed enqueue is
   * logged and does not fail the rating.
   */
  async rate(principal: Owner, messageId: string, body: FeedbackBody): Promise<MessageObject> {
    if (!isUuid(messageId)) throw MessagesException.notFound(messageId);
    const rated = await this.store.rateMessage(principal, messageId, { rating: ratingValue(body.rating), comment: body.comment ?? null });
    if (rated.outcome === 'not_found') throw MessagesException.notFound(messageId);
    if (rated.outcome === 'not_assistant') throw MessagesException.feedbackNotAllowed(rated.role);
    feedbackTotal.inc({ rating: body.rating });
    void this.policies
      .get(principal.tenantId)
      .then((policy) => this.evaluation.afterFeedback({ tenantId: principal.tenantId, messageId, rating: body.rating }, policy.eval))
      .catch((error: unknown) => this.logger.warn({ err: error, message_id: messageId }, 'could not enqueue the rated message for evaluation'));
    return toMessageObject(rated.message);
  }
}
