export const INTERNAL_SETTINGS = Symbol('INTERNAL_SETTINGS');

/** Settings the orchestrator's HTTP features share (chat and price quotes). */
export interface InternalSettings {
  /** Callers (the gateway) must present it in `x-conduit-internal-token`; without it every internal call is refused. */
  internalToken?: string;
  /** How much of a session's history a chat reads (and a price quote reserves for). */
  history: { maxMessages: number; maxTokens: number };
  /** The response cache's Redis, key prefix and lookup deadline (see pipeline/stages/cache-lookup). */
  /**
   * The response cache: Redis (entries) and, for semantic tenants, the Postgres holding their
   * vectors; each with the longest a lookup may take (semantic: embedding plus search).
   */
  responseCache?: { url: string; prefix: string; timeoutMs: number; databaseUrl?: string; semanticTimeoutMs?: number };
}
