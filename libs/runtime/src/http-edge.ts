import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { cleanText } from '@conduit/contracts';
import { requestIdFor } from '@conduit/observability';
import { OpenAiErrorFilter, sendRendered } from './openai-error.filter';
import { RuntimeErrorCode, RuntimeException } from './runtime.exception';

/**
 * What one connection may cost the server before it has sent a whole request: the slowloris
 * defence. Every Conduit HTTP service applies these (see `HTTP_*` in `libs/config`).
 */
export interface HttpLimits {
  /** The whole request (headers and body) must arrive within this; then 408 and the connection closes. */
  requestTimeoutMs: number;
  /** The headers must arrive within this (≤ requestTimeoutMs). */
  headersTimeoutMs: number;
  /** An idle kept-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Request line plus headers, in bytes: 431 past it. */
  maxHeaderBytes: number;
  /** Header fields per request: 431 past it. */
  maxHeaders: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  requestTimeoutMs: 60_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 65_000,
  maxHeaderBytes: 16_384,
  maxHeaders: 100,
};

/** How often Node checks connections against the two timeouts: a fraction of the shorter one, at most 1 s. */
export function connectionsCheckingIntervalMs(limits: HttpLimits): number {
  return Math.max(50, Math.min(1_000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)));
}

/** Fastify server options that apply the limits (the rest is installed by {@link installHttpEdge}). */
export function httpServerOptions(limits: HttpLimits) {
  return {
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      connectionsCheckingInterval: connectionsCheckingIntervalMs(limits),
      // Node answers a missing Host with an empty 400; the onRequest hook answers it in our shape.
      requireHostHeader: false,
    },
  };
}

// What Node's `validateHeaderValue` refuses.
const INVALID_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * A response header value that Node will accept: the value itself, or its percent-encoding when
 * it holds characters a header cannot carry (control characters, non-Latin-1, unpaired surrogates).
 */
export function safeHeaderValue(value: string): string {
  return INVALID_HEADER_VALUE.test(value) ? encodeURIComponent(cleanText(value)) : value;
}

/** Parser errors (`clientError`) as a stable code (the app's table gives the status). */
function describeClientError(error: NodeJS.ErrnoException): RuntimeException {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new RuntimeException(RuntimeErrorCode.RequestTimeout, 'The request was not received in time.');
    case 'HPE_HEADER_OVERFLOW':
      return new RuntimeException(RuntimeErrorCode.HeadersTooLarge, 'The request line and headers are too large.');
    case 'HPE_INVALID_METHOD':
      return new RuntimeException(RuntimeErrorCode.MalformedRequest, 'Malformed HTTP request: unknown method.');
    default:
      return new RuntimeException(RuntimeErrorCode.MalformedRequest, `Malformed HTTP request${error.code ? ` (${error.code})` : ''}.`);
  }
}

/** Writes a complete HTTP/1.1 error response straight to a socket, then closes it. */
function writeRawError(socket: Duplex, filter: OpenAiErrorFilter, exception: RuntimeException): void {
  const requestId = requestIdFor(undefined);
  const { described, body } = filter.render(exception, requestId);
  const text = JSON.stringify(body);
  // Once the answer is flushed the connection goes, whether or not the client closes its side.
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${described.status} ${STATUS_CODES[described.status] ?? 'Error'}\r\n` +
      'content-type: application/json; charset=utf-8\r\n' +
      `content-length: ${Buffer.byteLength(text)}\r\n` +
      `x-request-id: ${requestId}\r\n` +
      'connection: close\r\n\r\n' +
      text,
  );
}

/**
 * Answers what the HTTP parser refused before Fastify saw a request (bad method, header overflow,
 * timeouts) in the service's error shape, when nothing has been sent on the socket yet; otherwise
 * drops the connection, as Node does.
 */
export function clientErrorHandler(filter: OpenAiErrorFilter) {
  return (error: NodeJS.ErrnoException, socket: Duplex): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const response = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    if (!socket.writable || response?.headersSent) {
      socket.destroy();
      return;
    }
    writeRawError(socket, filter, describeClientError(error));
  };
}

/** Errors Fastify's router raises before any route (a malformed percent-encoding, an over-long parameter). */
export function frameworkErrorHandler(filter: OpenAiErrorFilter) {
  const logger = new Logger('HttpEdge');
  return (error: Error & { code?: string }, request: FastifyRequest, reply: FastifyReply): void => {
    let exception: unknown = error;
    if (error.code === 'FST_ERR_BAD_URL') exception = new RuntimeException(RuntimeErrorCode.InvalidUrl, 'The URL holds a malformed percent-encoding.');
    if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') exception = new RuntimeException(RuntimeErrorCode.UriTooLong, 'A path segment of the URL is too long.');
    reply.header('x-request-id', request.id);
    sendRendered(logger, reply, filter.render(exception, request.id), exception, request.id);
  };
}

/**
 * Installs the parts of the edge that are not Fastify options: the header count limit, the Host
 * rule, response headers made safe (and always with the request id), and OpenAI-shaped answers for `Expect` values other
 * than `100-continue` (Node would send a bare 417) and for `CONNECT` (Node would drop the socket).
 */
export function installHttpEdge(fastify: FastifyInstance, filter: OpenAiErrorFilter, limits: HttpLimits): void {
  const server = fastify.server as Server;
  // One more than allowed is kept, so that "too many" can be told from "exactly the limit".
  server.maxHeadersCount = limits.maxHeaders + 1;
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    const exception = new RuntimeException(RuntimeErrorCode.ExpectationFailed, 'Only `Expect: 100-continue` is supported.', { param: 'expect' });
    const requestId = requestIdFor(request.headers['x-request-id']);
    const { described, body } = filter.render(exception, requestId);
    const text = JSON.stringify(body);
    response.writeHead(described.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'x-request-id': requestId, connection: 'close' });
    response.end(text);
  });
  server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    writeRawError(socket, filter, new RuntimeException(RuntimeErrorCode.MethodNotAllowed, 'CONNECT is not supported.'));
  });
  fastify.addHook('onRequest', (request, _reply, done) => {
    if (request.raw.rawHeaders.length / 2 > limits.maxHeaders) {
      done(new RuntimeException(RuntimeErrorCode.HeadersTooLarge, `A request carries at most ${limits.maxHeaders} header fields.`));
      return;
    }
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      done(new RuntimeException(RuntimeErrorCode.MissingHost, 'HTTP/1.1 requests must carry a Host header.', { param: 'host' }));
      return;
    }
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    // Fastify answers a bad URL on an unknown route without running onRequest hooks.
    if (!reply.hasHeader('x-request-id')) reply.header('x-request-id', request.id);
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (typeof value === 'string' && INVALID_HEADER_VALUE.test(value)) reply.header(name, safeHeaderValue(value));
      else if (Array.isArray(value) && value.some((item) => INVALID_HEADER_VALUE.test(item))) reply.header(name, value.map(safeHeaderValue));
    }
    done(null, payload);
  });
}
