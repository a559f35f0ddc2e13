import type { IncomingHttpHeaders } from 'node:http';
import { MockHttpError } from '../core/mock-http.exception';
import type { MockLlmOptions } from '../mock-llm.options';
import type { FaultRuleStore, FaultTarget } from './fault-rule.store';

/** Per-request control headers (all optional). */
export const MOCK_HEADERS = {
  latencyMs: 'x-mock-latency-ms',
  ttftMs: 'x-mock-ttft-ms',
  tokenDelayMs: 'x-mock-token-delay-ms',
  status: 'x-mock-status',
  retryAfter: 'x-mock-retry-after',
  fault: 'x-mock-fault',
  cutAfter: 'x-mock-cut-after',
  reply: 'x-mock-reply',
} as const;

const MAX_DELAY_MS = 600_000;

/** What the mock will do for one request: defaults, then a matching fault rule, then headers. */
export interface RequestPlan {
  latencyMs: number;
  ttftMs: number;
  tokenDelayMs: number;
  /** Error status to answer with instead of a result. */
  status: number | undefined;
  /** `retry-after` header value for the error. */
  retryAfter: string | undefined;
  fault: 'timeout' | 'cut' | undefined;
  /** Tokens streamed before a cut. */
  cutAfter: number;
  ruleId: string | null;
  /** Reply text override (header `x-mock-reply`, else the fault rule's `reply`). */
  reply: string | undefined;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function headerNumber(
  headers: IncomingHttpHeaders,
  name: string,
  min: number,
  max: number,
  integer: boolean,
): number | undefined {
  const raw = headerValue(headers, name);
  if (raw === undefined) return undefined;
  const value = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    const kind = integer ? 'an integer' : 'a number';
    throw new MockHttpError(400, `Invalid ${name} header "${raw}": expected ${kind} from ${min} to ${max}`);
  }
  return value;
}

/** The `x-mock-*` headers of one request, validated. */
interface HeaderOverrides {
  latencyMs: number | undefined;
  ttftMs: number | undefined;
  tokenDelayMs: number | undefined;
  status: number | undefined;
  fault: 'timeout' | 'cut' | undefined;
  cutAfter: number | undefined;
  retryAfter: number | undefined;
  reply: string | undefined;
}

function readHeaders(headers: IncomingHttpHeaders): HeaderOverrides {
  const status = headerNumber(headers, MOCK_HEADERS.status, 400, 599, true);
  const fault = headerValue(headers, MOCK_HEADERS.fault);
  if (status !== undefined && fault !== undefined) {
    throw new MockHttpError(400, `Set only one of ${MOCK_HEADERS.status} and ${MOCK_HEADERS.fault}`);
  }
  if (fault !== undefined && fault !== 'timeout' && fault !== 'cut') {
    throw new MockHttpError(400, `Invalid ${MOCK_HEADERS.fault} header "${fault}": expected "timeout" or "cut"`);
  }
  return {
    latencyMs: headerNumber(headers, MOCK_HEADERS.latencyMs, 0, MAX_DELAY_MS, true),
    ttftMs: headerNumber(headers, MOCK_HEADERS.ttftMs, 0, MAX_DELAY_MS, true),
    tokenDelayMs: headerNumber(headers, MOCK_HEADERS.tokenDelayMs, 0, MAX_DELAY_MS, true),
    status,
    fault,
    cutAfter: headerNumber(headers, MOCK_HEADERS.cutAfter, 0, Number.MAX_SAFE_INTEGER, true),
    retryAfter: headerNumber(headers, MOCK_HEADERS.retryAfter, 0, 86_400, false),
    reply: headerValue(headers, MOCK_HEADERS.reply),
  };
}

/**
 * Builds the plan; throws {@link MockHttpError} (400) for malformed `x-mock-*` headers, before
 * any fault rule is spent on the request.
 */
export function resolveRequestPlan(
  headers: IncomingHttpHeaders,
  defaults: MockLlmOptions,
  rules: FaultRuleStore,
  target: FaultTarget,
): RequestPlan {
  const overrides = readHeaders(headers);
  const plan: RequestPlan = {
    latencyMs: defaults.latencyMs,
    ttftMs: defaults.ttftMs,
    tokenDelayMs: defaults.tokenDelayMs,
    status: undefined,
    retryAfter: undefined,
    fault: undefined,
    cutAfter: 0,
    ruleId: null,
    reply: overrides.reply,
  };

  const rule = rules.size === 0 ? undefined : rules.take(target);
  if (rule !== undefined) {
    const { fault } = rule;
    plan.ruleId = rule.id;
    if (fault.latency_ms !== undefined) plan.latencyMs = fault.latency_ms;
    if (fault.ttft_ms !== undefined) plan.ttftMs = fault.ttft_ms;
    if (fault.token_delay_ms !== undefined) plan.tokenDelayMs = fault.token_delay_ms;
    if (fault.status !== undefined) plan.status = fault.status;
    if (fault.retry_after !== undefined) plan.retryAfter = String(fault.retry_after);
    if (fault.type !== undefined) plan.fault = fault.type;
    if (fault.after !== undefined) plan.cutAfter = fault.after;
    if (fault.reply !== undefined && plan.reply === undefined) plan.reply = fault.reply;
  }

  if (overrides.latencyMs !== undefined) plan.latencyMs = overrides.latencyMs;
  if (overrides.ttftMs !== undefined) plan.ttftMs = overrides.ttftMs;
  if (overrides.tokenDelayMs !== undefined) plan.tokenDelayMs = overrides.tokenDelayMs;
  if (overrides.status !== undefined) {
    plan.status = overrides.status;
    plan.fault = undefined;
  }
  if (overrides.fault !== undefined) {
    plan.fault = overrides.fault;
    plan.status = undefined;
  }
  if (overrides.cutAfter !== undefined) plan.cutAfter = overrides.cutAfter;
  if (overrides.retryAfter !== undefined) plan.retryAfter = String(overrides.retryAfter);
  if (plan.status === 429 && plan.retryAfter === undefined) plan.retryAfter = '1';
  return plan;
}
