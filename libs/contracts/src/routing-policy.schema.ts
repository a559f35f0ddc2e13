import { z } from 'zod';

/**
 * The `routing` section of a tenant's policy (issue 20): which route (alias or model) an alias
 * request actually goes to. A request naming a concrete model is never rerouted.
 *
 * - `fixed` (default): the alias's own chain, as before.
 * - `complexity`: a built-in deterministic scorer (length, conversation depth, tools or
 *   `response_format`, code and math, task words, language) gives a score in [0, 1]; below
 *   `thresholds.medium` is tier `small`, from `thresholds.large` up is `large`, between is `medium`;
 *   `tiers` maps each tier to a route (an unmapped tier keeps the requested alias).
 * - `rules`: an ordered list; the **first rule whose every condition holds wins** (conditions of one
 *   rule are ANDed, absent conditions always hold); no match keeps the requested alias. A rule's
 *   `route` is a route name, `tier:small|medium|large` (that tier's route in `tiers`), or
 *   `complexity` (let the scorer pick the tier).
 * - `shadow: true`: decide as above, record the decision, but send the request where `fixed` would.
 *
 * `aliases` holds per-alias sections: a request for an alias listed there uses that section
 * instead of the tenant-wide one.
 */
const routeName = z.string().trim().min(1).max(128);

export const routingRuleSchema = z.strictObject({
  /** Optional label, recorded as the decision's reason. */
  name: z.string().trim().min(1).max(64).optional(),
  when: z
    .strictObject({
      api_key_ids: z.array(z.uuid()).min(1).max(100).optional(),
      user_tiers: z.array(z.string().min(1).max(32)).min(1).max(20).optional(),
      /** Every listed `metadata` key must equal its value (request `metadata`). */
      metadata: z.record(z.string().min(1).max(64), z.string().max(512)).optional(),
      min_tokens: z.number().int().min(0).optional(),
      max_tokens: z.number().int().min(0).optional(),
      tools: z.boolean().optional(),
      templates: z.array(z.string().min(1).max(128)).min(1).max(100).optional(),
    })
    .default({}),
  route: routeName,
});
export type RoutingRule = z.output<typeof routingRuleSchema>;

const tierSchema = z.enum(['small', 'medium', 'large']);
export type RoutingTier = z.infer<typeof tierSchema>;

const routingSectionShape = {
  mode: z.enum(['fixed', 'complexity', 'rules']).default('fixed'),
  shadow: z.boolean().default(false),
  tiers: z.partialRecord(tierSchema, routeName).default({}),
  thresholds: z
    .strictObject({ medium: z.number().min(0).max(1), large: z.number().min(0).max(1) })
    .refine((t) => t.medium <= t.large, { message: 'thresholds.medium must not exceed thresholds.large' })
    .default({ medium: 0.3, large: 0.6 }),
  rules: z.array(routingRuleSchema).max(100).default([]),
};

export const routingSectionSchema = z.strictObject(routingSectionShape);
export type RoutingSection = z.output<typeof routingSectionSchema>;

export const routingPolicySchema = z.strictObject({
  ...routingSectionShape,
  aliases: z.record(routeName, routingSectionSchema).default({}),
});
export type RoutingPolicy = z.output<typeof routingPolicySchema>;

export const DEFAULT_ROUTING_POLICY: RoutingPolicy = Object.freeze(routingPolicySchema.parse({}));

/** The section that applies to a request for `alias`: its own, else the tenant-wide one. */
export function routingSectionFor(policy: RoutingPolicy, alias: string): RoutingSection {
  return policy.aliases[alias] ?? policy;
}
