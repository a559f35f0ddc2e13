import { createHash } from 'node:crypto';
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
  feature: z.enum(['chat', 'job', 'embedding', 'eval', 'memory', 'other']),
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

/** Most events one `usage.record.batch` job carries (a producer splits bigger batches). */
export const USAGE_BATCH_MAX_EVENTS = 500;

/**
 * The usage events of one write-behind batch (e.g. the orchestrator's batch of stored turns), as
 * one queue job: billing bills each event as if it came alone (`event_id` stays the idempotency
 * key of each), so a batch re-delivered, or an event in two batches, is billed once.
 */
export const usageBatchSchema = z.object({
  events: z.array(usageEventSchema).min(1).max(USAGE_BATCH_MAX_EVENTS),
});
export type UsageBatch = z.output<typeof usageBatchSchema>;
export type UsageBatchInput = z.input<typeof usageBatchSchema>;

/** Deterministic BullMQ job id of a batch (from its event ids): emitting the same batch twice enqueues it once. */
export function usageBatchJobId(eventIds: readonly string[]): string {
  const hash = createHash('sha256');
  for (const id of eventIds) hash.update(id).update('\n');
  return `usage-batch-${hash.digest('hex')}`;
}
