import { Injectable } from '@nestjs/common';
import type { UsageEvent } from '@conduit/contracts';
import { PrismaService } from '@conduit/db';
import { dayOf, decimalToNano, hourOf, nanoToDecimalString, PricedUsage, toNano } from '@conduit/budget';

/** `usage_daily.user_id` of usage without a user (the aggregate's key cannot be null). */
export const NO_USER = '00000000-0000-0000-0000-000000000000';

/** One priced event to append to the ledger. */
export interface LedgerEntry {
  event: UsageEvent;
  cost: PricedUsage;
}

/** What one statement wrote. */
export interface LedgerBatchResult {
  /** Ids of the events that were new (the others were in the ledger already: nothing written). */
  inserted: Set<string>;
  /** The tenant's spend in a UTC hour after the write (nano-dollars), by {@link hourKey}. */
  hourSpendNano: Map<string, number>;
}

/** Key of a tenant's UTC hour in {@link LedgerBatchResult.hourSpendNano}. */
export function hourKey(tenantId: string, hour: Date): string {
  return `${tenantId.toLowerCase()} ${hour.getTime()}`;
}

/** One `usage_events` row plus its aggregate keys, as the statement's JSON input reads it. */
interface LedgerRow {
  id: string;
  tenant_id: string;
  user_id: string | null;
  api_key_id: string | null;
  request_id: string | null;
  provider: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  latency_ms: number | null;
  feature: string;
  occurred_at: string;
  reservation_id: string | null;
  /** Decimal string with nine places (exact; never a float). */
  cost_usd: string;
  priced: boolean;
  price_model: string | null;
  price_effective_from: string | null;
  input_usd_per_mtok: number | null;
  output_usd_per_mtok: number | null;
  cached_input_usd_per_mtok: number | null;
  prompt_name: string | null;
  prompt_version: number | null;
  cache_hit: boolean;
  /** Decimal string with nine places: what a cache hit saved. */
  cost_saved_usd: string;
  /** Aggregate keys, computed here with the same UTC helpers the budgets use. */
  day: string;
  hour: string;
}

function rowOf({ event, cost }: LedgerEntry): LedgerRow {
  // Through Date, like the Prisma writer before: millisecond precision, whatever the input had.
  const occurredAt = new Date(event.occurred_at);
  const price = cost.price;
  return {
    id: event.event_id,
    tenant_id: event.tenant_id,
    user_id: event.user_id,
    api_key_id: event.api_key_id,
    request_id: event.request_id,
    provider: event.provider,
    model: event.model,
    input_tokens: event.input_tokens,
    output_tokens: event.output_tokens,
    cached_tokens: event.cached_tokens,
    latency_ms: event.latency_ms,
    feature: event.feature,
    occurred_at: occurredAt.toISOString(),
    reservation_id: event.reservation_id,
    cost_usd: nanoToDecimalString(cost.nano),
    priced: cost.priced,
    price_model: price?.key ?? null,
    price_effective_from: price?.effective_from ?? null,
    input_usd_per_mtok: price?.input ?? null,
    output_usd_per_mtok: price?.output ?? null,
    cached_input_usd_per_mtok: price?.cached_input ?? null,
    prompt_name: event.prompt_name ?? null,
    prompt_version: event.prompt_version ?? null,
    cache_hit: event.cache_hit,
    cost_saved_usd: nanoToDecimalString(toNano(event.cost_saved_usd)),
    day: dayOf(occurredAt).toISOString().slice(0, 10),
    hour: hourOf(occurredAt).toISOString(),
  };
}

/**
 * Appends events to the ledger and adds the new ones to `usage_daily` and `usage_hourly`, in ONE
 * statement (so atomically, and one round trip whatever the batch size):
 *
 * 1. `ins`: the events, `ON CONFLICT (id) DO NOTHING` — a redelivered event inserts nothing…
 * 2. `daily` / `hourly`: …and, since the aggregates are summed over `ins`'s RETURNING (only the
 *    rows actually inserted), touches no aggregate. Rows are grouped by key first because an
 *    `ON CONFLICT DO UPDATE` may not touch the same row twice in one statement.
 *
 * Deadlocks: two billing replicas (or a batch and a fallback single write) lock rows of the same
 * tables. Every statement locks in one global order — events by id, then daily rows, then hourly
 * rows, each sorted by key (the `ORDER BY`s; the main query's `UNION ALL` runs the CTEs in that
 * sequence) — so no two can wait on each other in a cycle.
 *
 * Input is one JSON array (`jsonb_to_recordset`), so the statement text never changes and is
 * prepared once per connection. Event ids must be unique within a call (the caller deduplicates):
 * `new_events` joins the input by id.
 */
@Injectable()
export class LedgerStatement {
  constructor(private readonly prisma: PrismaService) {}

  async write(entries: readonly LedgerEntry[]): Promise<LedgerBatchResult> {
    const rows = entries.map(rowOf);
    if (new Set(rows.map((row) => row.id)).size !== rows.length) throw new Error('ledger statement: duplicate event ids in one batch');
    const { rows: out } = await this.prisma.pg.query<{ kind: 'event' | 'hour' | 'daily'; id: string | null; tenant_id: string | null; hour_ms: string | null; cost: string | null }>({
      name: 'billing_ledger_write_v2',
      text: LEDGER_SQL,
      values: [JSON.stringify(rows), NO_USER],
    });
    const result: LedgerBatchResult = { inserted: new Set(), hourSpendNano: new Map() };
    for (const row of out) {
      if (row.kind === 'event' && row.id !== null) result.inserted.add(row.id);
      else if (row.kind === 'hour' && row.tenant_id !== null && row.hour_ms !== null) {
        result.hourSpendNano.set(hourKey(row.tenant_id, new Date(Number(row.hour_ms))), decimalToNano(row.cost ?? '0'));
      }
    }
    return result;
  }
}

const LEDGER_SQL = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS e(
    id text, tenant_id uuid, user_id uuid, api_key_id uuid, request_id text, provider text, model text,
    input_tokens integer, output_tokens integer, cached_tokens integer, latency_ms integer, feature text,
    occurred_at timestamptz, reservation_id text, cost_usd numeric, priced boolean, price_model text,
    price_effective_from date, input_usd_per_mtok numeric, output_usd_per_mtok numeric,
    cached_input_usd_per_mtok numeric, prompt_name text, prompt_version integer, cache_hit boolean, cost_saved_usd numeric, day date, hour timestamptz)
),
ins AS (
  INSERT INTO usage_events (id, tenant_id, user_id, api_key_id, request_id, provider, model, input_tokens,
    output_tokens, cached_tokens, latency_ms, feature, occurred_at, reservation_id, cost_usd, priced,
    price_model, price_effective_from, input_usd_per_mtok, output_usd_per_mtok, cached_input_usd_per_mtok,
    prompt_name, prompt_version, cache_hit, cost_saved_usd)
  SELECT id, tenant_id, user_id, api_key_id, request_id, provider, model, input_tokens, output_tokens,
    cached_tokens, latency_ms, feature, occurred_at, reservation_id, cost_usd, priced, price_model,
    price_effective_from, input_usd_per_mtok, output_usd_per_mtok, cached_input_usd_per_mtok,
    prompt_name, prompt_version, cache_hit, cost_saved_usd
  FROM input
  ORDER BY id
  ON CONFLICT (id) DO NOTHING
  RETURNING id
),
new_events AS (
  SELECT input.* FROM input JOIN ins USING (id)
),
daily AS (
  INSERT INTO usage_daily AS d (tenant_id, user_id, day, model, requests, input_tokens, output_tokens, cached_tokens, cost_usd,
    cache_hits, cost_saved_usd)
  SELECT tenant_id, COALESCE(user_id, $2::uuid), day, model, count(*), sum(input_tokens), sum(output_tokens),
    sum(cached_tokens), sum(cost_usd), count(*) FILTER (WHERE cache_hit), sum(cost_saved_usd)
  FROM new_events
  GROUP BY 1, 2, 3, 4
  ORDER BY 1, 2, 3, 4
  ON CONFLICT (tenant_id, user_id, day, model) DO UPDATE SET
    requests = d.requests + EXCLUDED.requests,
    input_tokens = d.input_tokens + EXCLUDED.input_tokens,
    output_tokens = d.output_tokens + EXCLUDED.output_tokens,
    cached_tokens = d.cached_tokens + EXCLUDED.cached_tokens,
    cost_usd = d.cost_usd + EXCLUDED.cost_usd,
    cache_hits = d.cache_hits + EXCLUDED.cache_hits,
    cost_saved_usd = d.cost_saved_usd + EXCLUDED.cost_saved_usd
  RETURNING 1
),
hourly AS (
  INSERT INTO usage_hourly AS h (tenant_id, hour, requests, cost_usd)
  SELECT tenant_id, hour, count(*), sum(cost_usd)
  FROM new_events
  GROUP BY 1, 2
  ORDER BY 1, 2
  ON CONFLICT (tenant_id, hour) DO UPDATE SET
    requests = h.requests + EXCLUDED.requests,
    cost_usd = h.cost_usd + EXCLUDED.cost_usd
  RETURNING tenant_id, hour, cost_usd
)
SELECT 'event' AS kind, id, NULL::text AS tenant_id, NULL::text AS hour_ms, NULL::text AS cost FROM ins
UNION ALL
SELECT 'daily', NULL, NULL, NULL, count(*)::text FROM daily
UNION ALL
SELECT 'hour', NULL, tenant_id::text, (extract(epoch FROM hour) * 1000)::bigint::text, cost_usd::text FROM hourly`;
