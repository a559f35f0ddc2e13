import { HttpException, HttpStatus } from '@nestjs/common';
import { ConduitException, ErrorStatusTable } from './conduit.exception';
import { SchemaIssueException } from './runtime.exception';

export interface ErrorDescription {
  status: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** True for failures that are ours, not the caller's: logged with their stack. */
  internal: boolean;
}

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  409: 'conflict',
  411: 'length_required',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  417: 'expectation_failed',
  422: 'unprocessable_entity',
  429: 'rate_limited',
  431: 'headers_too_large',
  503: 'service_unavailable',
};

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
}

/** Fastify's own errors (bad URL, bad JSON, body too large, wrong content type) are the caller's fault. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_BAD_URL: 'invalid_url',
  FST_ERR_MAX_PARAM_LENGTH: 'uri_too_long',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
};

/**
 * Maps anything thrown in a request to a status, a stable code and a caller-safe message. A
 * module exception takes its status from the app's `table`; a code missing from it is a bug
 * (each app's table spec prevents it) and answers 500 `internal_error` — except a code a schema
 * issue names ({@link SchemaIssueException}), which no enum lists: bad input answers 400.
 */
export function describeError(error: unknown, table: ErrorStatusTable): ErrorDescription {
  if (error instanceof ConduitException) {
    const status = (table as Record<string, number | undefined>)[error.code] ?? (error instanceof SchemaIssueException ? HttpStatus.BAD_REQUEST : undefined);
    if (status === undefined) return INTERNAL;
    return { status, code: error.code, message: error.message, details: error.details, headers: error.headers, internal: status >= 500 };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const body = error.getResponse();
    const message =
      typeof body === 'object' && body !== null && 'message' in body
        ? [body.message].flat().join('; ')
        : error.message;
    return { status, code: STATUS_CODES[status] ?? (status >= 500 ? 'internal_error' : 'bad_request'), message, internal: status >= 500 };
  }
  const fastify = error as FastifyLikeError;
  if (typeof fastify?.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    const code = (fastify.code && FASTIFY_CODES[fastify.code]) ?? STATUS_CODES[fastify.statusCode] ?? 'bad_request';
    return { status: fastify.statusCode, code, message: fastify.message ?? 'bad request', internal: false };
  }
  return INTERNAL;
}

const INTERNAL: ErrorDescription = { status: HttpStatus.INTERNAL_SERVER_ERROR, code: 'internal_error', message: 'internal error', internal: true };
