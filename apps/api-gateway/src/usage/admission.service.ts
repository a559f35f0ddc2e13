import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { BudgetCapStore, BudgetRefusal, displayUsd, modelNotPricedMessage, RateLimits, RateRefusal, toNanoCeil, UnpricedModelPolicy, UsageControls } from '@conduit/budget';
import { ChatCompletionRequest, maxTokensOf } from '@conduit/contracts';
import { mayUseModel, Principal } from '../auth/principal';
import { PriceQuoteClient } from './price-quote.client';
import { estimatePromptTokens } from './prompt-estimate';
import { rateLimitHeaders } from './rate-limit.headers';
import { GATEWAY_USAGE_SETTINGS, GatewayUsageSettings } from './usage.constants';
import { UsageErrorCode, UsageException } from './usage.exception';
import { budgetRefusalsTotal, rateLimitRefusalsTotal } from './usage.metrics';

/** An admitted call: its reservation (to pass on with the call) and the headers to answer with. */
export interface Admission {
  reservationId: string;
  headers: Record<string, string>;
  estimateUsd: number;
}

/** One chat request of an async job, and where it sits in the submitted body (for error `param`s). */
export interface JobRequest {
  body: ChatCompletionRequest;
  /** `input` or `input.requests.<i>.body`. */
  param: string;
}

export interface AdmissionOptions {
  /** The call continues a session: the orchestrator may add up to the history budget to the prompt. */
  withHistory?: boolean;
}

/** The tier's limits, with the API key's own RPM and TPM in place of the tier's per-key ones when set. */
export function callerRateLimits(principal: Principal, tier: RateLimits): RateLimits {
  return { ...tier, keyRpm: principal.keyRpm ?? tier.keyRpm, keyTpm: principal.keyTpm ?? tier.keyTpm };
}

/** How long admission waits for Redis before answering 503. */
const CONTROLS_TIMEOUT_MS = 1_000;
/**
 * The deadline once the admission seeds counters from the ledger (Postgres): as long as a pool
 * connection may take to open, plus the Redis round trip. A cold gateway's first call of a new
 * tenant (a new day, a new key) seeds; under load that alone outlasted the 1 s Redis deadline.
 */
const SEED_TIMEOUT_MS = 6_000;

/**
 * Races `work` against a deadline of `ms`; `extend(ms)` (handed to `hold` at once) restarts it
 * with a new length, e.g. when the work moves to a slower step that is not the one the deadline guards.
 */
function raceDeadline<T>(work: Promise<T>, ms: number, what: string, hold: (extend: (ms: number) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const fail = (): void => reject(new Error(`${what}: no answer within the deadline`));
    let timer = setTimeout(fail, ms);
    hold((next) => {
      clearTimeout(timer);
      timer = setTimeout(fail, next);
    });
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * The gateway's check before an LLM call: rate limits (per API key and per user, requests and
 * tokens per minute, by tier) and budgets (the caller's, its tenant's and its API key's daily and monthly caps),
 * decided and reserved atomically in one Redis round trip. The reservation is the call's worst
 * case — prompt estimate plus the output bound at the highest price of the model's route — so
 * concurrent calls can never overshoot a cap by more than one call's settle-time difference.
 * Caps come from an in-process cache and prices from cached quotes: no Postgres on the hot path.
 */
@Injectable()
export class AdmissionService {
  private readonly logger = new Logger(AdmissionService.name);

  constructor(
    private readonly controls: UsageControls,
    private readonly caps: BudgetCapStore,
    private readonly unpriced: UnpricedModelPolicy,
    private readonly quotes: PriceQuoteClient,
    @Inject(GATEWAY_USAGE_SETTINGS) private readonly settings: GatewayUsageSettings,
  ) {}

  /**
   * Admits the call or throws 400 `model_not_priced` (a model without a price, unless the tenant
   * allows unpriced models: the orchestrator applies the same rule), 429 `rate_limit_exceeded` or
   * 402 `budget_exceeded`.
   */
  async admitChat(principal: Principal, body: ChatCompletionRequest, options: AdmissionOptions = {}): Promise<Admission> {
    if (!mayUseModel(principal, body.model)) {
      throw new UsageException(UsageErrorCode.ModelNotAllowed, `This API key may not use the model "${body.model}"; its allow-list is: ${(principal.allowedModels ?? []).join(', ')}.`, {
        param: 'model',
      });
    }
    const estimate = await this.estimate(principal, body, options);
    return this.admit(principal, estimate.usd, estimate.tokens);
  }

  /**
   * Admits an async job: every chat request it will run, priced and summed into one reservation
   * (id and time to live given by the caller, so the worker can end it when the job ends), counted
   * as one request and the requests' tokens against the rate limits. Refuses as
   * {@link admitChat} does; `param` of a refusal names the request (`input.requests.3.body.model`).
   */
  async admitJob(principal: Principal, requests: readonly JobRequest[], reservation: { id: string; ttlMs: number }): Promise<Admission> {
    let usd = 0;
    let tokens = 0;
    for (const request of requests) {
      const estimate = await this.estimate(principal, request.body, { withHistory: request.body.conduit?.session_id !== undefined, param: request.param });
      usd += estimate.usd;
      tokens += estimate.tokens;
    }
    return this.admit(principal, usd, tokens, reservation);
  }

  /**
   * A call's worst case: the prompt estimate plus the output bound, at the highest prices of the
   * model's route (USD), and the tokens it counts against the per-minute limits.
   */
  private async estimate(principal: Principal, body: ChatCompletionRequest, options: AdmissionOptions & { param?: string }): Promise<{ usd: number; tokens: number }> {
    const quote = await this.quotes.quoteFor(body.model);
    if (quote && !quote.priced && !(await this.unpriced.allows(principal.tenantId))) {
      throw new UsageException(UsageErrorCode.ModelNotPriced, modelNotPricedMessage(body.model), { param: options.param ? `${options.param}.model` : 'model' });
    }
    const requestedMax = maxTokensOf(body);
    const promptTokens = estimatePromptTokens(body) + (options.withHistory && quote ? quote.history_max_tokens : 0);
    // `n` choices: each may use the whole output bound.
    const choices = body.n ?? 1;
    const outputBound = (requestedMax ?? quote?.default_max_output_tokens ?? this.settings.maxTokensLimit) * choices;
    const usd = quote ? (promptTokens * quote.input_usd_per_mtok + outputBound * quote.output_usd_per_mtok) / 1_000_000 : 0;
    return { usd, tokens: promptTokens + (requestedMax ?? 0) * choices };
  }

  /** Admits a call of known worst-case cost (USD) and token count; by default a new reservation of the service's time to live. */
  async admit(principal: Principal, estimateUsd: number, estimateTokens: number, reservation?: { id: string; ttlMs: number }): Promise<Admission> {
    const reservationId = reservation?.id ?? randomUUID();
    const caps = await this.caps.capsFor(principal.tenantId, principal.userId, { userTier: principal.tier, tenantTier: principal.tenantTier }, principal.apiKeyId);
    // Seeding may be announced before the deadline below exists (a synchronous controls double) or after.
    let seeding = false;
    let extendDeadline: (ms: number) => void = () => undefined;
    const admitting = this.controls.admit({
      reservationId,
      tenantId: principal.tenantId,
      userId: principal.userId,
      apiKeyId: principal.apiKeyId,
      estimateNano: toNanoCeil(estimateUsd),
      estimateTokens,
      caps,
      rate: this.rateLimitsOf(principal),
      ...(reservation ? { ttlMs: reservation.ttlMs } : {}),
      onSeed: () => {
        seeding = true;
        extendDeadline(SEED_TIMEOUT_MS);
      },
    });
    const outcome = await raceDeadline(admitting, CONTROLS_TIMEOUT_MS, 'redis', (extend) => {
      extendDeadline = extend;
      if (seeding) extend(SEED_TIMEOUT_MS);
    }).catch((error: unknown) => {
      // The caller is told 503; a reservation the script still makes after the deadline would hold
      // budget until its TTL (a retry would then be refused): it is released as soon as it lands.
      void admitting
        .then((late) => (late.admitted ? this.controls.release(principal.tenantId, reservationId) : undefined))
        .catch(() => undefined);
      // Fail closed, fast: without Redis neither rate limits nor budgets can be checked.
      this.logger.error({ err: error, tenant_id: principal.tenantId }, 'usage controls unavailable');
      throw new UsageException(
        UsageErrorCode.ControlsUnavailable,
        'Rate limits and budgets cannot be checked right now; retry shortly.',
        undefined,
        { 'retry-after': '1' },
      );
    });
    if (outcome.admitted) return { reservationId, headers: rateLimitHeaders(outcome.rate), estimateUsd };
    if (outcome.reason === 'rate_limited') throw this.rateLimited(outcome);
    throw this.overBudget(outcome, principal);
  }

  private rateLimitsOf(principal: Principal): RateLimits {
    return callerRateLimits(principal, this.caps.rateLimitsFor(principal.tier));
  }

  private rateLimited(refusal: RateRefusal): UsageException {
    rateLimitRefusalsTotal.inc({ subject: refusal.subject, dimension: refusal.dimension });
    const seconds = Math.max(1, Math.ceil(refusal.retryAfterMs / 1_000));
    const dimension = refusal.dimension === 'requests' ? 'requests' : 'tokens';
    const headers = {
      'retry-after': String(seconds),
      'retry-after-ms': String(Math.ceil(refusal.retryAfterMs)),
      ...rateLimitHeaders({ [dimension]: { limit: refusal.limit, remaining: 0, resetMs: refusal.retryAfterMs } }),
    };
    const who = refusal.subject === 'api_key' ? 'this API key' : 'this user';
    return new UsageException(
      UsageErrorCode.RateLimitExceeded,
      `Rate limit reached for ${dimension} per minute on ${who}: limit ${refusal.limit}. Retry in ${seconds}s.`,
      { rate_limit: { subject: refusal.subject, dimension, limit: refusal.limit, retry_after_ms: Math.ceil(refusal.retryAfterMs) } },
      headers,
    );
  }

  private overBudget(refusal: BudgetRefusal, principal: Principal): UsageException {
    budgetRefusalsTotal.inc({ scope: refusal.scope, period: refusal.period });
    const budget = {
      scope: refusal.scope,
      period: refusal.period,
      subject_id: refusal.scope === 'tenant' ? principal.tenantId : refusal.scope === 'key' ? principal.apiKeyId : principal.userId,
      cap_usd: displayUsd(refusal.capNano),
      spent_usd: displayUsd(refusal.spentNano),
      reserved_usd: displayUsd(refusal.heldNano),
      requested_usd: displayUsd(refusal.requestedNano),
      resets_at: refusal.resetsAt.toISOString(),
    };
    const whose = refusal.scope === 'tenant' ? "your organization's" : refusal.scope === 'key' ? "this API key's" : 'your';
    return new UsageException(
      UsageErrorCode.BudgetExceeded,
      `This request could cost up to $${budget.requested_usd}, which would exceed ${whose} ${refusal.period} budget of $${budget.cap_usd} ` +
        `($${budget.spent_usd} spent, $${budget.reserved_usd} reserved by calls in progress). It resets at ${budget.resets_at}; ` +
        'set a lower max_tokens to reserve less.',
      { budget },
      { 'retry-after': String(Math.max(1, Math.ceil((refusal.resetsAt.getTime() - Date.now()) / 1_000))) },
    );
  }
}
