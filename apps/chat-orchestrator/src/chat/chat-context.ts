import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ReservationRef } from '@conduit/budget';
import { ConduitHeader } from '@conduit/contracts';
import { ChatErrorCode, ChatException } from './chat.exception';

/** Who the gateway says is calling; the orchestrator trusts only the gateway (internal token). */
export interface ChatContext {
  tenantId: string;
  userId: string;
  apiKeyId: string | null;
  requestId: string;
  sessionId?: string;
  /** The gateway's budget reservation for this call: settled with the actual cost, or released. */
  reservationId?: string | null;
  /** The user's tier as the gateway sent it (routing rules on `user_tiers`); absent for async jobs. */
  userTier?: string | null;
  /** What the usage is billed as: `chat` (default) or `job` (async jobs). */
  feature?: 'chat' | 'job';
  /** The client's `cache-control` request header (`no-cache`: no lookup; `no-store`: no lookup, no store). */
  cacheControl?: string;
  /** The async job this turn runs for (a paused tool run records it on its confirmation). */
  jobId?: string;
  /**
   * Set when the chat came from `POST /v1/responses` (the gateway's translation): stored with the
   * answer (`metadata.responses`), which is then stored before the answer ends (`store: true`), so
   * its response id can be continued at once.
   */
  responses?: ResponsesCall;
}

const responsesCallSchema = z.object({ store: z.boolean(), previous_response_id: z.string().max(64).nullable() });
export type ResponsesCall = z.output<typeof responsesCallSchema>;

function responsesOf(value: string | undefined): ResponsesCall | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = responsesCallSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const uuid = z.uuid();

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function contextFrom(request: FastifyRequest, sessionId: string | undefined): ChatContext {
  const tenantId = header(request, ConduitHeader.TenantId);
  const userId = header(request, ConduitHeader.UserId);
  const apiKeyId = header(request, ConduitHeader.ApiKeyId);
  if (!uuid.safeParse(tenantId).success || !uuid.safeParse(userId).success) {
    throw new ChatException(ChatErrorCode.MissingContext, `${ConduitHeader.TenantId} and ${ConduitHeader.UserId} must be uuids`);
  }
  return {
    tenantId: tenantId as string,
    userId: userId as string,
    apiKeyId: apiKeyId && uuid.safeParse(apiKeyId).success ? apiKeyId : null,
    requestId: String(request.id),
    sessionId,
    reservationId: reservationOf(request)?.reservationId ?? null,
    cacheControl: header(request, 'cache-control'),
    userTier: tierOf(header(request, ConduitHeader.UserTier)),
    ...withResponses(responsesOf(header(request, ConduitHeader.Responses))),
  };
}

const withResponses = (responses: ResponsesCall | undefined): { responses?: ResponsesCall } => (responses ? { responses } : {});

const TIER = /^[a-z0-9_-]{1,32}$/;
const tierOf = (value: string | undefined): string | null => (value !== undefined && TIER.test(value) ? value : null);

/** The reservation the gateway sent with the call, when it and its tenant are well formed. */
export function reservationOf(request: FastifyRequest): ReservationRef | null {
  const reservationId = header(request, ConduitHeader.ReservationId);
  const tenantId = header(request, ConduitHeader.TenantId);
  if (!uuid.safeParse(reservationId).success || !uuid.safeParse(tenantId).success) return null;
  return { tenantId: tenantId as string, reservationId: reservationId as string, requestId: String(request.id) };
}
