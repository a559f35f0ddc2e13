import { z } from 'zod';

/** Longest `tracing.max_chars` a tenant may set: span attributes are not a transcript store. */
export const TRACING_MAX_CHARS_LIMIT = 32_000;

/**
 * The `tracing` section of a tenant's policy. `capture_content` (default off) records the prompt
 * and the answer on the provider-call span (`gen_ai.input.messages`, `gen_ai.output.messages`),
 * after the PII guard replaced personal data and secrets with `[redacted:<type>]`, each message
 * cut to `max_chars` characters. Off, no message content reaches a span.
 */
export const tracingPolicySchema = z.strictObject({
  capture_content: z.boolean().default(false),
  max_chars: z.number().int().min(1).max(TRACING_MAX_CHARS_LIMIT).default(4000),
});
export type TracingPolicy = z.output<typeof tracingPolicySchema>;

export const DEFAULT_TRACING_POLICY: TracingPolicy = Object.freeze(tracingPolicySchema.parse({}));
