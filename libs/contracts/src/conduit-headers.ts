/**
 * Conduit's `x-conduit-*` HTTP headers, named once for every service and test.
 *
 * Internal (gateway → orchestrator; the orchestrator trusts them only with the internal token):
 * who is calling and the call's budget reservation. Public (clients send the session id; the
 * gateway passes the orchestrator's answer headers through): the session, message, provider,
 * model, citations, guardrail decisions, cache outcome and degradation of a chat answer.
 */
export const ConduitHeader = {
  /** Internal: the calling tenant (uuid). */
  TenantId: 'x-conduit-tenant-id',
  /** Internal: the calling user (uuid). */
  UserId: 'x-conduit-user-id',
  /** Internal: the calling user's tier (`free`, `pro`, …), for routing rules on `user_tiers`. */
  UserTier: 'x-conduit-user-tier',
  /** Internal: the calling user's role in the tenant (`tenant_admin` may confirm any user's tool calls). */
  UserRole: 'x-conduit-user-role',
  /** Internal: the API key used (uuid). */
  ApiKeyId: 'x-conduit-api-key-id',
  /** Internal: the shared secret that proves the caller is the gateway (`INTERNAL_TOKEN`). */
  InternalToken: 'x-conduit-internal-token',
  /** Internal: the budget reservation of the call, settled or released by the orchestrator. */
  ReservationId: 'x-conduit-reservation-id',
  /**
   * Internal: set on a chat that `POST /v1/responses` sent (the Responses API), JSON
   * `{"store": boolean, "previous_response_id": string | null}`; stored with the answer's message.
   */
  Responses: 'x-conduit-responses',
  /** Public: the end user of the tenant's application a key scoped `act_for_users` acts for. */
  EndUser: 'x-conduit-end-user',
  /** Public: the session a chat continues (request) or was stored in (response). */
  SessionId: 'x-conduit-session-id',
  /** Public: the stored assistant message of a chat answer. */
  MessageId: 'x-conduit-message-id',
  /** Public: the provider and model that answered. */
  Provider: 'x-conduit-provider',
  Model: 'x-conduit-model',
  /** Public: URI-encoded JSON of the sources a grounded answer cites. */
  Citations: 'x-conduit-citations',
  /** Public: what the guardrails flagged or changed in a chat (`input_injection=flag, input_pii=redact`); absent when nothing. */
  Guardrails: 'x-conduit-guardrails',
  /**
   * Public: how the response cache served a chat: `hit`, `miss` (stored or not), `bypass` (not
   * looked up) or `stale` (every provider failed; an expired entry was replayed).
   */
  Cache: 'x-conduit-cache',
  /** Public: the secondary systems a chat was answered without (`retrieval`), per the tenant's `degradation` policy; absent when none. */
  Degraded: 'x-conduit-degraded',
  /**
   * Public: the response cache key of a chat (when one was derived), the entry an admin can purge
   * (`POST /v1/admin/tenants/{id}/cache/purge` with `{"key"}`). A hash: it reveals no content.
   */
  CacheKey: 'x-conduit-cache-key',
  /** Public: the routing decision of a chat (`route=…; mode=…; tier=…; score=…; reason=…[; shadow=…]`); absent under `fixed`. */
  Route: 'x-conduit-route',
  /** Public: a tool run paused on a dangerous tool call: the confirmation to approve or deny (`POST /v1/tool-confirmations/{id}`). */
  ConfirmationId: 'x-conduit-confirmation-id',
  /** Public: the unknown request fields a chat dropped under the `compat.unknown_params: drop` policy (`a,b`); absent when none. */
  DroppedParams: 'x-conduit-dropped-params',
} as const;
export type ConduitHeader = (typeof ConduitHeader)[keyof typeof ConduitHeader];
