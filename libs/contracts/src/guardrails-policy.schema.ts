import { z } from 'zod';

/**
 * Per-tenant guardrails policy (libs/guardrails applies it). Stored per tenant, with an optional
 * per-API-key override (a partial document merged over the tenant's). Defaults: log scrubbing on,
 * injection `flag` (user turns and indirect input), PII to providers `off`, output guards `off`.
 */

/** PII entity types (libs/guardrails detects them; placeholders are named after them). */
export const PII_ENTITY_TYPES = ['EMAIL', 'PHONE', 'CARD', 'IBAN', 'US_SSN', 'UK_NINO', 'ES_DNI', 'IP_ADDRESS', 'SECRET', 'PERSON', 'ADDRESS'] as const;
export type PiiEntityType = (typeof PII_ENTITY_TYPES)[number];
/** The structured types: found by shape plus a checksum or a strict format. */
export const STRUCTURED_PII_TYPES: readonly PiiEntityType[] = ['EMAIL', 'PHONE', 'CARD', 'IBAN', 'US_SSN', 'UK_NINO', 'ES_DNI', 'IP_ADDRESS', 'SECRET'];
/** Built-in moderation categories of the output guard. */
export const MODERATION_CATEGORIES = ['self_harm', 'violence', 'sexual_minors', 'weapons', 'hate'] as const;
export type ModerationCategory = (typeof MODERATION_CATEGORIES)[number];

/**
 * A conservative static check for tenant-supplied regular expressions, so a deny-list entry cannot
 * make the output guard backtrack for seconds (ReDoS). Refused: patterns longer than 256
 * characters, backreferences, lookbehind, nested quantifiers (`(a+)+`, `(\w*x)*`), an unbounded
 * quantifier on a group with alternatives (`(a|ab)*`), more than two unbounded quantifiers, and
 * anything `new RegExp` rejects. Deny-list regexes also run on bounded segments (see `DenyList`),
 * which caps the polynomial cases that pass this check.
 */
export interface RegexCheck {
  ok: boolean;
  reason?: string;
}

export const MAX_PATTERN_LENGTH = 256;

export function checkSafeRegex(source: string): RegexCheck {
  if (source.length === 0) return { ok: false, reason: 'empty pattern' };
  if (source.length > MAX_PATTERN_LENGTH) return { ok: false, reason: `longer than ${MAX_PATTERN_LENGTH} characters` };
  try {
    new RegExp(source, 'u');
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : 'invalid pattern' };
  }
  if (/\\[1-9]|\\k</.test(source)) return { ok: false, reason: 'backreferences are not allowed' };
  if (/\(\?<[=!]/.test(source)) return { ok: false, reason: 'lookbehind is not allowed' };
  // Walk the pattern: per open group, whether it contains a quantifier or an alternation.
  const stack: { quantified: boolean; alternation: boolean }[] = [{ quantified: false, alternation: false }];
  let unbounded = 0;
  let i = 0;
  const quantifierAt = (at: number): { unbounded: boolean; length: number } | undefined => {
    const ch = source[at];
    if (ch === '*' || ch === '+') return { unbounded: true, length: source[at + 1] === '?' ? 2 : 1 };
    if (ch === '?') return { unbounded: false, length: 1 };
    if (ch === '{') {
      const m = /^\{(\d+)(,(\d*))?\}\??/.exec(source.slice(at));
      if (m) return { unbounded: m[2] !== undefined && m[3] === '', length: m[0].length };
    }
    return undefined;
  };
  while (i < source.length) {
    const ch = source[i] as string;
    const top = stack[stack.length - 1] as { quantified: boolean; alternation: boolean };
    if (ch === '\\') {
      i += 2;
    } else if (ch === '[') {
      i += 1;
      while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
      i += 1;
    } else if (ch === '(') {
      stack.push({ quantified: false, alternation: false });
      i += source[i + 1] === '?' ? (source[i + 2] === '<' ? source.indexOf('>', i) + 1 : 3) : 1;
      continue;
    } else if (ch === ')') {
      const group = stack.pop() ?? { quantified: false, alternation: false };
      const q = quantifierAt(i + 1);
      if (q) {
        if (group.quantified && (q.unbounded || /^\{\d+,?\d*\}/.test(source.slice(i + 1)))) return { ok: false, reason: 'nested quantifiers' };
        if (group.alternation && q.unbounded) return { ok: false, reason: 'unbounded quantifier on alternatives' };
        if (q.unbounded) unbounded += 1;
        i += 1 + q.length;
        (stack[stack.length - 1] as { quantified: boolean }).quantified = true;
        continue;
      }
      const parent = stack[stack.length - 1] as { quantified: boolean };
      parent.quantified ||= group.quantified;
      i += 1;
      continue;
    } else if (ch === '|') {
      top.alternation = true;
      i += 1;
      continue;
    } else {
      i += 1;
    }
    const q = quantifierAt(i);
    if (q) {
      top.quantified = true;
      if (q.unbounded) unbounded += 1;
      i += q.length;
    }
  }
  if (unbounded > 2) return { ok: false, reason: 'more than two unbounded quantifiers' };
  return { ok: true };
}

const guardAction = z.enum(['off', 'flag', 'block']);
const piiAction = z.enum(['off', 'redact', 'mask', 'block']);
const failureMode = z.enum(['open', 'closed']);
const probability = z.number().min(0).max(1);
const timeoutMs = z.int().min(50).max(60_000);
const entityType = z.enum(PII_ENTITY_TYPES);

const llmClassifier = z.strictObject({
  kind: z.literal('llm'),
  /** Route alias or model of a cheap model (default: the default route). */
  model: z.string().min(1).max(128).optional(),
  timeout_ms: timeoutMs.default(5_000),
  on_failure: failureMode.default('open'),
  threshold: probability.default(0.5),
});
const httpClassifier = z.strictObject({
  kind: z.literal('http'),
  url: z.url({ protocol: /^https?$/, error: 'url must be an http(s) URL' }),
  /** Name of the environment variable holding a bearer token for the classifier (secrets stay out of policies). */
  token_env: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'token_env must be an environment variable name').optional(),
  timeout_ms: timeoutMs.default(2_000),
  on_failure: failureMode.default('open'),
  threshold: probability.default(0.5),
});
const builtinDetector = z.strictObject({ kind: z.literal('builtin'), threshold: probability.optional() });
const kindError = { error: 'kind must be one of builtin, llm, http' };
const injectionDetector = z.discriminatedUnion('kind', [builtinDetector, llmClassifier, httpClassifier], kindError);
const outputClassifier = z.discriminatedUnion('kind', [llmClassifier, httpClassifier], { error: 'kind must be one of llm, http' });

const safePattern = z.string().superRefine((source, ctx) => {
  const check = checkSafeRegex(source);
  if (!check.ok) ctx.addIssue({ code: 'custom', message: `pattern refused: ${check.reason}` });
});

const injectionSection = z.strictObject({
  /** User turns (direct injection): `block` answers 400 prompt_injection_detected before any provider call. */
  user: guardAction,
  /** Retrieved chunks and tool outputs (indirect injection): `block` drops the chunk or output. */
  indirect: guardAction,
  detector: injectionDetector,
});
const piiSection = z.strictObject({
  /** Action per entity type for what is sent to providers; unlisted types are `off`. */
  entities: z.partialRecord(entityType, piiAction),
});
const outputSection = z.strictObject({
  action: guardAction,
  /** Entity types whose presence in an answer is a leak. */
  pii: z.array(entityType).max(PII_ENTITY_TYPES.length),
  deny_list: z.strictObject({
    terms: z.array(z.string().trim().min(1).max(200)).max(1_000).default([]),
    patterns: z.array(safePattern).max(100).default([]),
  }),
  moderation: z.array(z.enum(MODERATION_CATEGORIES)).max(MODERATION_CATEGORIES.length),
  classifier: outputClassifier.nullable(),
  /**
   * When the classifier judges a streamed answer: `end` (default) once the stream is over — the
   * rule-based checks gate every chunk, no time to first token is added, and a failing verdict ends
   * the answer with `content_filter` after the text already sent; `hold` releases nothing until the
   * classifier has passed the whole answer. Plain answers are always judged before they go out.
   */
  classifier_streaming: z.enum(['end', 'hold']),
  /** Streaming: characters held back before release (see libs/guardrails StreamingOutputGuard). */
  hold_back_chars: z.int().min(0).max(4_096),
  /**
   * Streaming stall flush: when the model sends nothing for this many milliseconds, an unfinished
   * plain word (letters only) is released instead of waiting for the next chunk; `0` releases it at
   * once; `null` (default) never. Its cost: letters of an email's local part may go out before the
   * `@` arrives (the check still fails there and nothing after them is sent).
   */
  flush_after_ms: z.int().min(0).max(1_000).nullable(),
});

/** A partial policy: what a tenant stores, or a per-API-key override. Unknown fields are refused. */
export const guardrailsPolicyOverrideSchema = z.strictObject({
  log_scrubbing: z.strictObject({ enabled: z.boolean() }).partial().optional(),
  injection: injectionSection.partial().optional(),
  pii: piiSection.partial().optional(),
  output: outputSection.partial().optional(),
});
export type GuardrailsPolicyOverride = z.infer<typeof guardrailsPolicyOverrideSchema>;

export interface GuardrailsPolicy {
  log_scrubbing: { enabled: boolean };
  injection: z.infer<typeof injectionSection>;
  pii: z.infer<typeof piiSection>;
  output: z.infer<typeof outputSection>;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Frozen, deeply: parsed policies share its unchanged parts. */
export const DEFAULT_GUARDRAILS_POLICY: GuardrailsPolicy = deepFreeze({
  log_scrubbing: { enabled: true },
  injection: { user: 'flag', indirect: 'flag', detector: { kind: 'builtin' } },
  pii: { entities: {} },
  output: {
    action: 'off',
    pii: [...STRUCTURED_PII_TYPES],
    deny_list: { terms: [], patterns: [] },
    moderation: [...MODERATION_CATEGORIES],
    classifier: null,
    classifier_streaming: 'end',
    hold_back_chars: 32,
    flush_after_ms: null,
  },
} as GuardrailsPolicy);

/** `base` with `override` on top: sections merge field by field, `pii.entities` entry by entry; lists and detectors are replaced. */
export function mergeGuardrailsPolicy(base: GuardrailsPolicy, override: GuardrailsPolicyOverride): GuardrailsPolicy {
  return {
    log_scrubbing: { ...base.log_scrubbing, ...override.log_scrubbing },
    injection: { ...base.injection, ...override.injection },
    pii: { entities: { ...base.pii.entities, ...override.pii?.entities } },
    output: { ...base.output, ...override.output },
  };
}

/** Validates a stored tenant policy (or throws a ZodError) and fills in the defaults. */
export function parseGuardrailsPolicy(input: unknown): GuardrailsPolicy {
  return mergeGuardrailsPolicy(DEFAULT_GUARDRAILS_POLICY, guardrailsPolicyOverrideSchema.parse(input ?? {}));
}

/** The policy for one request: the tenant's, with the API key's override (validated) on top. */
export function effectiveGuardrailsPolicy(tenant: GuardrailsPolicy, keyOverride: unknown): GuardrailsPolicy {
  return keyOverride === undefined || keyOverride === null ? tenant : mergeGuardrailsPolicy(tenant, guardrailsPolicyOverrideSchema.parse(keyOverride));
}

/** `['output', 'deny_list', 'patterns', 2]` → `output.deny_list.patterns[2]`. */
export function paramPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** The first problem of a refused policy document, for a 400 `{error: {param, message}}`. */
export function policyErrorOf(error: z.ZodError): { param: string; message: string } {
  const issue = error.issues[0];
  if (!issue) return { param: '', message: 'invalid guardrails policy' };
  // An unknown key is reported on its parent; name the key itself.
  const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
  const param = paramPath(keys.length > 0 ? [...issue.path, keys[0] as string] : issue.path);
  return { param, message: param === '' ? issue.message : `${param}: ${issue.message}` };
}
