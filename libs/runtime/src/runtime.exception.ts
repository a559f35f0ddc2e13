import { ConduitException, ErrorStatusTable } from './conduit.exception';

/** Codes raised by the runtime itself, in every app: body parsing and validation. */
export enum RuntimeErrorCode {
  /** The body is not JSON, or empty with a JSON content type. */
  InvalidJson = 'invalid_json',
  /** A body, query or path parameter failed its schema ({@link ZodPipe}). */
  InvalidRequest = 'invalid_request',
}

export class RuntimeException extends ConduitException<RuntimeErrorCode> {}

/** The runtime's part of every app's table (spread it into the app's own). */
export const RUNTIME_ERROR_STATUS: ErrorStatusTable<RuntimeErrorCode> = {
  [RuntimeErrorCode.InvalidJson]: 400,
  [RuntimeErrorCode.InvalidRequest]: 400,
};
