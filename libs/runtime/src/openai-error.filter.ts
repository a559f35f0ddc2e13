import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorStatusTable } from './conduit.exception';
import { describeError, ErrorDescription } from './error-body';

export function requestIdOf(request: FastifyRequest): string {
  return String((request.raw as { id?: unknown }).id ?? request.id);
}

/** An error as a service answers it: status, extra headers and the JSON body. */
export interface RenderedError {
  described: ErrorDescription;
  body: unknown;
}

/** OpenAI's `error.type` for a status, so OpenAI clients raise their usual error classes. */
export function openAiErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 402) return 'insufficient_quota';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 409) return 'conflict_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

/** `{ error: { message, type, param, code, request_id, ...details } }` for a thrown value. */
export function openAiErrorBody(exception: unknown, requestId: string, table: ErrorStatusTable): RenderedError {
  const described = describeError(exception, table);
  const { param = null, ...rest } = described.details ?? {};
  return {
    described,
    body: {
      error: { message: described.message, type: openAiErrorType(described.status), param, code: described.code, request_id: requestId, ...rest },
    },
  };
}

/** Sends a rendered error on a Fastify reply, logging internal failures once. */
export function sendRendered(logger: Logger, reply: FastifyReply, rendered: RenderedError, exception: unknown, requestId: string): void {
  if (rendered.described.internal) logger.error({ err: exception, request_id: requestId }, 'request failed');
  if (reply.sent) return;
  if (rendered.described.headers) reply.headers(rendered.described.headers);
  void reply.status(rendered.described.status).send(rendered.body);
}

/**
 * The one error filter of every Conduit service: OpenAI-shaped bodies with our request id (the
 * gateway passes the orchestrator's through unchanged), statuses from the app's code table.
 * Internals are logged, never returned. It also renders without a Nest context ({@link render}),
 * so that what fails before Nest (Fastify's router, the HTTP parser, `Expect`, `CONNECT`) answers
 * in the same shape as everything else.
 */
@Catch()
export class OpenAiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  constructor(private readonly table: ErrorStatusTable) {}

  render(exception: unknown, requestId: string): RenderedError {
    return openAiErrorBody(exception, requestId, this.table);
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const requestId = requestIdOf(http.getRequest<FastifyRequest>());
    sendRendered(this.logger, http.getResponse<FastifyReply>(), this.render(exception, requestId), exception, requestId);
  }
}
