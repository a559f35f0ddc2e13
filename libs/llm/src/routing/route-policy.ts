import type { RoutingRule, RoutingSection, RoutingTier } from '@conduit/contracts';
import { scoreComplexity, type ScorerInput } from './complexity-scorer';

/** What a routing policy's conditions may look at, besides the messages. */
export interface RoutingRequest extends ScorerInput {
  apiKeyId: string | null;
  userTier: string | null;
  metadata: Record<string, string>;
  template: string | null;
}

/** A routing decision, recorded on the message, the usage event, the span and `x-conduit-route`. */
export interface RouteDecision {
  mode: 'complexity' | 'rules';
  /** What the request named (an alias). */
  requested: string;
  /** Where the policy would send it. */
  chosen: string;
  /** Where it goes: `chosen`, or `requested` in shadow mode. */
  applied: string;
  shadow: boolean;
  tier: RoutingTier | null;
  score: number | null;
  /** Why: the scorer's signals, `rule:<name or index>`, or `no_match`. */
  reason: string;
}

const TIER_ROUTE = /^tier:(small|medium|large)$/;

export function tierOf(score: number, thresholds: RoutingSection['thresholds']): RoutingTier {
  if (score >= thresholds.large) return 'large';
  return score >= thresholds.medium ? 'medium' : 'small';
}

/** Token estimate the `min_tokens`/`max_tokens` conditions compare with: ~chars / 4 of every message. */
export function estimateRequestTokens(messages: readonly { content: string }[]): number {
  let chars = 0;
  for (const message of messages) chars += message.content.length;
  return Math.ceil(chars / 4);
}

function matches(rule: RoutingRule, request: RoutingRequest, tokens: number): boolean {
  const when = rule.when;
  if (when.api_key_ids && (request.apiKeyId === null || !when.api_key_ids.includes(request.apiKeyId))) return false;
  if (when.user_tiers && (request.userTier === null || !when.user_tiers.includes(request.userTier))) return false;
  if (when.metadata && !Object.entries(when.metadata).every(([key, value]) => request.metadata[key] === value)) return false;
  if (when.min_tokens !== undefined && tokens < when.min_tokens) return false;
  if (when.max_tokens !== undefined && tokens > when.max_tokens) return false;
  if (when.tools !== undefined && when.tools !== request.tools) return false;
  if (when.templates && (request.template === null || !when.templates.includes(request.template))) return false;
  return true;
}

/**
 * Decides where a request for alias `requested` goes under `section`; `undefined` under `fixed`
 * (nothing to decide or record). Callers pass only aliases: a named model is never rerouted.
 * Deterministic: the same request and section always give the same decision.
 */
export function decideRoute(section: RoutingSection, requested: string, request: RoutingRequest): RouteDecision | undefined {
  if (section.mode === 'fixed') return undefined;
  const decide = (chosen: string, tier: RoutingTier | null, score: number | null, reason: string): RouteDecision => ({
    mode: section.mode as 'complexity' | 'rules',
    requested,
    chosen,
    applied: section.shadow ? requested : chosen,
    shadow: section.shadow,
    tier,
    score,
    reason,
  });
  const byTier = (reasonPrefix: string) => {
    const { score, signals } = scoreComplexity(request);
    const tier = tierOf(score, section.thresholds);
    const reason = [reasonPrefix, signals.join('+') || 'plain'].filter((part) => part !== '').join(':');
    return decide(section.tiers[tier] ?? requested, tier, score, reason);
  };
  if (section.mode === 'complexity') return byTier('');
  const tokens = estimateRequestTokens(request.messages);
  for (const [index, rule] of section.rules.entries()) {
    if (!matches(rule, request, tokens)) continue;
    const label = `rule:${rule.name ?? index}`;
    if (rule.route === 'complexity') return byTier(label);
    const tier = TIER_ROUTE.exec(rule.route)?.[1] as RoutingTier | undefined;
    if (tier !== undefined) return decide(section.tiers[tier] ?? requested, tier, null, label);
    return decide(rule.route, null, null, label);
  }
  return decide(requested, null, null, 'no_match');
}

/** The `x-conduit-route` header value: `route=<applied>; tier=…; score=…; reason=…` (+ `shadow=<chosen>`). */
export function routeHeader(decision: RouteDecision): string {
  const parts = [`route=${decision.applied}`, `mode=${decision.mode}`];
  if (decision.tier !== null) parts.push(`tier=${decision.tier}`);
  if (decision.score !== null) parts.push(`score=${decision.score}`);
  parts.push(`reason=${decision.reason}`);
  if (decision.shadow) parts.push(`shadow=${decision.chosen}`);
  return parts.join('; ');
}
