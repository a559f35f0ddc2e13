import { Injectable } from '@nestjs/common';
import { BudgetCapStore, displayUsd, toNano, UsageControls } from '@conduit/budget';
import type { Principal } from '../auth/principal';
import { callerRateLimits } from './admission.service';

/**
 * `GET /v1/budget`: the caller's and its tenant's caps, and its API key's when the key has one
 * (and where each comes from), what was spent
 * and is reserved by calls in progress, what remains, when each resets, and the rate limits.
 */
@Injectable()
export class BudgetViewService {
  constructor(
    private readonly controls: UsageControls,
    private readonly caps: BudgetCapStore,
  ) {}

  async view(principal: Principal) {
    const caps = await this.caps.capsFor(principal.tenantId, principal.userId, { userTier: principal.tier, tenantTier: principal.tenantTier }, principal.apiKeyId);
    // The API key's counters only when it has a cap of its own (a key has no tier default).
    const keyCapped = caps.key.daily.usd !== null || caps.key.monthly.usd !== null;
    const counters = await this.controls.snapshot(principal.tenantId, principal.userId, new Date(), keyCapped ? principal.apiKeyId : null);
    // The key's own RPM and TPM, where set, in place of the tier's per-key limits (as admission applies them).
    const rate = callerRateLimits(principal, this.caps.rateLimitsFor(principal.tier));
    return {
      object: 'budget',
      tier: principal.tier,
      tenant_tier: principal.tenantTier,
      budgets: counters.map((counter) => {
        const cap = caps[counter.scope][counter.period];
        const used = counter.spentNano + counter.heldNano;
        return {
          scope: counter.scope,
          period: counter.period,
          cap_usd: cap.usd,
          source: cap.usd === null && cap.source === 'tier_default' ? 'none' : cap.source,
          spent_usd: displayUsd(counter.spentNano),
          reserved_usd: displayUsd(counter.heldNano),
          remaining_usd: cap.usd === null ? null : displayUsd(Math.max(0, toNano(cap.usd) - used)),
          resets_at: counter.window.end.toISOString(),
        };
      }),
      rate_limits: {
        api_key: { requests_per_minute: rate.keyRpm, tokens_per_minute: rate.keyTpm },
        user: { requests_per_minute: rate.userRpm, tokens_per_minute: rate.userTpm },
      },
    };
  }
}
