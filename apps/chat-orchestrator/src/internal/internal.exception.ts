import { ConduitException } from '@conduit/runtime';

export enum InternalErrorCode {
  /** The caller did not present the internal token: it is not the gateway. */
  Unauthorized = 'unauthorized',
}

export class InternalException extends ConduitException<InternalErrorCode> {}
