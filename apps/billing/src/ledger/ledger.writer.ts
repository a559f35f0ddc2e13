import { Injectable, Logger } from '@nestjs/common';
import type { UsageEvent } from '@conduit/contracts';
import { hourOf, PricedUsage } from '@conduit/budget';
import { MicroBatcher } from '../batching/micro-batcher';
import { billingLedgerBatchFallbacksTotal, billingLedgerBatchSize } from '../billing.metrics';
import { LedgerWriteError, sqlStateOf } from './ledger.exception';
import { hourKey, LedgerBatchResult, LedgerEntry, LedgerStatement } from './ledger.statement';

export { NO_USER } from './ledger.statement';

export interface LedgerWrite {
  /** False when the event was already in the ledger (a redelivery): nothing was written. */
  inserted: boolean;
  /** The tenant's spend in the event's UTC hour after this write (nano-dollars). */
  hourSpendNano: number;
}

/** Most events one ledger statement carries (bounds its size and the time its row locks are held). */
export const LEDGER_MAX_BATCH = 200;

/** Single-event statements run at once when a batch falls back to writing its events one by one. */
const FALLBACK_CONCURRENCY = 4;

const duplicate = (): LedgerWrite => ({ inserted: false, hourSpendNano: 0 });

/**
 * Appends priced usage events to the ledger (`usage_events`) and, atomically with them, to the
 * per-day and per-hour aggregates. The event id is the primary key: a redelivered event inserts
 * nothing and touches no aggregate, so retries and crashes never double-count.
 *
 * Events recorded concurrently (the worker runs many jobs at once) are written together, one
 * statement per batch ({@link LedgerStatement}, {@link MicroBatcher}); each caller still gets its
 * own event's outcome. Should a batch's statement fail, its events are written one by one, so an
 * event the database refuses fails only its own job.
 */
@Injectable()
export class LedgerWriter {
  private readonly logger = new Logger(LedgerWriter.name);
  private readonly batcher = new MicroBatcher<LedgerEntry, LedgerWrite>((entries) => this.writeBatch(entries), {
    name: 'billing.ledger.write',
    maxBatch: LEDGER_MAX_BATCH,
  });

  constructor(private readonly statement: LedgerStatement) {}

  record(event: UsageEvent, cost: PricedUsage): Promise<LedgerWrite> {
    return this.batcher.submit({ event, cost });
  }

  private async writeBatch(entries: readonly LedgerEntry[]): Promise<PromiseSettledResult<LedgerWrite>[]> {
    // The same event twice in one batch (a redelivery racing the original): the first is written,
    // the others are duplicates, as if they had run one after the other.
    const firstOf = new Map<string, number>();
    const unique: LedgerEntry[] = [];
    const slot = entries.map((entry) => {
      const seen = firstOf.get(entry.event.event_id);
      if (seen !== undefined) return { index: seen, primary: false };
      firstOf.set(entry.event.event_id, unique.length);
      unique.push(entry);
      return { index: unique.length - 1, primary: true };
    });
    billingLedgerBatchSize.observe(unique.length);
    const outcomes = await this.writeUnique(unique);
    return slot.map(({ index, primary }) => {
      const outcome = outcomes[index];
      return primary || outcome.status === 'rejected' ? outcome : { status: 'fulfilled', value: duplicate() };
    });
  }

  private async writeUnique(entries: LedgerEntry[]): Promise<PromiseSettledResult<LedgerWrite>[]> {
    try {
      const result = await this.statement.write(entries);
      return entries.map((entry) => ({ status: 'fulfilled', value: outcomeOf(entry, result) }));
    } catch (error) {
      if (entries.length === 1) return [{ status: 'rejected', reason: LedgerWriteError.of(entries[0].event.event_id, error) }];
      billingLedgerBatchFallbacksTotal.inc();
      this.logger.warn({ batch_size: entries.length, sql_state: sqlStateOf(error), err: error }, 'ledger batch failed: writing its events one by one');
      // One by one, each its own statement (and transaction): a refused event fails alone. A few
      // at a time (the statement's lock order keeps them from deadlocking each other), leaving
      // the rest of the shared pool to Prisma.
      return mapLimited(entries, FALLBACK_CONCURRENCY, async (entry): Promise<PromiseSettledResult<LedgerWrite>> => {
        try {
          return { status: 'fulfilled', value: outcomeOf(entry, await this.statement.write([entry])) };
        } catch (single) {
          return { status: 'rejected', reason: LedgerWriteError.of(entry.event.event_id, single) };
        }
      });
    }
  }
}

function outcomeOf(entry: LedgerEntry, result: LedgerBatchResult): LedgerWrite {
  if (!result.inserted.has(entry.event.event_id)) return duplicate();
  const key = hourKey(entry.event.tenant_id, hourOf(new Date(entry.event.occurred_at)));
  return { inserted: true, hourSpendNano: result.hourSpendNano.get(key) ?? 0 };
}

/** `work` over `items` with at most `limit` calls in flight; results in the items' order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
