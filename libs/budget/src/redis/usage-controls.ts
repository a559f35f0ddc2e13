import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { reservationsEndedTotal } from '../budget.metrics';
import type { RateLimits, ResolvedCaps } from '../policy/caps';
import type { BudgetPeriod, BudgetScope } from '../windows';
import { COUNTER_ORDER, CounterRef, UsageKeys, counterTtlSeconds } from './usage-keys';
import { ADMIT_SCRIPT, COMMIT_SCRIPT, SEED_SCRIPT, SETTLE_SCRIPT } from './usage.scripts';

/** Where counters get their starting value: the ledger's total for the counter's window. */
export interface SpendSource {
  spendOf(tenantId: string, counter: CounterRef): Promise<number>;
}

export interface UsageControlsOptions {
  /** Key prefix (the deployment's QUEUE_PREFIX). */
  prefix: string;
  /** How long a reservation holds budget without being settled or released. */
  reservationTtlMs: number;
  /** How long a settled amount stays held while billing has not committed it. */
  settledTtlMs: number;
  /** Sliding window of the rate limits. */
  rateWindowMs?: number;
  /** How long billing's idempotency markers live. */
  markerTtlMs?: number;
}

export interface AdmitInput {
  reservationId: string;
  tenantId: string;
  userId: string;
  apiKeyId: string | null;
  /** Maximum cost of the call in nano-dollars (0: never blocked by a cap). */
  estimateNano: number;
  /** Tokens counted against the per-minute token limits until the call settles. */
  estimateTokens: number;
  caps: ResolvedCaps;
  rate: RateLimits;
  /**
   * How long this reservation holds budget if nobody ends it; default the service's
   * `reservationTtlMs`. An async job's reservation must outlive its wait in the queue.
   */
  ttlMs?: number;
  at?: Date;
  /**
   * Called when the admission must first seed counters from the ledger in Postgres (the first
   * call of a window for a tenant, user or key): the caller's Redis deadline should not count it.
   */
  onSeed?: () => void;
}

export interface RateWindowState {
  limit: number;
  remaining: number;
  /** Until the oldest counted call leaves the window (room for one more). */
  resetMs: number;
}

/** The tighter of the API key's and the user's limits, per dimension; absent when unlimited. */
export interface RateState {
  requests?: RateWindowState;
  tokens?: RateWindowState;
}

export interface BudgetRefusal {
  admitted: false;
  reason: 'budget_exceeded';
  scope: BudgetScope;
  period: BudgetPeriod;
  capNano: number;
  spentNano: number;
  heldNano: number;
  requestedNano: number;
  resetsAt: Date;
}

export interface RateRefusal {
  admitted: false;
  reason: 'rate_limited';
  subject: 'api_key' | 'user';
  dimension: 'requests' | 'tokens';
  limit: number;
  retryAfterMs: number;
}

export type AdmitOutcome = { admitted: true; rate: RateState } | BudgetRefusal | RateRefusal;

export interface CounterSnapshot extends CounterRef {
  spentNano: number;
  heldNano: number;
}

export interface CommitInput {
  tenantId: string;
  userId: string | null;
  /** The API key the event was made with (its `key` budget counters count the cost too). */
  apiKeyId?: string | null;
  eventId: string;
  reservationId: string | null;
  costNano: number;
  occurredAt: Date;
}

export type SettleState = 'settled' | 'released' | 'billed' | 'expired' | 'missing';

const DEFAULT_MARKER_TTL_MS = 48 * 3_600_000;
const RECORD_GRACE_MS = 24 * 3_600_000;
const SEED_ATTEMPTS = 3;

/** One invocation of a script: its KEYS and ARGV. */
interface ScriptCall {
  keys: string[];
  args: (string | number)[];
}

class Script {
  readonly sha: string;
  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }
}

const scripts = {
  admit: new Script(ADMIT_SCRIPT),
  settle: new Script(SETTLE_SCRIPT),
  commit: new Script(COMMIT_SCRIPT),
  seed: new Script(SEED_SCRIPT),
};

function capNano(usd: number | null): number {
  return usd === null ? -1 : Math.round(usd * 1_000_000_000);
}

const limitArg = (value: number | null) => (value === null ? -1 : value);

function pickTighter(a: RateWindowState | undefined, b: RateWindowState | undefined): RateWindowState | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.remaining < a.remaining || (b.remaining === a.remaining && b.limit < a.limit) ? b : a;
}

function windowState(values: number[], offset: number): RateWindowState | undefined {
  const [limit, remaining, resetMs] = values.slice(offset, offset + 3);
  return limit < 0 ? undefined : { limit, remaining: Math.max(0, remaining), resetMs: Math.max(0, resetMs) };
}

/**
 * Budget reservations and rate limits in Redis, one atomic script per operation:
 * - `admit` (gateway, before the call): sliding-window RPM/TPM per API key and per user, then
 *   "spent + held + estimate ≤ cap" for the user's, tenant's and API key's daily and monthly caps, then holds
 *   the estimate — one round trip. Counters are seeded from the ledger the first time a window is
 *   used (and again after Redis lost them).
 * - `settle` / `release` (orchestrator, when the call ends or fails): the hold becomes the actual
 *   cost, or goes away. Leaked reservations expire on their own.
 * - `commit` (billing, after writing the ledger row): the hold becomes `spent`, exactly once.
 */
export class UsageControls {
  readonly keys: UsageKeys;
  private readonly rateWindowMs: number;
  private readonly markerTtlMs: number;
  private readonly seeding = new Map<string, Promise<void>>();

  constructor(
    private readonly redis: Redis,
    private readonly spend: SpendSource,
    private readonly options: UsageControlsOptions,
  ) {
    this.keys = new UsageKeys(options.prefix);
    this.rateWindowMs = options.rateWindowMs ?? 60_000;
    this.markerTtlMs = options.markerTtlMs ?? DEFAULT_MARKER_TTL_MS;
  }

  async admit(input: AdmitInput): Promise<AdmitOutcome> {
    const at = input.at ?? new Date();
    const counters = this.keys.counters(input.tenantId, input.userId, at, input.apiKeyId);
    const keyRate = this.keys.rate(input.tenantId, 'k', input.apiKeyId);
    const userRate = this.keys.rate(input.tenantId, 'u', input.userId);
    const keys = [
      this.keys.reservationIndex(input.tenantId),
      this.keys.reservation(input.tenantId, input.reservationId),
      ...counters.slice(0, 4).map((c) => c.key),
      keyRate.log,
      keyRate.tokens,
      userRate.log,
      userRate.tokens,
      ...counters.slice(4).map((c) => c.key),
    ];
    // A key-less call has no key caps (its `k:none` counters are never seeded).
    const caps = COUNTER_ORDER.map(({ scope, period }) => (scope === 'key' && !input.apiKeyId ? -1 : capNano(input.caps[scope][period].usd)));
    const args = [
      input.reservationId,
      Math.max(0, Math.ceil(input.estimateNano)),
      Math.max(0, Math.ceil(input.estimateTokens)),
      Math.max(1, Math.ceil(input.ttlMs ?? this.options.reservationTtlMs)),
      ...caps.slice(0, 4),
      ...counters.slice(0, 4).map((c) => counterTtlSeconds(c.window, at)),
      input.apiKeyId ? limitArg(input.rate.keyRpm) : -1,
      input.apiKeyId ? limitArg(input.rate.keyTpm) : -1,
      limitArg(input.rate.userRpm),
      limitArg(input.rate.userTpm),
      this.rateWindowMs,
      this.keys.recordPrefix(input.tenantId),
      RECORD_GRACE_MS,
      ...caps.slice(4),
      ...counters.slice(4).map((c) => counterTtlSeconds(c.window, at)),
    ];
    for (let attempt = 0; attempt < SEED_ATTEMPTS; attempt += 1) {
      const reply = (await this.run(scripts.admit, keys, args)) as (string | number)[];
      switch (reply[0]) {
        case 'seed':
          input.onSeed?.();
          await this.seed(
            input.tenantId,
            (reply.slice(1) as number[]).map((index) => counters[index - 1]),
            at,
          );
          continue;
        case 'dup':
          throw new Error(`reservation ${input.reservationId} already exists`);
        case 'rate':
          return {
            admitted: false,
            reason: 'rate_limited',
            subject: reply[1] as 'api_key' | 'user',
            dimension: reply[2] as 'requests' | 'tokens',
            limit: Number(reply[3]),
            retryAfterMs: Math.max(1, Number(reply[4])),
          };
        case 'budget': {
          const counter = counters[Number(reply[1]) - 1];
          return {
            admitted: false,
            reason: 'budget_exceeded',
            scope: counter.scope,
            period: counter.period,
            capNano: Number(reply[2]),
            spentNano: Number(reply[3]),
            heldNano: Number(reply[4]),
            requestedNano: Number(args[1]),
            resetsAt: counter.window.end,
          };
        }
        case 'ok': {
          const values = reply.slice(1).map(Number);
          return {
            admitted: true,
            rate: {
              requests: pickTighter(windowState(values, 0), windowState(values, 6)),
              tokens: pickTighter(windowState(values, 3), windowState(values, 9)),
            },
          };
        }
        default:
          throw new Error(`unexpected admit reply ${JSON.stringify(reply)}`);
      }
    }
    throw new Error('budget counters could not be seeded from the ledger');
  }

  /** The call ended: hold its actual cost (billing turns it into spend) and correct its tokens. */
  async settle(tenantId: string, reservationId: string, actualNano: number, actualTokens: number): Promise<SettleState> {
    reservationsEndedTotal.inc({ action: 'settle' });
    return this.end(tenantId, reservationId, actualNano, actualTokens);
  }

  /** The call failed or was refused downstream: give the reservation back. No-op once settled. */
  async release(tenantId: string, reservationId: string): Promise<SettleState> {
    reservationsEndedTotal.inc({ action: 'release' });
    return this.end(tenantId, reservationId, 0, 0);
  }

  private async end(tenantId: string, reservationId: string, actualNano: number, actualTokens: number): Promise<SettleState> {
    return (await this.run(
      scripts.settle,
      [this.keys.reservationIndex(tenantId), this.keys.reservation(tenantId, reservationId)],
      [reservationId, Math.max(0, Math.round(actualNano)), Math.max(0, Math.round(actualTokens)), this.options.settledTtlMs, RECORD_GRACE_MS],
    )) as SettleState;
  }

  /** Billing recorded a ledger row: count its cost as spent, exactly once per event. */
  async commit(input: CommitInput): Promise<'billed' | 'duplicate'> {
    const call = this.commitCall(input);
    return (await this.run(scripts.commit, call.keys, call.args)) as 'billed' | 'duplicate';
  }

  /**
   * {@link commit} for many events in one round trip: the same script once per event, sent as one
   * pipeline. Each call stays atomic and idempotent on its own (the same event twice is `billed`
   * then `duplicate`, in order); one event's error does not fail the others. Rejects as a whole
   * only when the pipeline itself could not run (connection lost).
   */
  async commitMany(inputs: readonly CommitInput[]): Promise<PromiseSettledResult<'billed' | 'duplicate'>[]> {
    return (await this.runMany(scripts.commit, inputs.map((input) => this.commitCall(input)))) as PromiseSettledResult<'billed' | 'duplicate'>[];
  }

  private commitCall(input: CommitInput): ScriptCall {
    const record = input.reservationId
      ? this.keys.reservation(input.tenantId, input.reservationId)
      : this.keys.eventMarker(input.tenantId, input.eventId);
    const counters = this.keys.counters(input.tenantId, input.userId, input.occurredAt, input.apiKeyId ?? null);
    return {
      keys: [this.keys.reservationIndex(input.tenantId), record, ...counters.map((c) => c.key)],
      args: [input.reservationId ?? '', Math.max(0, Math.round(input.costNano)), this.markerTtlMs],
    };
  }

  /**
   * Spent and held amounts of a caller's counters (seeding any that are new): the user's and
   * tenant's, and the API key's when `apiKeyId` is given.
   */
  async snapshot(tenantId: string, userId: string, at: Date = new Date(), apiKeyId: string | null = null): Promise<CounterSnapshot[]> {
    const counters = this.keys.counters(tenantId, userId, at, apiKeyId).filter((c) => c.subjectId !== null);
    for (let attempt = 0; attempt < SEED_ATTEMPTS; attempt += 1) {
      const pipeline = this.redis.pipeline();
      for (const counter of counters) pipeline.hmget(counter.key, 'spent', 'held', 'seeded');
      const results = (await pipeline.exec()) ?? [];
      const values = results.map(([error, value]) => {
        if (error) throw error;
        return value as (string | null)[];
      });
      const missing = counters.filter((_, index) => values[index][2] !== '1');
      if (missing.length > 0) {
        await this.seed(tenantId, missing, at);
        continue;
      }
      return counters.map((counter, index) => ({
        ...counter,
        spentNano: Number(values[index][0] ?? 0),
        heldNano: Math.max(0, Number(values[index][1] ?? 0)),
      }));
    }
    throw new Error('budget counters could not be seeded from the ledger');
  }

  /**
   * Loads ledger totals into counters that have none yet. Concurrent seeders agree (the first
   * write wins in Redis), and within a process one ledger query per counter is shared by every
   * call that needs it, so a window's first burst does not stampede Postgres.
   */
  async seed(tenantId: string, counters: CounterRef[], at: Date = new Date()): Promise<void> {
    await Promise.all(
      counters.map((counter) => {
        let pending = this.seeding.get(counter.key);
        if (!pending) {
          pending = this.spend
            .spendOf(tenantId, counter)
            .then((total) => this.run(scripts.seed, [counter.key], [Math.round(total), counterTtlSeconds(counter.window, at)]))
            .then(() => undefined)
            .finally(() => this.seeding.delete(counter.key));
          this.seeding.set(counter.key, pending);
        }
        return pending;
      }),
    );
  }

  /**
   * Runs `script` once per call in one pipeline. Calls the server did not run because it has not
   * cached the script yet (NOSCRIPT, e.g. after a restart) are run again once it has been loaded.
   */
  /**
   * Runs the script once per call in pipelines. Slot-aware: in a Redis Cluster a pipeline must stay
   * in one slot, so calls are grouped by their keys' hash tag (the tenant: every key of one call
   * shares it); a standalone or Sentinel connection sends one pipeline. A script the server does not
   * know (NOSCRIPT: a restart, a failover) is loaded — on every master of a Cluster — and the calls
   * it refused are run again.
   */
  private async runMany(script: Script, calls: readonly ScriptCall[]): Promise<PromiseSettledResult<unknown>[]> {
    const exec = async (subset: readonly ScriptCall[]): Promise<PromiseSettledResult<unknown>[]> => {
      const pipeline = this.redis.pipeline();
      for (const call of subset) pipeline.evalsha(script.sha, call.keys.length, ...call.keys, ...call.args);
      const replies = (await pipeline.exec()) ?? [];
      return subset.map((_, index): PromiseSettledResult<unknown> => {
        const [error, value] = replies[index] ?? [new Error('no reply from redis pipeline'), null];
        return error ? { status: 'rejected', reason: error } : { status: 'fulfilled', value };
      });
    };
    const execGrouped = async (indexes: readonly number[]): Promise<PromiseSettledResult<unknown>[]> => {
      const groups = new Map<string, number[]>();
      for (const index of indexes) {
        const tag = isCluster(this.redis) ? (hashTagOf(calls[index].keys[0] ?? '') ?? String(index)) : '';
        groups.set(tag, [...(groups.get(tag) ?? []), index]);
      }
      const results: PromiseSettledResult<unknown>[] = [];
      const position = new Map(indexes.map((index, i) => [index, i]));
      await Promise.all(
        [...groups.values()].map(async (group) => {
          const replies = await exec(group.map((index) => calls[index]));
          group.forEach((index, i) => (results[position.get(index) as number] = replies[i]));
        }),
      );
      return results;
    };
    if (calls.length === 0) return [];
    const all = calls.map((_, index) => index);
    const results = await execGrouped(all);
    const unscripted = results.flatMap((result, index) => (result.status === 'rejected' && String((result.reason as Error).message).startsWith('NOSCRIPT') ? [index] : []));
    if (unscripted.length > 0) {
      const nodes = isCluster(this.redis) ? (this.redis as unknown as { nodes(role: 'master'): Redis[] }).nodes('master') : [this.redis];
      await Promise.all(nodes.map((node) => node.script('LOAD', script.source)));
      const retried = await execGrouped(unscripted);
      unscripted.forEach((index, i) => (results[index] = retried[i]));
    }
    return results;
  }

  private async run(script: Script, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await this.redis.evalsha(script.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
      return this.redis.eval(script.source, keys.length, ...keys, ...args);
    }
  }
}

/** An ioredis Cluster (typed as Redis by its callers; see libs/queue's `createRedisConnection`). */
function isCluster(redis: unknown): boolean {
  return (redis as { isCluster?: boolean }).isCluster === true;
}

/** The hash tag of a key (`{...}`), which decides its cluster slot. */
function hashTagOf(key: string): string | undefined {
  return /\{([^}]+)\}/.exec(key)?.[1];
}
