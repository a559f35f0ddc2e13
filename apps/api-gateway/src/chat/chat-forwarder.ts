import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import { ReservationSettler } from '@conduit/budget';
import { ConduitHeader, type ChatCompletionRequest } from '@conduit/contracts';
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

/** Copies the orchestrator's answer headers a client may rely on (chat completions, `POST /v1/responses`, tool confirmations). */
export function passHeaders(upstream: Dispatcher.ResponseData, reply: FastifyReply): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of PASSED_HEADERS) {
    const value = upstream.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  reply.headers(headers);
  return headers;
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

  /**
   * Sends the orchestrator's chat answer on as it is: a plain body whole, an SSE body chunk by
   * chunk as it arrives (the client's disconnect aborts the upstream request through the signal
   * the call was sent with). Chat completions and the resume of a paused tool run
   * (`POST /v1/tool-confirmations/{id}`); `POST /v1/responses` translates instead.
   */
  async relay(upstream: Dispatcher.ResponseData, reply: FastifyReply): Promise<void> {
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
