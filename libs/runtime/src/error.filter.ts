import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describeError } from './error-body';

export function requestIdOf(request: FastifyRequest): string {
  return String((request.raw as { id?: unknown }).id ?? request.id);
}

/**
 * Default error shape for Conduit services: `{ error: { code, message, request_id } }`.
 * Internals are logged, never returned.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const described = describeError(exception);
    const requestId = requestIdOf(request);
    if (described.internal) {
      this.logger.error({ err: exception, request_id: requestId }, 'request failed');
    }
    if (described.headers) reply.headers(described.headers);
    reply.status(described.status).send({
      error: { code: described.code, message: described.message, request_id: requestId, ...described.details },
    });
  }
}
