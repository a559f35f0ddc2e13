import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import { ReservationSettler } from '@conduit/budget';
import type { ChatCompletionRequest } from '@conduit/contracts';
import type { Principal } from '../auth/principal';
import { AdmissionService } from '../usage/admission.service';
import { GATEWAY_CHAT_SETTINGS, GatewayChatSettings } from './chat.constants';
import { ChatErrorCode, ChatException } from './chat.exception';
import { OrchestratorClient, OrchestratorNotReachedError } from './orchestrator.client';

export interface ChatCall {
  principal: Principal;
  request: FastifyRequest;
  reply: FastifyReply;
  /** The session the chat continues (`x-conduit-session-id`). */
  sessionId?: string;
  /** The Responses API's settings of the call (`POST /v1/responses`), for the orchestrator. */
  responses?: { store: boolean; previous_response_id: string | null };
}

function cacheControlOf(request: FastifyRequest): string | undefined {
  const value = request.headers['cache-control'];
  return typeof value === 'string' ? value.slice(0, 256) : undefined;
}

/**
 * The gateway's half of every chat call, shared by `POST /v1/chat/completions` and
 * `POST /v1/responses` (which translates to a chat request first): admission (priced model, rate
 * limits, budget reservation: 400 / 429 / 402 before anything reaches a model), then the request
 * to the orchestrator, which runs the one chat pipeline. A client that disconnects aborts the
 * orchestrator request (which aborts the provider call).
 *
 * The call's budget reservation belongs to the orchestrator as soon as the request was sent: it
 * settles or releases it whatever happens. The gateway releases it only when the request never
 * got there.
 */
@Injectable()
export class ChatForwarder {
  constructor(
    private readonly orchestrator: OrchestratorClient,
    private readonly admission: AdmissionService,
    private readonly settler: ReservationSettler,
    @Inject(GATEWAY_CHAT_SETTINGS) private readonly settings: GatewayChatSettings,
  ) {}

  /** The largest completion limit a request may ask for (`MAX_TOKENS_LIMIT`). */
  get maxTokensLimit(): number {
    return this.settings.maxTokensLimit;
  }

  /** Admits the call and sends it to the orchestrator; resolves with its answer (status, headers, body stream). */
  async send(body: ChatCompletionRequest, call: ChatCall): Promise<Dispatcher.ResponseData> {
    const { principal, request, reply, sessionId } = call;
    // Everything that can fail before the call is sent happens before its reservation exists.
    const payload = JSON.stringify(body);
    const admission = await this.admission.admitChat(principal, body, { withHistory: (sessionId ?? body.conduit?.session_id) !== undefined });
    reply.headers(admission.headers);

    const abort = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    return this.forward(() =>
      this.orchestrator
        .chat(payload, {
          principal,
          requestId: String(request.id),
          sessionId,
          reservationId: admission.reservationId,
          cacheControl: cacheControlOf(request),
          signal: abort.signal,
          ...(call.responses ? { responses: JSON.stringify(call.responses) } : {}),
        })
        .catch(async (error: unknown) => {
          // Never delivered: nobody else knows the reservation, so it is the gateway's to give back
          // (before the error answer, so an immediate retry finds the budget free).
          if (error instanceof OrchestratorNotReachedError) {
            await this.settler.releaseNow({ tenantId: principal.tenantId, reservationId: admission.reservationId, requestId: String(request.id) });
          }
          throw error;
        }),
    );
  }

  /** Runs a call to the orchestrator; one it cannot reach is 503 `orchestrator_unavailable`. */
  async forward(call: () => Promise<Dispatcher.ResponseData>): Promise<Dispatcher.ResponseData> {
    try {
      return await call();
    } catch (error) {
      const cause = error instanceof OrchestratorNotReachedError ? error.cause : error;
      if ((cause as { name?: string }).name === 'AbortError') throw cause;
      throw new ChatException(ChatErrorCode.OrchestratorUnavailable, 'The chat service is unavailable; try again shortly.');
    }
  }
}
