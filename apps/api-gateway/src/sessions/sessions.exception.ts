import { ConduitException } from '@conduit/runtime';

export enum SessionsErrorCode {
  /** The session does not exist, or is not the caller's (never 403: existence is not revealed). */
  SessionNotFound = 'session_not_found',
  /** `after` names no session of the caller. */
  InvalidCursor = 'invalid_cursor',
}

export class SessionsException extends ConduitException {
  constructor(code: SessionsErrorCode, status: number, message: string, details?: Record<string, unknown>) {
    super(code, status, message, details);
  }

  static notFound(sessionId: string): SessionsException {
    return new SessionsException(SessionsErrorCode.SessionNotFound, 404, `No session found with id '${sessionId}'.`, {
      param: 'id',
    });
  }

  static invalidCursor(): SessionsException {
    return new SessionsException(SessionsErrorCode.InvalidCursor, 400, "'after' does not name one of your sessions.", {
      param: 'after',
    });
  }
}
