import type { WireAdapter } from '../exchange/mock-exchange';

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  408: 'timeout_error',
  409: 'conflict_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

export function anthropicErrorType(status: number): string {
  return ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

/** Anthropic's error body: `{ type: "error", error: { type, message }, request_id }`. */
export function anthropicErrorBody(status: number, message: string, requestId: string | null = null) {
  return { type: 'error', error: { type: anthropicErrorType(status), message }, request_id: requestId };
}

export const anthropicWire: WireAdapter = {
  wire: 'anthropic',
  requestIdHeader: 'request-id',
  errorBody: (status, message, requestId) => anthropicErrorBody(status, message, requestId),
};
