import type { WireAdapter } from '../exchange/mock-exchange';

function errorType(status: number): { type: string; code: string | null } {
  if (status === 401) return { type: 'invalid_request_error', code: 'invalid_api_key' };
  if (status === 429) return { type: 'requests', code: 'rate_limit_exceeded' };
  if (status >= 500) return { type: 'server_error', code: null };
  return { type: 'invalid_request_error', code: null };
}

/** OpenAI's error body: `{ error: { message, type, param, code } }`. */
export function openAiErrorBody(status: number, message: string, param: string | null = null) {
  const { type, code } = errorType(status);
  return { error: { message, type, param, code } };
}

export const openAiWire: WireAdapter = {
  wire: 'openai',
  requestIdHeader: 'x-request-id',
  errorBody: (status, message, _requestId, param) => openAiErrorBody(status, message, param ?? null),
};
