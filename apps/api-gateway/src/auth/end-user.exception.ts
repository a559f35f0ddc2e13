import { ConduitException } from '@conduit/runtime';

export enum EndUserErrorCode {
  /** The named end user is empty, too long or holds control characters. */
  InvalidEndUser = 'invalid_end_user',
  /** The caller named an end user without a key scoped `act_for_users`. */
  EndUserNotAllowed = 'end_user_not_allowed',
}

export class EndUserException extends ConduitException<EndUserErrorCode> {}
