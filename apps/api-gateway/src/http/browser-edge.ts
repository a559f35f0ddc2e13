import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConduitHeader } from '@conduit/contracts';
import type { BrowserEdgeSettings } from './browser-edge.config';

/** Methods of the public API a browser may call. */
const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE';
/** Request headers a browser may send (beyond the CORS-safelisted ones). */
const ALLOWED_HEADERS = [
  'authorization',
  'cache-control',
  'content-type',
  'idempotency-key',
  'x-request-id',
  ConduitHeader.SessionId,
  ConduitHeader.EndUser,
].join(', ');
/** Response headers a browser's script may read. */
const EXPOSED_HEADERS = [
  'x-request-id',
  'x-trace-id',
  'retry-after',
  'x-ratelimit-limit-requests',
  'x-ratelimit-remaining-requests',
  'x-ratelimit-reset-requests',
  'x-ratelimit-limit-tokens',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-reset-tokens',
  ConduitHeader.SessionId,
  ConduitHeader.MessageId,
  ConduitHeader.Provider,
  ConduitHeader.Model,
  ConduitHeader.Citations,
  ConduitHeader.Cache,
  ConduitHeader.Degraded,
  ConduitHeader.Route,
  ConduitHeader.DroppedParams,
].join(', ');

/** Headers every response carries: an API answer is never sniffed, framed or given a referrer. */
export function securityHeaders(settings: Pick<BrowserEdgeSettings, 'hstsMaxAgeSeconds'>): Record<string, string> {
  return {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'content-security-policy': "frame-ancestors 'none'",
    'referrer-policy': 'no-referrer',
    ...(settings.hstsMaxAgeSeconds > 0 ? { 'strict-transport-security': `max-age=${settings.hstsMaxAgeSeconds}; includeSubDomains` } : {}),
  };
}

/** The value of `Access-Control-Allow-Origin` for `origin`, or undefined when it is not allowed. */
export function allowedOriginValue(origin: string | undefined, allowed: readonly string[]): string | undefined {
  if (origin === undefined || allowed.length === 0) return undefined;
  if (allowed.includes('*')) return '*';
  return allowed.includes(origin) ? origin : undefined;
}

/** The response headers a tenant's CORS list may take away or set. */
export interface CorsHeaders {
  getHeader(name: string): unknown;
  header(name: string, value: string): unknown;
  removeHeader(name: string): unknown;
}

/**
 * A tenant's own CORS list (`cors.allowed_origins` of its policy) on one of its authenticated
 * answers, after the deployment's list was applied: an origin the deployment allows keeps the
 * CORS headers only if the tenant lists it too, and then gets its exact value (never `*`). An
 * origin the deployment does not allow stays refused: the preflight before the request knew no
 * tenant, so a tenant list narrows the deployment's, never widens it. No list: nothing changes.
 */
export function applyTenantOrigins(reply: CorsHeaders, origin: string | undefined, tenantOrigins: readonly string[] | undefined): void {
  if (origin === undefined || tenantOrigins === undefined || reply.getHeader('access-control-allow-origin') === undefined) return;
  if (tenantOrigins.includes(origin)) {
    reply.header('access-control-allow-origin', origin);
    reply.header('vary', 'Origin');
    return;
  }
  reply.removeHeader('access-control-allow-origin');
  reply.removeHeader('access-control-expose-headers');
}

const isPreflight = (request: FastifyRequest): boolean =>
  request.method === 'OPTIONS' && typeof request.headers.origin === 'string' && request.headers['access-control-request-method'] !== undefined;

/**
 * Browser clients of the public API. On every response: the security headers, and for an allowed
 * `Origin` the CORS headers. A preflight (`OPTIONS` with `Access-Control-Request-Method`) is
 * answered here, before routing: no authentication, no admission, nothing billed or counted.
 * Credentials (cookies) are never allowed: the API authenticates with bearer tokens, so `*` is
 * never combined with them. A tenant's own list then narrows this on its authenticated answers
 * ({@link applyTenantOrigins}, from the auth guard).
 */
export function installBrowserEdge(fastify: FastifyInstance, settings: BrowserEdgeSettings): void {
  const security = securityHeaders(settings);
  const corsHeaders = (request: FastifyRequest, reply: FastifyReply): boolean => {
    const origin = request.headers.origin;
    // Answers differ by Origin: caches must keep them apart.
    if (settings.allowedOrigins.length > 0 && !settings.allowedOrigins.includes('*')) reply.header('vary', 'Origin');
    const value = allowedOriginValue(origin, settings.allowedOrigins);
    if (value === undefined) return false;
    reply.header('access-control-allow-origin', value);
    return true;
  };

  fastify.addHook('onRequest', (request, reply, done) => {
    // Set before the route runs, so that a streamed (hijacked) answer carries them too.
    reply.headers(security);
    const allowed = corsHeaders(request, reply);
    if (!isPreflight(request)) {
      if (allowed) reply.header('access-control-expose-headers', EXPOSED_HEADERS);
      done();
      return;
    }
    if (allowed) {
      reply.headers({
        'access-control-allow-methods': ALLOWED_METHODS,
        'access-control-allow-headers': ALLOWED_HEADERS,
        'access-control-max-age': String(settings.maxAgeSeconds),
      });
    }
    // Any other origin gets an empty answer without CORS headers: the browser then refuses the call.
    void reply.code(204).send();
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    // Answers sent before the onRequest hook ran (the HTTP edge's refusals) get them here.
    for (const [name, value] of Object.entries(security)) if (!reply.hasHeader(name)) reply.header(name, value);
    reply.removeHeader('x-powered-by');
    done(null, payload);
  });
}
