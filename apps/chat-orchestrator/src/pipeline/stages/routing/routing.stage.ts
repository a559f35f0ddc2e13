import { Injectable } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { ConduitHeader, routingSectionFor } from '@conduit/contracts';
import { decideRoute, LlmGateway, routeHeader, type RouteDecision } from '@conduit/llm';
import { PriceQuoteService } from '../../../usage/price-quote.service';
import type { PipelineStage } from '../../pipeline-stage';
import type { Turn } from '../../turn';
import { countDecision } from './routing.metrics';

/**
 * Model routing (issue 20): under the tenant's `routing` policy (or its alias's own section),
 * picks the route an alias request goes to — `complexity` (built-in scorer → tier → route) or
 * `rules` (first match wins) — and the model-call stage calls that route instead of the alias.
 * A request naming a concrete model is never rerouted. `shadow` decides and records, but the
 * request goes where it would have gone. The decision is recorded in `x-conduit-route`, on the
 * stage's span (`conduit.route.*`), on the assistant message (`route_*` metadata, merged by the
 * persistence stage: stages before the model call have no `finish` hook) and in the usage event
 * (`route`), and counted in `conduit_routing_decisions_total`. Off (`fixed`, the default): one
 * check, nothing else.
 *
 * Budgets: the gateway reserved at the requested alias's worst-case price before routing, so under
 * a reservation a route dearer than the alias is not taken (see {@link RoutingStage.admissible}).
 * The user's tier comes from the gateway (`x-conduit-user-tier`); async jobs carry none, so
 * `user_tiers` conditions do not match there. Not built: the classifier mode.
 */
@Injectable()
export class RoutingStage implements PipelineStage {
  readonly name = 'routing';

  constructor(
    private readonly llm: LlmGateway,
    private readonly pricing: PriceQuoteService,
  ) {}

  enabled(turn: Turn): boolean {
    return turn.routing.mode !== 'fixed' || Object.keys(turn.routing.aliases).length > 0;
  }

  async prepare(turn: Turn): Promise<void> {
    const requested = this.llm.resolve(turn.body.model);
    const section = routingSectionFor(turn.routing, requested.requested);
    if (section.mode === 'fixed') return;
    const decision =
      requested.alias === undefined
        ? namedModel(section.mode, requested.requested, section.shadow)
        : decideRoute(section, requested.alias, {
            messages: turn.request.messages.map((message) => ({ role: message.role, content: message.content })),
            tools: (turn.request.tools?.length ?? 0) > 0,
            // The chat schema does not accept `response_format` yet, so it is never present here.
            responseFormat: false,
            apiKeyId: turn.context.apiKeyId,
            userTier: turn.context.userTier ?? null,
            metadata: turn.body.conduit?.metadata ?? {},
            template: turn.body.conduit?.prompt_template ?? null,
          });
    if (decision === undefined) return;
    turn.route = await this.admissible(turn, this.routable(decision));
    turn.headers[ConduitHeader.Route] = routeHeader(turn.route);
    countDecision(turn.route);
    trace.getActiveSpan()?.setAttributes({
      'conduit.route.mode': turn.route.mode,
      'conduit.route.requested': turn.route.requested,
      'conduit.route.chosen': turn.route.chosen,
      'conduit.route.applied': turn.route.applied,
      'conduit.route.shadow': turn.route.shadow,
      'conduit.route.tier': turn.route.tier ?? '',
      'conduit.route.score': turn.route.score ?? -1,
      'conduit.route.reason': turn.route.reason,
    });
  }

  /** Routes are alias names: a chosen name that is no configured alias keeps the requested alias (said in the reason). */
  private routable(decision: RouteDecision): RouteDecision {
    if (decision.applied === decision.requested || this.isAlias(decision.applied)) return decision;
    return { ...decision, applied: decision.requested, reason: `${decision.reason};unknown_route:${decision.applied}` };
  }

  /**
   * A route is taken only if the request could have been admitted on it: it must be priced for the
   * tenant (or the tenant allows unpriced models), and, when the call runs under a budget
   * reservation (made by the gateway at the requested alias's worst-case price, before routing),
   * its worst-case prices must not exceed the alias's — a cheaper route is always within the hold,
   * a dearer one would spend past it. Otherwise the requested alias is kept (said in the reason).
   */
  private async admissible(turn: Turn, decision: RouteDecision): Promise<RouteDecision> {
    if (decision.applied === decision.requested) return decision;
    const keep = (why: string): RouteDecision => ({ ...decision, applied: decision.requested, reason: `${decision.reason};${why}:${decision.applied}` });
    try {
      await this.pricing.assertRoutable(decision.applied, turn.context.tenantId);
    } catch {
      return keep('unpriced_route');
    }
    if (!turn.context.reservationId) return decision;
    const chosen = this.pricing.quote(decision.applied);
    const reserved = this.pricing.quote(decision.requested);
    const dearer = chosen.input_usd_per_mtok > reserved.input_usd_per_mtok || chosen.output_usd_per_mtok > reserved.output_usd_per_mtok;
    return dearer ? keep('above_reservation') : decision;
  }

  private isAlias(name: string): boolean {
    try {
      return this.llm.resolve(name).alias !== undefined;
    } catch {
      return false;
    }
  }
}

/** The decision as assistant-message metadata (merged by the persistence stage; `route_header` feeds the usage event). */
export function routeMetadata(route: RouteDecision): Record<string, string | number | boolean | null> {
  return {
    route: route.applied,
    route_chosen: route.chosen,
    route_mode: route.mode,
    route_shadow: route.shadow,
    route_tier: route.tier,
    route_score: route.score,
    route_reason: route.reason,
    route_header: routeHeader(route),
  };
}

function namedModel(mode: RouteDecision['mode'], model: string, shadow: boolean): RouteDecision {
  return { mode, requested: model, chosen: model, applied: model, shadow, tier: null, score: null, reason: 'named_model' };
}
