import { z } from 'zod';

/**
 * One LLM call's usage, emitted by whoever made the call (chat, jobs, embeddings, eval judge).
 * `event_id` is the idempotency key: the billing ledger records each id once.
 */
export const usageEventSchema = z.object({
  event_id: z.string().min(8).max(128),
  tenant_id: z.uuid(),
  user_id: z.uuid().nullable(),
  api_key_id: z.uuid().nullable(),
  request_id: z.string().max(128).nullable(),
  provider: z.string().min(1).max(64),
  model: z.string().min(1).max(128),
  input_tokens: z.number().int().min(0),
  output_tokens: z.number().int().min(0),
  /** Prompt-cache reads, part of `input_tokens`, priced at the cache-read rate. */
  cached_tokens: z.number().int().min(0).default(0),
  /** Prompt-cache writes (Anthropic cache creation), part of `input_tokens`, priced at the cache-write rate. */
  cache_write_tokens: z.number().int().min(0).default(0),
  latency_ms: z.number().int().min(0).nullable(),
  feature: z.enum(['chat', 'job', 'embedding', 'eval', 'other']),
  occurred_at: z.iso.datetime(),
  /** The gateway's budget reservation the call ran under; billing turns its hold into spend. */
  reservation_id: z.string().min(8).max(128).nullable().default(null),
  /** The routing decision (`x-conduit-route` value) when the tenant routes; null under `fixed`. */
  route: z.string().max(512).nullable().default(null),
  /** Served from the response cache: no provider tokens (0 here), charged at zero. */
  cache_hit: z.boolean().default(false),
  /** On a cache hit: what the original call cost (USD), i.e. what the hit saved. */
  cost_saved_usd: z.number().min(0).default(0),
  /** The prompt template version the call was rendered from (`conduit.prompt`), if any. */
  prompt_name: z.string().min(1).max(128).nullable().default(null),
  prompt_version: z.number().int().min(1).nullable().default(null),
});
export type UsageEvent = z.output<typeof usageEventSchema>;
export type UsageEventInput = z.input<typeof usageEventSchema>;

/** Deterministic BullMQ job id of a usage event: emitting the same event twice bills it once. */
export function usageRecordJobId(eventId: string): string {
  return `usage-${eventId}`;
}
