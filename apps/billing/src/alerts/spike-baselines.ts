import { Inject, Injectable } from '@nestjs/common';
import { PrismaService } from '@conduit/db';
import { toNano } from '@conduit/budget';
import { ALERT_SETTINGS, AlertSettings } from './alerts.constants';

const MAX_REMEMBERED = 10_000;

export interface TenantHour {
  tenantId: string;
  /** Start of the UTC hour. */
  hour: Date;
}

/**
 * A tenant's spend over the `ALERT_SPIKE_BASELINE_HOURS` before an hour (from `usage_hourly`): the
 * baseline of spike alerts. Loaded for many hours in one statement, and remembered.
 *
 * Why remembering is exact: the window of an hour's baseline is fixed and spend is never negative,
 * so its total can only grow (late events). A remembered total is therefore a lower bound of the
 * current one, which is all the alert needs to rule a spike OUT without a query; a spike is only
 * ever raised on a freshly loaded total.
 */
@Injectable()
export class SpikeBaselines {
  private readonly known = new Map<string, number>();

  constructor(
    private readonly prisma: PrismaService,
    @Inject(ALERT_SETTINGS) private readonly settings: AlertSettings,
  ) {}

  /** The last total loaded for this hour (nano-dollars; a lower bound of the current one), if any. */
  remembered({ tenantId, hour }: TenantHour): number | undefined {
    return this.known.get(keyOf(tenantId, hour));
  }

  /** Current totals (nano-dollars), in the order asked; one round trip. */
  async load(hours: readonly TenantHour[]): Promise<number[]> {
    if (hours.length === 0) return [];
    const span = this.settings.baselineHours * 3_600_000;
    const input = hours.map(({ tenantId, hour }, i) => ({ i, tenant_id: tenantId, since: new Date(hour.getTime() - span).toISOString(), until: hour.toISOString() }));
    const { rows } = await this.prisma.pg.query<{ i: number; total: string }>({ name: 'billing_spike_baselines_v1', text: BASELINES_SQL, values: [JSON.stringify(input)] });
    const totals = hours.map(() => 0);
    // Number() then toNano, as the Prisma aggregate this replaces did: the same value to the bit.
    for (const { i, total } of rows) totals[i] = toNano(Number(total));
    if (this.known.size + hours.length > MAX_REMEMBERED) this.known.clear();
    hours.forEach(({ tenantId, hour }, i) => this.known.set(keyOf(tenantId, hour), totals[i]));
    return totals;
  }
}

const keyOf = (tenantId: string, hour: Date) => `${tenantId.toLowerCase()} ${hour.getTime()}`;

const BASELINES_SQL = `
SELECT q.i, COALESCE((SELECT sum(h.cost_usd) FROM usage_hourly h
  WHERE h.tenant_id = q.tenant_id AND h.hour >= q.since AND h.hour < q.until), 0)::text AS total
FROM jsonb_to_recordset($1::jsonb) AS q(i integer, tenant_id uuid, since timestamptz, until timestamptz)`;
