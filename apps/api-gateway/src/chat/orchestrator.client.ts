import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { Dispatcher } from 'undici';
import { ConduitHeader } from '@conduit/contracts';
import type { Principal } from '../auth/principal';
import { GATEWAY_CHAT_SETTINGS, GatewayChatSettings } from './chat.constants';
import { Delivery, DeliveryTrackingPool } from './delivery-tracking.pool';

export interface ForwardOptions {
  principal: Principal;
  requestId: string;
  sessionId?: string;
  /** The call's budget reservation, settled or released by the orchestrator. */
  reservationId?: string;
  /** The client's `cache-control` request header (`no-cache`, `no-store`: the response cache). */
  cacheControl?: string;
  /** `POST /v1/responses`: the call's Responses settings as JSON (`x-conduit-responses`). */
  responses?: string;
  signal: AbortSignal;
}

/**
 * The request never reached the orchestrator: it was refused, no connection could be made, or the
 * caller gave up while it was still queued. Nothing on the other side knows about the call.
 */
export class OrchestratorNotReachedError extends Error {
  override name = 'OrchestratorNotReachedError';

  constructor(cause: unknown) {
    super('the request was not delivered to the chat orchestrator', { cause });
  }
}

/**
 * HTTP client for the chat orchestrator: one keep-alive pool, bodies streamed both ways, and the
 * caller's AbortSignal tied to the upstream request so a client that leaves cancels the work.
 */
@Injectable()
export class OrchestratorClient implements OnApplicationShutdown {
  private readonly pool: DeliveryTrackingPool;

  constructor(@Inject(GATEWAY_CHAT_SETTINGS) private readonly settings: GatewayChatSettings) {
    this.pool = new DeliveryTrackingPool(settings.orchestratorUrl, {
      connections: settings.connections,
      keepAliveTimeout: 30_000,
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }

  /**
   * Forwards a chat request. Rejects with {@link OrchestratorNotReachedError} when the request was
   * never sent in full, so the caller knows the orchestrator cannot own what the call holds.
   */
  async chat(body: string, options: ForwardOptions): Promise<Dispatcher.ResponseData> {
    const delivery: Delivery = { sent: false };
    const request = this.pool.track(
      {
        method: 'POST' as const,
        path: '/internal/chat/completions',
        headers: this.headers(options, { 'content-type': 'application/json' }),
        body,
        signal: options.signal,
      },
      delivery,
    );
    try {
      return await this.pool.request(request);
    } catch (error) {
      throw delivery.sent ? error : new OrchestratorNotReachedError(error);
    }
  }

  /** A JSON POST to an internal route (the caller's signal aborts it; the answer streams back). */
  post(path: string, body: string, options: Omit<ForwardOptions, 'sessionId'>): Promise<Dispatcher.ResponseData> {
    return this.pool.request({ method: 'POST', path, headers: this.headers(options, { 'content-type': 'application/json' }), body, signal: options.signal });
  }

  get(path: string, options: Omit<ForwardOptions, 'sessionId'>): Promise<Dispatcher.ResponseData> {
    return this.pool.request({ method: 'GET', path, headers: this.headers(options, {}), signal: options.signal });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }

  private headers(options: Omit<ForwardOptions, 'sessionId'> & { sessionId?: string }, extra: Record<string, string>) {
    return {
      ...extra,
      'x-request-id': options.requestId,
      [ConduitHeader.TenantId]: options.principal.tenantId,
      [ConduitHeader.UserId]: options.principal.userId,
      [ConduitHeader.UserTier]: options.principal.tier,
      ...(options.principal.role ? { [ConduitHeader.UserRole]: options.principal.role } : {}),
      ...(options.principal.apiKeyId ? { [ConduitHeader.ApiKeyId]: options.principal.apiKeyId } : {}),
      ...(options.sessionId ? { [ConduitHeader.SessionId]: options.sessionId } : {}),
      ...(options.reservationId ? { [ConduitHeader.ReservationId]: options.reservationId } : {}),
      ...(options.cacheControl ? { 'cache-control': options.cacheControl } : {}),
      ...(options.responses ? { [ConduitHeader.Responses]: options.responses } : {}),
      ...(this.settings.internalToken ? { [ConduitHeader.InternalToken]: this.settings.internalToken } : {}),
    };
  }
}
