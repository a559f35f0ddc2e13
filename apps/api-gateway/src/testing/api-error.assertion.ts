import { openAiErrorType } from '@conduit/runtime';

export interface ApiErrorBody {
  error: { message: string; type: string; param: string | null; code: string; request_id: string };
}

interface InjectedResponse {
  statusCode: number;
  headers: Record<string, unknown>;
  json: <T = unknown>() => T;
}

/**
 * Asserts a gateway error response: status, stable code, OpenAI `type` for the status, the
 * request id echoed in the body and header, and (when given) the offending `param`.
 */
export function expectApiError(response: InjectedResponse, status: number, code: string, param?: string | null): ApiErrorBody {
  const body = response.json<ApiErrorBody>();
  expect({ status: response.statusCode, code: body.error?.code }).toEqual({ status, code });
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'request_id', 'type']);
  expect(body.error).toMatchObject({ message: expect.any(String), type: openAiErrorType(status), code, request_id: expect.any(String) });
  if (param !== undefined) expect(body.error.param).toBe(param);
  expect(body.error.request_id).toBe(response.headers['x-request-id']);
  return body;
}
