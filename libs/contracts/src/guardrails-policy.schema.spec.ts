import { ZodError } from 'zod';
import {
  DEFAULT_GUARDRAILS_POLICY,
  effectiveGuardrailsPolicy,
  guardrailsPolicyOverrideSchema,
  parseGuardrailsPolicy,
  policyErrorOf,
} from './guardrails-policy.schema';

function errorOf(input: unknown): { param: string; message: string } {
  try {
    parseGuardrailsPolicy(input);
  } catch (error) {
    if (error instanceof ZodError) return policyErrorOf(error);
    throw error;
  }
  throw new Error('expected the policy to be refused');
}

describe('guardrails policy schema', () => {
  it('defaults: log scrubbing on, injection flag, PII to providers off, output guards off', () => {
    const policy = parseGuardrailsPolicy({});
    expect(policy).toEqual(DEFAULT_GUARDRAILS_POLICY);
    expect(policy.log_scrubbing.enabled).toBe(true);
    expect(policy.injection).toMatchObject({ user: 'flag', indirect: 'flag', detector: { kind: 'builtin' } });
    expect(policy.pii.entities).toEqual({});
    expect(policy.output.action).toBe('off');
    expect(parseGuardrailsPolicy(undefined)).toEqual(DEFAULT_GUARDRAILS_POLICY);
  });

  it('fills detector defaults and keeps the rest of a section', () => {
    const policy = parseGuardrailsPolicy({ injection: { user: 'block', detector: { kind: 'http', url: 'http://guard.internal:8000/classify' } } });
    expect(policy.injection).toEqual({
      user: 'block',
      indirect: 'flag',
      detector: { kind: 'http', url: 'http://guard.internal:8000/classify', timeout_ms: 2000, on_failure: 'open', threshold: 0.5 },
    });
  });

  it('merges a per-API-key override over the tenant policy', () => {
    const tenant = parseGuardrailsPolicy({ pii: { entities: { EMAIL: 'redact', CARD: 'block' } }, output: { action: 'block', deny_list: { terms: ['Titan'] } } });
    const effective = effectiveGuardrailsPolicy(tenant, { pii: { entities: { CARD: 'mask' } }, injection: { user: 'off' } });
    expect(effective.pii.entities).toEqual({ EMAIL: 'redact', CARD: 'mask' });
    expect(effective.injection.user).toBe('off');
    expect(effective.output.deny_list.terms).toEqual(['Titan']);
    expect(effectiveGuardrailsPolicy(tenant, undefined)).toBe(tenant);
  });

  it.each<[unknown, string, RegExp]>([
    [{ injection: { user: 'maybe' } }, 'injection.user', /off.*flag.*block/],
    [{ pii: { entities: { EMAIL: 'hide' } } }, 'pii.entities.EMAIL', /redact/],
    [{ pii: { entities: { PASSPORT: 'mask' } } }, 'pii.entities.PASSPORT', /.+/],
    [{ output: { deny_list: { patterns: ['ok', 'fine', '(a+)+$'] } } }, 'output.deny_list.patterns[2]', /nested quantifiers/],
    [{ injection: { detector: { kind: 'magic' } } }, 'injection.detector.kind', /builtin, llm, http/],
    [{ injection: { detector: { kind: 'http', url: 'ftp://x' } } }, 'injection.detector.url', /http/],
    [{ output: { hold_back_chars: -1 } }, 'output.hold_back_chars', /.+/],
    [{ output: { flush_after_ms: 2.5 } }, 'output.flush_after_ms', /int/i],
    [{ output: { flush_after_ms: 5_000 } }, 'output.flush_after_ms', /1000/],
    [{ output: { flush_after_ms: '2' } }, 'output.flush_after_ms', /.+/],
    [{ output: { classifier_streaming: 'later' } }, 'output.classifier_streaming', /end.*hold/],
    [{ output: { classifier: { kind: 'builtin' } } }, 'output.classifier.kind', /llm, http/],
    [{ surprise: true }, 'surprise', /surprise/],
  ])('refuses %j with the path of the bad field', (input, param, message) => {
    const error = errorOf(input);
    expect(error.param).toBe(param);
    expect(error.message).toMatch(message);
  });

  it('output stall flush and classifier timing: off and `end` by default, set per tenant', () => {
    expect(DEFAULT_GUARDRAILS_POLICY.output).toMatchObject({ flush_after_ms: null, classifier_streaming: 'end', classifier: null });
    const policy = parseGuardrailsPolicy({ output: { action: 'block', flush_after_ms: 2, classifier_streaming: 'hold', classifier: { kind: 'llm', model: 'cheap', on_failure: 'closed' } } });
    expect(policy.output).toMatchObject({ flush_after_ms: 2, classifier_streaming: 'hold', classifier: { kind: 'llm', model: 'cheap', on_failure: 'closed', timeout_ms: 5000, threshold: 0.5 } });
    expect(parseGuardrailsPolicy({ output: { flush_after_ms: 0 } }).output.flush_after_ms).toBe(0);
    expect(effectiveGuardrailsPolicy(policy, { output: { flush_after_ms: null } }).output.flush_after_ms).toBeNull();
  });

  it('validates per-key overrides with the same schema', () => {
    expect(guardrailsPolicyOverrideSchema.safeParse({ output: { action: 'flag' } }).success).toBe(true);
    expect(() => effectiveGuardrailsPolicy(DEFAULT_GUARDRAILS_POLICY, { output: { action: 'nope' } })).toThrow(ZodError);
  });
});
