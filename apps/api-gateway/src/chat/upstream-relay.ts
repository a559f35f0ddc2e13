import type { FastifyReply } from 'fastify';
import type { Dispatcher } from 'undici';
import { ConduitHeader } from '@conduit/contracts';

/** Orchestrator response headers a client may rely on. */
const PASSED_HEADERS = [
  'content-type',
  ConduitHeader.SessionId,
  ConduitHeader.MessageId,
  ConduitHeader.Provider,
  ConduitHeader.Model,
  ConduitHeader.Citations,
  ConduitHeader.Guardrails,
  ConduitHeader.Cache,
  ConduitHeader.Degraded,
  ConduitHeader.CacheKey,
  ConduitHeader.Route,
  ConduitHeader.ConfirmationId,
];

export function passHeaders(upstream: Dispatcher.ResponseData, reply: FastifyReply): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of PASSED_HEADERS) {
    const value = upstream.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  reply.headers(headers);
  return headers;
}

/**
 * Sends the orchestrator's chat answer on: a plain body as it is, an SSE body chunk by chunk as it
 * arrives (the client's disconnect aborts the upstream request through the caller's signal).
 */
export async function relay(upstream: Dispatcher.ResponseData, reply: FastifyReply): Promise<void> {
  const isStream = String(upstream.headers['content-type'] ?? '').startsWith('text/event-stream');
  if (!isStream) {
    passHeaders(upstream, reply);
    await reply.status(upstream.statusCode).send(upstream.body);
    return;
  }
  reply.hijack();
  const raw = reply.raw;
  passHeaders(upstream, reply);
  raw.writeHead(upstream.statusCode, {
    ...(reply.getHeaders() as Record<string, string>),
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  try {
    for await (const chunk of upstream.body) {
      if (!raw.write(chunk)) await new Promise((resolve) => raw.once('drain', resolve));
    }
  } catch {
    // The client left (abort) or the orchestrator dropped the stream: nothing more to send.
  } finally {
    raw.end();
  }
}
