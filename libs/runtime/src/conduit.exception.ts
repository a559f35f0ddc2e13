import { HttpException } from '@nestjs/common';

/**
 * Base class of every module's exception: a stable machine-readable `code`, an HTTP status and a
 * message safe to show the caller. Modules subclass it with their own code enum.
 */
export class ConduitException extends HttpException {
  constructor(
    readonly code: string,
    status: number,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super({ code, message }, status);
  }
}
