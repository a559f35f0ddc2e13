import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorStatusTable } from './conduit.exception';
import { describeError } from './error-body';

export function requestIdOf(request: FastifyRequest): string {
  return String((request.raw as { id?: unknown }).id ?? request.id);
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
export function openAiErrorBody(exception: unknown, requestId: string, table: ErrorStatusTable) {
  const described = describeError(exception, table);
  const { param = null, ...rest } = described.details ?? {};
  return {
    described,
    body: {
      error: { message: described.message, type: openAiErrorType(described.status), param, code: described.code, request_id: requestId, ...rest },
    },
  };
}

/**
 * The one error filter of every Conduit service: OpenAI-shaped bodies with our request id (the
 * gateway passes the orchestrator's through unchanged), statuses from the app's code table.
 * Internals are logged, never returned.
 */
@Catch()
export class OpenAiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  constructor(private readonly table: ErrorStatusTable) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const requestId = requestIdOf(request);
    const { described, body } = openAiErrorBody(exception, requestId, this.table);
    if (described.internal) this.logger.error({ err: exception, request_id: requestId }, 'request failed');
    if (reply.sent) return;
    if (described.headers) reply.headers(described.headers);
    reply.status(described.status).send(body);
  }
}
