import { ConduitException } from '@conduit/runtime';

export enum SessionsErrorCode {
  /** The session does not exist, or is not the caller's (never 403: existence is not revealed). */
  SessionNotFound = 'session_not_found',
  /** `after` names no session of the caller. */
  InvalidCursor = 'invalid_cursor',
}

export class SessionsException extends ConduitException<SessionsErrorCode> {
  static notFound(sessionId: string): SessionsException {
    return new SessionsException(SessionsErrorCode.SessionNotFound, `No session found with id '${sessionId}'.`, {
      param: 'id',
    });
  }

  static invalidCursor(): SessionsException {
    return new SessionsException(SessionsErrorCode.InvalidCursor, "'after' does not name one of your sessions.", {
      param: 'after',
    });
  }
}
