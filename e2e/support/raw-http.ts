import { createConnection } from 'node:net';
import { openAiErrorType } from '@conduit/runtime';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** Parses one HTTP/1.1 response (status line, headers, body as JSON when it is JSON). */
export function parseRawResponse(text: string): RawResponse {
  const end = text.indexOf('\r\n\r\n');
  const head = end === -1 ? text : text.slice(0, end);
  const bodyText = end === -1 ? '' : text.slice(end + 4);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body: unknown = bodyText;
  try {
    body = JSON.parse(bodyText);
  } catch {
    // not JSON: kept as text, which the assertions will report
  }
  return { status: Number(statusLine.split(' ')[1] ?? 0), headers, body };
}

function complete(text: string): boolean {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return false;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, end + 2));
  return length !== null && Buffer.byteLength(text.slice(end + 4)) >= Number(length[1]);
}

/**
 * Sends raw bytes (one string, or pieces written one after the other) on a fresh connection and
 * resolves with the first response, once it is complete or the server closed the connection;
 * rejects after `deadlineMs` without one.
 */
export function rawExchange(port: number, request: string | string[], deadlineMs: number): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(port, '127.0.0.1');
    let received = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (received === '') reject(new Error('the server closed the connection without answering'));
      else resolve(parseRawResponse(received));
    };
    const timer = setTimeout(() => {
      done = true;
      socket.destroy();
      reject(new Error(`no complete answer within ${deadlineMs} ms; got: ${received.slice(0, 300)}`));
    }, deadlineMs);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
      if (complete(received)) finish();
    });
    socket.on('error', () => finish());
    socket.on('close', () => finish());
    const pieces = [request].flat();
    socket.once('connect', () => {
      pieces.forEach((piece, index) => setTimeout(() => socket.writable && socket.write(piece), index * 50));
    });
  });
}

/**
 * Asserts an error answer in OpenAI's shape: status, stable code, the OpenAI `type` for the
 * status, exactly the five fields, the request id echoed in the header, and the `param` when given.
 */
export function expectOpenAiError(response: RawResponse, status: number, code: string, param?: string | null): void {
  const error = (response.body as { error?: Record<string, unknown> } | null)?.error;
  expect({ status: response.status, code: error?.code }).toEqual({ status, code });
  expect(Object.keys(error ?? {}).sort()).toEqual(['code', 'message', 'param', 'request_id', 'type']);
  expect(error).toMatchObject({ message: expect.any(String), type: openAiErrorType(status), request_id: expect.any(String) });
  expect(error?.request_id).toBe(response.headers['x-request-id']);
  if (param !== undefined) expect(error?.param).toBe(param);
}
