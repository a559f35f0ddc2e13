import { ConduitException } from '@conduit/runtime';

export enum MessagesErrorCode {
  /** The message does not exist, or is not the caller's (never 403: existence is not revealed). */
  MessageNotFound = 'message_not_found',
  /** Feedback is only taken on assistant messages. */
  FeedbackNotAllowed = 'feedback_not_allowed',
  /** `after` names no message of this session. */
  InvalidCursor = 'invalid_cursor',
}

export class MessagesException extends ConduitException<MessagesErrorCode> {
  static notFound(messageId: string): MessagesException {
    return new MessagesException(MessagesErrorCode.MessageNotFound, `No message found with id '${messageId}'.`, {
      param: 'id',
    });
  }

  static feedbackNotAllowed(role: string): MessagesException {
    return new MessagesException(MessagesErrorCode.FeedbackNotAllowed,
      `Feedback can only be given on assistant messages, not on a ${role} message.`,
      { param: 'id' },
    );
  }

  static invalidCursor(): MessagesException {
    return new MessagesException(MessagesErrorCode.InvalidCursor, "'after' does not name a message of this session.", {
      param: 'after',
    });
  }
}
