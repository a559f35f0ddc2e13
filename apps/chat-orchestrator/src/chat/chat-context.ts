import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { RESERVATION_HEADER } from '@conduit/contracts';
import { ChatException, ChatErrorCode } from './chat.exception';

/** Who the gateway says is calling; the orchestrator trusts only the gateway (internal token). */
export interface ChatContext {
  tenantId: string;
  userId: string;
  apiKeyId: string | null;
  requestId: string;
  sessionId?: string;
  /** The gateway's budget reservation for this call: settled with the actual cost, or released. */
  reservationId?: string | null;
  /** What the usage is billed as: `chat` (default) or `job` (async jobs). */
  feature?: 'chat' | 'job';
}

export const CONTEXT_HEADERS = {
  tenant: 'x-conduit-tenant-id',
  user: 'x-conduit-user-id',
  apiKey: 'x-conduit-api-key-id',
  token: 'x-conduit-internal-token',
  reservation: RESERVATION_HEADER,
} as const;

const uuid = z.uuid();

export function contextFrom(request: FastifyRequest, sessionId: string | undefined): ChatContext {
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const tenantId = header(CONTEXT_HEADERS.tenant);
  const userId = header(CONTEXT_HEADERS.user);
  const apiKeyId = header(CONTEXT_HEADERS.apiKey);
  if (!uuid.safeParse(tenantId).success || !uuid.safeParse(userId).success) {
    throw new ChatException(ChatErrorCode.MissingContext, 400, 'x-conduit-tenant-id and x-conduit-user-id must be uuids');
  }
  return {
    tenantId: tenantId as string,
    userId: userId as string,
    apiKeyId: apiKeyId && uuid.safeParse(apiKeyId).success ? apiKeyId : null,
    requestId: String(request.id),
    sessionId,
    reservationId: reservationOf(request),
  };
}

/** The reservation id the gateway sent, when well formed. */
export function reservationOf(request: FastifyRequest): string | null {
  const value = request.headers[CONTEXT_HEADERS.reservation];
  return typeof value === 'string' && uuid.safeParse(value).success ? value : null;
}

/** Refuses a caller that does not present the internal token (when one is configured). */
export function assertInternalCaller(request: FastifyRequest, expected: string | undefined): void {
  if (!expected) return;
  const presented = request.headers[CONTEXT_HEADERS.token];
  const a = Buffer.from(typeof presented === 'string' ? presented : '');
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new ChatException(ChatErrorCode.Unauthorized, 401, 'missing or wrong internal token');
  }
}
