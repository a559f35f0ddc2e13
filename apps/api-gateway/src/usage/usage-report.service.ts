import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '@conduit/db';
import { decimalToNano } from '@conduit/budget';
import { UsageDimension, UsageReport, UsageRow } from './usage.dto';
import { UsageErrorCode, UsageException } from './usage.exception';

/** The nil uuid stands for "no user" in the aggregate (usage without a user). */
const NO_USER = '00000000-0000-0000-0000-000000000000';
const MAX_RANGE_DAYS = 366;
const DAY_MS = 86_400_000;

const COLUMNS: Record<UsageDimension, 'tenantId' | 'userId' | 'day' | 'model'> = {
  tenant: 'tenantId',
  user: 'userId',
  day: 'day',
  model: 'model',
};

export interface ReportFilter {
  tenantId?: string;
  userId?: string;
  start?: string;
  end?: string;
  groupBy: UsageDimension[];
}

const sortKey = (row: UsageRow) => [row.tenant_id ?? '', row.user_id ?? '', row.date ?? '', row.model ?? ''];

function compareRows(a: UsageRow, b: UsageRow): number {
  const [ka, kb] = [sortKey(a), sortKey(b)];
  for (let i = 0; i < ka.length; i += 1) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
  return 0;
}

const usd = (value: Prisma.Decimal | null) => decimalToNano(value) / 1_000_000_000;

/**
 * Usage reports from the ledger's daily aggregate (`usage_daily`): tokens, requests and billed cost
 * per tenant, user, UTC day and model over a date range (default: the current month to date), with
 * the requests the response cache answered (`cache_hits`, billed at zero) and what they saved
 * (`cost_saved_usd`: what the original calls cost).
 */
@Injectable()
export class UsageReportService {
  constructor(private readonly prisma: PrismaService) {}

  async report(filter: ReportFilter): Promise<UsageReport> {
    const today = new Date().toISOString().slice(0, 10);
    const end = filter.end ?? today;
    const start = filter.start ?? `${end.slice(0, 8)}01`;
    const from = new Date(`${start}T00:00:00Z`);
    const until = new Date(Date.parse(`${end}T00:00:00Z`) + DAY_MS);
    if (from >= until) throw new UsageException(UsageErrorCode.InvalidRange, 'start must not be after end.', { param: 'start' });
    if (until.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
      throw new UsageException(UsageErrorCode.InvalidRange, `A report covers at most ${MAX_RANGE_DAYS} days.`, { param: 'start' });
    }
    const by = [...new Set(filter.groupBy)].map((dimension) => COLUMNS[dimension]);
    const groups = await this.prisma.usageDaily.groupBy({
      by,
      where: {
        ...(filter.tenantId ? { tenantId: filter.tenantId } : {}),
        ...(filter.userId ? { userId: filter.userId } : {}),
        day: { gte: from, lt: until },
      },
      _sum: { requests: true, inputTokens: true, outputTokens: true, cachedTokens: true, costUsd: true, cacheHits: true, costSavedUsd: true },
    });
    const data: UsageRow[] = groups.map((group) => {
      const row: UsageRow = {
        ...(group.tenantId !== undefined ? { tenant_id: group.tenantId } : {}),
        ...(group.userId !== undefined ? { user_id: group.userId === NO_USER ? null : group.userId } : {}),
        ...(group.day !== undefined ? { date: group.day.toISOString().slice(0, 10) } : {}),
        ...(group.model !== undefined ? { model: group.model } : {}),
        requests: group._sum.requests ?? 0,
        input_tokens: Number(group._sum.inputTokens ?? 0),
        output_tokens: Number(group._sum.outputTokens ?? 0),
        cached_tokens: Number(group._sum.cachedTokens ?? 0),
        cost_usd: usd(group._sum.costUsd),
        cache_hits: group._sum.cacheHits ?? 0,
        cost_saved_usd: usd(group._sum.costSavedUsd),
      };
      return row;
    });
    data.sort(compareRows);
    const totals = { requests: 0, input_tokens: 0, output_tokens: 0, cached_tokens: 0, cost_usd: 0, cache_hits: 0, cost_saved_usd: 0 };
    let totalNano = 0;
    let savedNano = 0;
    for (const group of groups) {
      totalNano += decimalToNano(group._sum.costUsd);
      savedNano += decimalToNano(group._sum.costSavedUsd);
    }
    for (const row of data) {
      totals.requests += row.requests;
      totals.input_tokens += row.input_tokens;
      totals.output_tokens += row.output_tokens;
      totals.cached_tokens += row.cached_tokens;
      totals.cache_hits += row.cache_hits;
    }
    totals.cost_usd = totalNano / 1_000_000_000;
    totals.cost_saved_usd = savedNano / 1_000_000_000;
    return { object: 'usage', start, end, group_by: filter.groupBy, data, totals };
  }
}
