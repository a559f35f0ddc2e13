import { Injectable } from '@nestjs/common';
import { EvalScore, Prisma, PrismaService } from '@conduit/db';
import { AggregateSlice, isoDay, recomputeSliceSql, utcDay } from './eval-score.sql';
import type { ScoreRecord, ScoreStatus } from './score-kinds';

/** The subject a comparison or a regression check is about. */
export type EvalDimension = 'model' | 'template_version';

export interface ScoreQuery {
  rubric?: string;
  model?: string;
  messageId?: string;
  userId?: string;
  status?: ScoreStatus;
  /** Id of the last score of the previous page. */
  after?: string;
  limit: number;
}

export interface AggregateQuery {
  rubric?: string;
  model?: string;
  templateVersion?: string;
  from: Date;
  /** Exclusive. */
  to: Date;
  limit: number;
}

/** Totals of a subject's `ok` scores on one rubric over a window (from the daily aggregates). */
export interface RubricTotals {
  tenantId: string;
  dimension: EvalDimension;
  subject: string;
  rubric: string;
  n: number;
  sum: number;
  sumSq: number;
}

export interface AggregateRow {
  tenantId: string;
  templateVersion: string | null;
  model: string;
  rubric: string;
  day: Date;
  n: number;
  sum: number;
  sumSq: number;
}

/**
 * The one owner of `eval_scores` and `eval_aggregates`. Scores are upserted per (message, rubric);
 * each write recomputes the aggregate slices (tenant, model, template version, UTC day) it
 * touched in the same transaction. Every read is scoped to one tenant.
 */
@Injectable()
export class EvalScoreStore {
  constructor(private readonly prisma: PrismaService) {}

  async record(scores: readonly ScoreRecord[]): Promise<void> {
    if (scores.length === 0) return;
    const slices = new Map<string, AggregateSlice>();
    for (const score of scores) {
      const slice = { tenantId: score.tenantId, model: score.model, templateVersion: score.templateVersion, day: utcDay(score.turnAt) };
      slices.set(JSON.stringify(slice), slice);
    }
    await this.prisma.$transaction(async (tx) => {
      for (const score of scores) {
        const values = {
          tenantId: score.tenantId,
          userId: score.userId,
          rubricVersion: score.rubricVersion,
          kind: score.kind,
          judgeModel: score.judgeModel,
          model: score.model,
          templateVersion: score.templateVersion,
          score: score.score,
          explanation: score.explanation,
          status: score.status,
          reason: score.reason,
          costUsd: new Prisma.Decimal(score.costUsd.toFixed(8)),
          latencyMs: score.latencyMs,
          turnAt: score.turnAt,
        };
        await tx.evalScore.upsert({
          where: { messageId_rubric: { messageId: score.messageId, rubric: score.rubric } },
          create: { ...values, messageId: score.messageId, rubric: score.rubric },
          update: values,
        });
      }
      for (const slice of slices.values()) {
        for (const statement of recomputeSliceSql(slice)) await tx.$executeRaw(statement);
      }
    });
  }

  /** The scores a message already has, by rubric. */
  async scoresOf(tenantId: string, messageId: string): Promise<Map<string, EvalScore>> {
    const rows = await this.prisma.evalScore.findMany({ where: { tenantId, messageId } });
    return new Map(rows.map((row) => [row.rubric, row]));
  }

  /** What the tenant's judge calls cost since `since` (USD). */
  async judgeSpendSince(tenantId: string, since: Date): Promise<number> {
    const result = await this.prisma.evalScore.aggregate({ where: { tenantId, kind: 'llm', updatedAt: { gte: since } }, _sum: { costUsd: true } });
    return result._sum.costUsd?.toNumber() ?? 0;
  }

  /** The tenant's scores, newest first (ties by id), `limit + 1` rows; null when `after` is not one of its scores. */
  async listScores(tenantId: string, query: ScoreQuery): Promise<EvalScore[] | null> {
    const where: Prisma.EvalScoreWhereInput = {
      tenantId,
      ...(query.rubric ? { rubric: query.rubric } : {}),
      ...(query.model ? { model: query.model } : {}),
      ...(query.messageId ? { messageId: query.messageId } : {}),
      ...(query.userId ? { userId: query.userId } : {}),
      ...(query.status ? { status: query.status } : {}),
    };
    if (query.after) {
      const cursor = await this.prisma.evalScore.findFirst({ where: { tenantId, id: query.after }, select: { id: true, createdAt: true } });
      if (!cursor) return null;
      where.OR = [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }];
    }
    return this.prisma.evalScore.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: query.limit + 1 });
  }

  /** The tenant's daily aggregates in [from, to), newest day first. */
  async listAggregates(tenantId: string, query: AggregateQuery): Promise<AggregateRow[]> {
    const rows = await this.prisma.evalAggregate.findMany({
      where: {
        tenantId,
        day: { gte: query.from, lt: query.to },
        ...(query.rubric ? { rubric: query.rubric } : {}),
        ...(query.model ? { model: query.model } : {}),
        ...(query.templateVersion ? { templateVersion: query.templateVersion } : {}),
      },
      orderBy: [{ day: 'desc' }, { model: 'asc' }, { rubric: 'asc' }],
      take: query.limit,
    });
    return rows.map(({ tenantId: tenant, templateVersion, model, rubric, day, n, sum, sumSq }) => ({ tenantId: tenant, templateVersion, model, rubric, day, n, sum, sumSq }));
  }

  /**
   * Totals per (tenant, subject, rubric) over the days [from, to) of one dimension: one tenant's
   * (`tenantId`) or every tenant's (the regression check). Template versions that are null are not a subject.
   */
  async totals(dimension: EvalDimension, window: { from: Date; to: Date }, filter: { tenantId?: string; subject?: string } = {}): Promise<RubricTotals[]> {
    const column = dimension === 'model' ? Prisma.sql`model` : Prisma.sql`template_version`;
    const tenant = filter.tenantId ? Prisma.sql`AND tenant_id = ${filter.tenantId}::uuid` : Prisma.empty;
    const subject = filter.subject !== undefined ? Prisma.sql`AND ${column} = ${filter.subject}` : Prisma.empty;
    const rows = await this.prisma.$queryRaw<{ tenant_id: string; subject: string; rubric: string; n: number; sum: number; sum_sq: number }[]>`
      SELECT tenant_id::text, ${column} AS subject, rubric, sum(n)::int AS n, sum(sum)::float8 AS sum, sum(sum_sq)::float8 AS sum_sq
        FROM eval_aggregates
       WHERE day >= ${isoDay(window.from)}::date AND day < ${isoDay(window.to)}::date AND ${column} IS NOT NULL ${tenant} ${subject}
       GROUP BY tenant_id, ${column}, rubric`;
    return rows.map((row) => ({ tenantId: row.tenant_id, dimension, subject: row.subject, rubric: row.rubric, n: row.n, sum: row.sum, sumSq: row.sum_sq }));
  }
}
