import { ConduitException } from '@conduit/runtime';

export enum EvaluationsErrorCode {
  /** `after` names no score of the tenant. */
  InvalidCursor = 'invalid_cursor',
  /** `from` is after `to`, a range longer than allowed, or a day out of range. */
  InvalidRange = 'invalid_range',
}

export class EvaluationsException extends ConduitException<EvaluationsErrorCode> {
  static invalidCursor(): EvaluationsException {
    return new EvaluationsException(EvaluationsErrorCode.InvalidCursor, "'after' does not name a score of this tenant.", { param: 'after' });
  }

  static invalidRange(message: string): EvaluationsException {
    return new EvaluationsException(EvaluationsErrorCode.InvalidRange, message, { param: 'from' });
  }
}
