export const INTERNAL_SETTINGS = Symbol('INTERNAL_SETTINGS');

/** Settings the orchestrator's HTTP features share (chat and price quotes). */
export interface InternalSettings {
  /** Callers (the gateway) must present it in `x-conduit-internal-token`; without it every internal call is refused. */
  internalToken?: string;
  /** How much of a session's history a chat reads (and a price quote reserves for). */
  history: { maxMessages: number; maxTokens: number };
  /** The response cache's Redis, key prefix and lookup deadline (see pipeline/stages/cache-lookup). */
  responseCache?: { url: string; prefix: string; timeoutMs: number };
}
