import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ChatException, ChatErrorCode } from './chat.exception';

/** Who the gateway says is calling; the orchestrator trusts only the gateway (internal token). */
export interface ChatContext {
  tenantId: string;
  userId: string;
  apiKeyId: string | null;
  requestId: string;
  sessionId?: string;
}

export const CONTEXT_HEADERS = {
  tenant: 'x-conduit-tenant-id',
  user: 'x-conduit-user-id',
  apiKey: 'x-conduit-api-key-id',
  token: 'x-conduit-internal-token',
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
  };
}
