import { budgetUtilisation } from '@conduit/observability';

/**
 * `conduit_budget_utilisation_ratio{tenant,period}` for the `topN` tenants closest to (or past)
 * a cap, so the label set stays bounded however many tenants there are. Fed with each tenant
 * window the cost alerts check (spend / cap after a billed batch); a window that already passed
 * its last alert threshold is no longer checked, so its value stays at the last one seen (≥ 1).
 */
export class BudgetUtilisation {
  private readonly ratios = new Map<string, { tenant: string; period: string; ratio: number }>();

  constructor(private readonly topN: number) {}

  record(tenant: string, period: string, ratio: number): void {
    this.ratios.set(`${tenant}\u0000${period}`, { tenant, period, ratio });
    const ranked = [...this.ratios.entries()].sort(([, a], [, b]) => b.ratio - a.ratio);
    // Keep only the top N, so memory is bounded as well as the label set.
    for (const [key] of ranked.slice(this.topN)) this.ratios.delete(key);
    budgetUtilisation.reset();
    for (const [, entry] of ranked.slice(0, this.topN)) budgetUtilisation.set({ tenant: entry.tenant, period: entry.period }, entry.ratio);
  }
}
