import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '@conduit/db';
import { decimalToNano } from '@conduit/budget';
import { UsageDimension, UsageReport, UsageRow } from './usage.dto';
import { UsageErrorCode, UsageException } from './usage.exception';

/** The nil uuid stands for "no user" in the aggregate (usage without a user). */
const NO_USER = '00000000-0000-0000-0000-000000000000';
const MAX_RANGE_DAYS = 366;
const DAY_MS = 86_400_000;

const COLUMNS: Record<Exclude<UsageDimension, 'prompt'>, 'tenantId' | 'userId' | 'day' | 'model'> = {
  tenant: 'tenantId',
  user: 'userId',
  day: 'day',
  model: 'model',
};

/** The ledger's columns of each dimension, for reports read from the events (`prompt` is not in the daily aggregate). */
const EVENT_COLUMNS: Record<UsageDimension, string[]> = {
  tenant: ['tenant_id'],
  user: ['user_id'],
  day: ["to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day"],
  model: ['model'],
  prompt: ['prompt_name', 'prompt_version'],
};

interface EventGroupRow {
  tenant_id?: string;
  user_id?: string | null;
  day?: string;
  model?: string;
  prompt_name?: string | null;
  prompt_version?: number | null;
  requests: string;
  input_tokens: string;
  output_tokens: string;
  cached_tokens: string;
  cost_usd: string;
  cache_hits: string;
  cost_saved_usd: string;
}

export interface ReportFilter {
  tenantId?: string;
  userId?: string;
  start?: string;
  end?: string;
  groupBy: UsageDimension[];
}

const sortKey = (row: UsageRow) => [row.tenant_id ?? '', row.user_id ?? '', row.date ?? '', row.model ?? '', row.prompt_name ?? '', String(row.prompt_version ?? '').padStart(10, '0')];

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
 * (`cost_saved_usd`: what the original calls cost); grouped by prompt template version, from the
 * ledger's events.
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
    if (filter.groupBy.includes('prompt')) return this.reportFromEvents(filter, start, end, from, until);
    const by = [...new Set(filter.groupBy)].map((dimension) => COLUMNS[dimension as Exclude<UsageDimension, 'prompt'>]);
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
    return this.withTotals(
      filter,
      start,
      end,
      data,
      groups.map((group) => decimalToNano(group._sum.costUsd)),
      groups.map((group) => decimalToNano(group._sum.costSavedUsd)),
    );
  }

  /**
   * A report grouped by prompt template version, read from the ledger's events (the daily
   * aggregate has no prompt columns). Events of calls without a template group under null.
   */
  private async reportFromEvents(filter: ReportFilter, start: string, end: string, from: Date, until: Date): Promise<UsageReport> {
    const dimensions = [...new Set(filter.groupBy)];
    const select = dimensions.flatMap((dimension) => EVENT_COLUMNS[dimension]);
    const groupBy = select.map((_, i) => String(i + 1)).join(', ');
    const { rows } = await this.prisma.pg.query<EventGroupRow>(
      `SELECT ${select.join(', ')}, count(*) AS requests, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
              sum(cached_tokens) AS cached_tokens, sum(cost_usd)::text AS cost_usd,
              count(*) FILTER (WHERE cache_hit) AS cache_hits, sum(cost_saved_usd)::text AS cost_saved_usd
       FROM usage_events
       WHERE ($1::uuid IS NULL OR tenant_id = $1::uuid) AND ($2::uuid IS NULL OR user_id = $2::uuid) AND occurred_at >= $3 AND occurred_at < $4
       GROUP BY ${groupBy}`,
      [filter.tenantId ?? null, filter.userId ?? null, from, until],
    );
    const data: UsageRow[] = rows.map((row) => ({
      ...(dimensions.includes('tenant') ? { tenant_id: row.tenant_id } : {}),
      ...(dimensions.includes('user') ? { user_id: row.user_id ?? null } : {}),
      ...(dimensions.includes('day') && row.day ? { date: row.day } : {}),
      ...(dimensions.includes('model') ? { model: row.model } : {}),
      ...(dimensions.includes('prompt') ? { prompt_name: row.prompt_name ?? null, prompt_version: row.prompt_version ?? null } : {}),
      requests: Number(row.requests),
      input_tokens: Number(row.input_tokens),
      output_tokens: Number(row.output_tokens),
      cached_tokens: Number(row.cached_tokens),
      cost_usd: decimalToNano(row.cost_usd) / 1_000_000_000,
      cache_hits: Number(row.cache_hits),
      cost_saved_usd: decimalToNano(row.cost_saved_usd) / 1_000_000_000,
    }));
    return this.withTotals(
      filter,
      start,
      end,
      data,
      rows.map((row) => decimalToNano(row.cost_usd)),
      rows.map((row) => decimalToNano(row.cost_saved_usd)),
    );
  }

  private withTotals(filter: ReportFilter, start: string, end: string, data: UsageRow[], costsNano: number[], savedNanos: number[]): UsageReport {
    data.sort(compareRows);
    const totals = { requests: 0, input_tokens: 0, output_tokens: 0, cached_tokens: 0, cost_usd: 0, cache_hits: 0, cost_saved_usd: 0 };
    let totalNano = 0;
    let savedNano = 0;
    for (const nano of costsNano) totalNano += nano;
    for (const nano of savedNanos) savedNano += nano;
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
