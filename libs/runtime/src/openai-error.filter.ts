import { ArgumentsHost, Catch, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describeError } from './error-body';
import { RenderedError, RenderingExceptionFilter, requestIdOf, sendRendered } from './error.filter';

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
export function openAiErrorBody(exception: unknown, requestId: string) {
  const described = describeError(exception);
  const { param = null, ...rest } = described.details ?? {};
  return {
    described,
    body: {
      error: { message: described.message, type: openAiErrorType(described.status), param, code: described.code, request_id: requestId, ...rest },
    },
  };
}

/**
 * Error bodies in OpenAI's shape plus our request id, for the OpenAI-compatible surface (the
 * gateway, and the orchestrator whose errors the gateway passes through unchanged).
 */
@Catch()
export class OpenAiErrorFilter implements RenderingExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  render(exception: unknown, requestId: string): RenderedError {
    return openAiErrorBody(exception, requestId);
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const requestId = requestIdOf(http.getRequest<FastifyRequest>());
    sendRendered(this.logger, http.getResponse<FastifyReply>(), this.render(exception, requestId), exception, requestId);
  }
}
