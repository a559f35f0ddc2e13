import { Injectable } from '@nestjs/common';
import { EvalAlert, Prisma, PrismaService } from '@conduit/db';
import type { EvalDimension } from '../scores/eval-score.store';

export interface NewEvalAlert {
  tenantId: string;
  dimension: EvalDimension;
  subject: string;
  rubric: string;
  dedupeKey: string;
  baselineMean: number;
  baselineN: number;
  recentMean: number;
  recentN: number;
  pValue: number;
  windowStart: Date;
  windowEnd: Date;
  details: Prisma.InputJsonObject;
}

/**
 * The one owner of `eval_alerts`: regression alerts, each stored once per dedupe key. `markNotified`
 * runs in the caller's transaction, with the webhook deliveries it stores (the outbox).
 */
@Injectable()
export class EvalAlertStore {
  constructor(private readonly prisma: PrismaService) {}

  /** Stores the alert unless its key is known; returns the stored row and whether it is new. */
  async raise(alert: NewEvalAlert): Promise<{ alert: EvalAlert; created: boolean }> {
    const { count } = await this.prisma.evalAlert.createMany({ data: [alert], skipDuplicates: true });
    const stored = await this.prisma.evalAlert.findUniqueOrThrow({ where: { dedupeKey: alert.dedupeKey } });
    return { alert: stored, created: count === 1 };
  }

  async markNotified(alertId: string, tx: Prisma.TransactionClient): Promise<void> {
    await tx.evalAlert.update({ where: { id: alertId }, data: { notifiedAt: new Date() } });
  }

  /** The tenant's alerts, newest first. */
  list(tenantId: string, limit: number): Promise<EvalAlert[]> {
    return this.prisma.evalAlert.findMany({ where: { tenantId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: limit });
  }
}
