import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Dispatcher, Pool } from 'undici';
import { RESERVATION_HEADER } from '@conduit/contracts';
import type { Principal } from '../auth/principal';
import { GATEWAY_CHAT_SETTINGS, GatewayChatSettings } from './chat.constants';

export interface ForwardOptions {
  principal: Principal;
  requestId: string;
  sessionId?: string;
  /** The call's budget reservation, settled or released by the orchestrator. */
  reservationId?: string;
  signal: AbortSignal;
}

/**
 * HTTP client for the chat orchestrator: one keep-alive pool, bodies streamed both ways, and the
 * caller's AbortSignal tied to the upstream request so a client that leaves cancels the work.
 */
@Injectable()
export class OrchestratorClient implements OnApplicationShutdown {
  private readonly pool: Pool;

  constructor(@Inject(GATEWAY_CHAT_SETTINGS) private readonly settings: GatewayChatSettings) {
    this.pool = new Pool(settings.orchestratorUrl, {
      connections: settings.connections,
      keepAliveTimeout: 30_000,
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }

  chat(body: string, options: ForwardOptions): Promise<Dispatcher.ResponseData> {
    return this.pool.request({
      method: 'POST',
      path: '/internal/chat/completions',
      headers: this.headers(options, { 'content-type': 'application/json' }),
      body,
      signal: options.signal,
    });
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
      'x-conduit-tenant-id': options.principal.tenantId,
      'x-conduit-user-id': options.principal.userId,
      'x-conduit-api-key-id': options.principal.apiKeyId,
      ...(options.sessionId ? { 'x-conduit-session-id': options.sessionId } : {}),
      ...(options.reservationId ? { [RESERVATION_HEADER]: options.reservationId } : {}),
      ...(this.settings.internalToken ? { 'x-conduit-internal-token': this.settings.internalToken } : {}),
    };
  }
}
