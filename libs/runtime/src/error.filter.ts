import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describeError, ErrorDescription } from './error-body';

export function requestIdOf(request: FastifyRequest): string {
  return String((request.raw as { id?: unknown }).id ?? request.id);
}

/** An error as a service answers it: status, extra headers and the JSON body. */
export interface RenderedError {
  described: ErrorDescription;
  body: unknown;
}

/**
 * A filter that can also render an error without a Nest context, so that errors raised before
 * Nest (Fastify's router, the HTTP parser) answer in the same shape as everything else.
 */
export interface RenderingExceptionFilter extends ExceptionFilter {
  render(exception: unknown, requestId: string): RenderedError;
}

/** Sends a rendered error on a Fastify reply, logging internal failures once. */
export function sendRendered(logger: Logger, reply: FastifyReply, rendered: RenderedError, exception: unknown, requestId: string): void {
  if (rendered.described.internal) logger.error({ err: exception, request_id: requestId }, 'request failed');
  if (reply.sent) return;
  if (rendered.described.headers) reply.headers(rendered.described.headers);
  void reply.status(rendered.described.status).send(rendered.body);
}

/**
 * Default error shape for Conduit services: `{ error: { code, message, request_id } }`.
 * Internals are logged, never returned.
 */
@Catch()
export class ErrorFilter implements RenderingExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  render(exception: unknown, requestId: string): RenderedError {
    const described = describeError(exception);
    return { described, body: { error: { code: described.code, message: described.message, request_id: requestId, ...described.details } } };
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const requestId = requestIdOf(http.getRequest<FastifyRequest>());
    sendRendered(this.logger, http.getResponse<FastifyReply>(), this.render(exception, requestId), exception, requestId);
  }
}
