import { MockHttpError } from '../core/mock-http.exception';
import { parseMockLlmOptions } from '../mock-llm.options';
import { FaultRuleStore, type FaultTarget } from './fault-rule.store';
import { resolveRequestPlan } from './request-plan';

const defaults = parseMockLlmOptions({ latencyMs: 10, ttftMs: 20, tokenDelayMs: 5 });
const target: FaultTarget = { wire: 'openai', path: '/v1/chat/completions', model: 'gpt-4o', stream: true };
const plan = (headers: Record<string, string> = {}, rules = new FaultRuleStore()) =>
  resolveRequestPlan(headers, defaults, rules, target);

describe('resolveRequestPlan', () => {
  it('starts from the configured defaults', () => {
    expect(plan()).toEqual({
      latencyMs: 10,
      ttftMs: 20,
      tokenDelayMs: 5,
      status: undefined,
      retryAfter: undefined,
      fault: undefined,
      cutAfter: 0,
      ruleId: null,
      reply: undefined,
    });
  });

  it('applies per-request delay headers', () => {
    expect(plan({ 'x-mock-latency-ms': '0', 'x-mock-ttft-ms': '7', 'x-mock-token-delay-ms': '1' })).toMatchObject({
      latencyMs: 0,
      ttftMs: 7,
      tokenDelayMs: 1,
    });
  });

  it('gives a 429 a default retry-after of 1 second, overridable', () => {
    expect(plan({ 'x-mock-status': '429' })).toMatchObject({ status: 429, retryAfter: '1' });
    expect(plan({ 'x-mock-status': '429', 'x-mock-retry-after': '0.25' })).toMatchObject({ retryAfter: '0.25' });
    expect(plan({ 'x-mock-status': '503' }).retryAfter).toBeUndefined();
  });

  it('reads timeout and cut faults', () => {
    expect(plan({ 'x-mock-fault': 'timeout' }).fault).toBe('timeout');
    expect(plan({ 'x-mock-fault': 'cut', 'x-mock-cut-after': '3' })).toMatchObject({ fault: 'cut', cutAfter: 3 });
  });

  it('applies a matching rule, with headers taking precedence', () => {
    const rules = new FaultRuleStore();
    const rule = rules.add({ fault: { status: 503, latency_ms: 1, token_delay_ms: 2 }, times: 2 });
    expect(plan({}, rules)).toMatchObject({ status: 503, latencyMs: 1, tokenDelayMs: 2, ruleId: rule.id });
    expect(plan({ 'x-mock-fault': 'timeout', 'x-mock-latency-ms': '4' }, rules)).toMatchObject({
      status: undefined,
      fault: 'timeout',
      latencyMs: 4,
    });
    expect(plan({}, rules).ruleId).toBeNull();
  });

  it.each([
    ['x-mock-status', '200'],
    ['x-mock-status', 'abc'],
    ['x-mock-latency-ms', '-1'],
    ['x-mock-latency-ms', '1.5'],
    ['x-mock-ttft-ms', ''],
    ['x-mock-fault', 'explode'],
    ['x-mock-retry-after', '-2'],
  ])('rejects %s: %j with a 400', (name, value) => {
    const attempt = () => plan({ [name]: value });
    expect(attempt).toThrow(MockHttpError);
    expect(attempt).toThrow(name);
  });

  it('does not spend a fault rule on a request with malformed headers', () => {
    const rules = new FaultRuleStore();
    rules.add({ fault: { status: 503 }, times: 1 });
    expect(() => plan({ 'x-mock-latency-ms': 'slow' }, rules)).toThrow(MockHttpError);
    expect(plan({}, rules).status).toBe(503);
  });

  it('rejects both x-mock-status and x-mock-fault', () => {
    expect(() => plan({ 'x-mock-status': '500', 'x-mock-fault': 'cut' })).toThrow(MockHttpError);
  });
});
