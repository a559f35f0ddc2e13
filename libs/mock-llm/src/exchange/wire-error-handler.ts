import type { FastifyReply, FastifyRequest } from 'fastify';
import { MockHttpError } from '../core/mock-http.exception';
import type { MockLlmState } from '../mock-llm.state';
import type { WireAdapter } from './mock-exchange';

type HttpishError = Error & { statusCode?: unknown };

/**
 * Renders any error raised for a wire's route in that wire's error shape: bad bodies, bad mock
 * headers and Fastify's own parse errors (invalid JSON, wrong content type, too large) keep their
 * 4xx status; anything unexpected is a 500.
 */
export function wireErrorHandler(state: MockLlmState, adapterFor: (request: FastifyRequest) => WireAdapter) {
  return function onError(error: HttpishError, request: FastifyRequest, reply: FastifyReply): void {
    const code = error.statusCode;
    const status = typeof code === 'number' && code >= 400 && code < 500 ? code : 500;
    if (status === 500) request.log.error({ err: error }, 'mock-llm: unexpected error');
    const message = status === 500 ? 'Internal error in the mock LLM server' : error.message;
    const param = error instanceof MockHttpError ? error.param : null;
    const adapter = adapterFor(request);
    const requestId = `req_${state.ids.next()}`;
    reply
      .code(status)
      .header(adapter.requestIdHeader, requestId)
      .send(adapter.errorBody(status, message, requestId, param));
  };
}
