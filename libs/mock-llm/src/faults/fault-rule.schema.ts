import { z } from 'zod';

const delayMs = z.int().min(0).max(600_000);

/** What a rule does to the requests it matches. Snake_case, as sent to `POST /_mock/faults`. */
export const faultSpecSchema = z
  .strictObject({
    /** Answer with this HTTP error status in the wire's error shape. */
    status: z.int().min(400).max(599).optional(),
    /** `retry-after` seconds (may be fractional); 429 defaults to 1. */
    retry_after: z.number().min(0).max(86_400).optional(),
    /** `timeout`: never answer; `cut`: stream `after` tokens then drop the connection. */
    type: z.enum(['timeout', 'cut']).optional(),
    /** Tokens streamed before a cut (default 0). */
    after: z.int().min(0).optional(),
    latency_ms: delayMs.optional(),
    ttft_ms: delayMs.optional(),
    token_delay_ms: delayMs.optional(),
    /** Answer with this text instead of the echo (e.g. a planted secret for output-guard tests). */
    reply: z.string().min(1).max(100_000).optional(),
  })
  .refine((fault) => Object.values(fault).some((value) => value !== undefined), {
    message: 'fault must set at least one of status, type, latency_ms, ttft_ms, token_delay_ms, reply',
  })
  .refine((fault) => fault.status === undefined || fault.type === undefined, {
    message: 'fault cannot set both status and type',
  })
  .refine((fault) => fault.after === undefined || fault.type === 'cut', {
    message: '"after" only applies to type "cut"',
    path: ['after'],
  })
  .refine((fault) => fault.retry_after === undefined || fault.status !== undefined, {
    message: '"retry_after" only applies with "status"',
    path: ['retry_after'],
  });

/** Which requests a rule applies to; every field set must match (globs: `*`, `?`). */
export const faultMatchSchema = z.strictObject({
  wire: z.enum(['openai', 'anthropic']).optional(),
  model: z.string().min(1).optional(),
  path: z.string().min(1).optional(),
  stream: z.boolean().optional(),
});

export const faultRuleInputSchema = z.strictObject({
  match: faultMatchSchema.default({}),
  fault: faultSpecSchema,
  /** How many matching requests the rule applies to; omitted = until cleared. */
  times: z.int().min(1).optional(),
});

export type FaultSpec = z.output<typeof faultSpecSchema>;
export type FaultMatch = z.output<typeof faultMatchSchema>;
export type FaultRuleInput = z.input<typeof faultRuleInputSchema>;
