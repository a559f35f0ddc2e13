import { z } from 'zod';
import { CachePolicy, cachePolicySchema, DEFAULT_CACHE_POLICY } from './cache-policy.schema';
import { corsPolicySchema } from './cors-policy.schema';
import { DEFAULT_DEGRADATION_POLICY, DegradationPolicy, degradationPolicySchema } from './degradation-policy.schema';
import { DEFAULT_ROUTING_POLICY, RoutingPolicy, routingPolicySchema } from './routing-policy.schema';
import { DEFAULT_TRACING_POLICY, TracingPolicy, tracingPolicySchema } from './tracing-policy.schema';
import { DEFAULT_EVAL_POLICY, EvalPolicy, evalPolicySchema } from './eval-policy.schema';
import { DEFAULT_MEMORY_POLICY, MemoryPolicy, memoryPolicySchema } from './memory-policy.schema';
import { DEFAULT_TOOLS_POLICY, ToolsPolicy, toolsPolicySchema } from './tools-policy.schema';
import { CompatPolicy, compatPolicyOverrideSchema, compatPolicySchema, DEFAULT_COMPAT_POLICY, mergeCompatPolicy } from './compat-policy.schema';
import {
  DEFAULT_GUARDRAILS_POLICY,
  GuardrailsPolicy,
  guardrailsPolicyOverrideSchema,
  mergeGuardrailsPolicy,
} from './guardrails-policy.schema';

/**
 * A tenant's policy document: one JSON object per tenant (table `tenant_policies`), one section per
 * pipeline capability. A section that is absent takes its defaults; unknown sections and fields are
 * refused, so a typo never silently turns a guard off. Later stages (cache, memory, routing, eval)
 * add their section here and a default in {@link resolveTenantPolicy}.
 *
 * `api_keys` holds per-API-key overrides (a partial section merged over the tenant's), keyed by the
 * key's id.
 */
const apiKeyOverrideSchema = z.strictObject({
  guardrails: guardrailsPolicyOverrideSchema.optional(),
  compat: compatPolicyOverrideSchema.optional(),
});

/** What billing does when the tenant's hourly spend spikes: alert only (default), or also suspend the tenant. */
export const costSpikeActionSchema = z.enum(['alert', 'suspend']);
export type CostSpikeAction = z.infer<typeof costSpikeActionSchema>;

export const tenantPolicyDocumentSchema = z.strictObject({
  guardrails: guardrailsPolicyOverrideSchema.optional(),
  on_cost_spike: costSpikeActionSchema.optional(),
  cache: cachePolicySchema.optional(),
  /** Model routing per tenant and per alias (issue 20): fixed (default), complexity, rules, shadow. */
  routing: routingPolicySchema.optional(),
  /** Browser origins that may read the tenant's answers (within the deployment's CORS list). */
  cors: corsPolicySchema.optional(),
  degradation: degradationPolicySchema.optional(),
  eval: evalPolicySchema.optional(),
  /** Opt-in message content on provider spans, through the PII guard (default off). */
  tracing: tracingPolicySchema.optional(),
  /** Session summaries and long-term user memories (issue 21; default off). */
  memory: memoryPolicySchema.optional(),
  /** Platform-run tools: the agent loop's limits and confirmations (issue 22). */
  tools: toolsPolicySchema.optional(),
  /** OpenAI compatibility: refuse (default) or drop unknown request fields (issue 23). */
  compat: compatPolicySchema.optional(),
  api_keys: z.record(z.uuid({ error: 'api_keys is keyed by API key id (a uuid)' }), apiKeyOverrideSchema).optional(),
});
export type TenantPolicyDocument = z.infer<typeof tenantPolicyDocumentSchema>;

/** The resolved policy of a tenant: every section with its defaults filled in. */
export interface TenantPolicy {
  /** Grows by one on every change (0: never stored, all defaults). */
  version: number;
  guardrails: GuardrailsPolicy;
  /** `suspend`: a spend spike suspends the tenant until an admin resumes it (`cost.spike`, `action: suspended`). */
  onCostSpike: CostSpikeAction;
  cache: CachePolicy;
  /** What a chat does when a secondary system (the vector store) is down. */
  degradation: DegradationPolicy;
  routing: RoutingPolicy;
  /** Live evaluation: sampling, judges, the eval budget. */
  eval: EvalPolicy;
  /** Whether message content is recorded on provider spans (after the PII guard), and how much. */
  tracing: TracingPolicy;
  /** Session summaries and long-term memories. */
  memory: MemoryPolicy;
  /** Platform-run tools. */
  tools: ToolsPolicy;
  /** OpenAI compatibility: what happens to unknown request fields. */
  compat: CompatPolicy;
  /** The stored document, for per-key overrides and for showing it back. */
  document: TenantPolicyDocument;
}

export const DEFAULT_TENANT_POLICY: TenantPolicy = Object.freeze({
  version: 0,
  guardrails: DEFAULT_GUARDRAILS_POLICY,
  onCostSpike: 'alert',
  cache: DEFAULT_CACHE_POLICY,
  degradation: DEFAULT_DEGRADATION_POLICY,
  routing: DEFAULT_ROUTING_POLICY,
  eval: DEFAULT_EVAL_POLICY,
  tracing: DEFAULT_TRACING_POLICY,
  memory: DEFAULT_MEMORY_POLICY,
  tools: DEFAULT_TOOLS_POLICY,
  compat: DEFAULT_COMPAT_POLICY,
  document: Object.freeze({}) as TenantPolicyDocument,
});

/** Validates a document (throws a ZodError naming the path of the bad field) and fills in the defaults. */
export function resolveTenantPolicy(input: unknown, version: number): TenantPolicy {
  const document = tenantPolicyDocumentSchema.parse(input ?? {});
  return {
    version,
    guardrails: document.guardrails ? mergeGuardrailsPolicy(DEFAULT_GUARDRAILS_POLICY, document.guardrails) : DEFAULT_GUARDRAILS_POLICY,
    onCostSpike: document.on_cost_spike ?? 'alert',
    cache: document.cache ?? DEFAULT_CACHE_POLICY,
    degradation: document.degradation ?? DEFAULT_DEGRADATION_POLICY,
    routing: document.routing ?? DEFAULT_ROUTING_POLICY,
    eval: document.eval ?? DEFAULT_EVAL_POLICY,
    tracing: document.tracing ?? DEFAULT_TRACING_POLICY,
    memory: document.memory ?? DEFAULT_MEMORY_POLICY,
    tools: document.tools ?? DEFAULT_TOOLS_POLICY,
    compat: document.compat ?? DEFAULT_COMPAT_POLICY,
    document,
  };
}

/** The guardrails policy for one request: the tenant's, with its API key's override on top. */
export function guardrailsPolicyFor(policy: TenantPolicy, apiKeyId: string | null | undefined): GuardrailsPolicy {
  const override = apiKeyId ? policy.document.api_keys?.[apiKeyId]?.guardrails : undefined;
  return override ? mergeGuardrailsPolicy(policy.guardrails, override) : policy.guardrails;
}

/** The compat policy for one request: the tenant's, with its API key's override on top. */
export function compatPolicyFor(policy: TenantPolicy, apiKeyId: string | null | undefined): CompatPolicy {
  const base = policy.compat ?? DEFAULT_COMPAT_POLICY;
  return mergeCompatPolicy(base, apiKeyId ? policy.document.api_keys?.[apiKeyId]?.compat : undefined);
}
