import { Injectable } from '@nestjs/common';
import { confidenceInterval, EvalAlertStore, EvalScoreStore, isoDay, Summary, summaryOf, utcDay, welchTest } from '@conduit/evaluation';
import { ListPage, toListPage } from '../sessions/list-page';
import {
  AggregatesQuery,
  AlertObject,
  AlertsQuery,
  CompareQuery,
  MAX_RANGE_DAYS,
  MeanObject,
  ScoreObject,
  ScoresQuery,
  toAlertObject,
  toScoreObject,
} from './evaluations.dto';
import { EvaluationsException } from './evaluations.exception';

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 7;

/** The tenant's evaluation data (stored by `EvalScoreStore`, `EvalAlertStore`); every read is scoped to the caller's tenant. */
@Injectable()
export class EvaluationsService {
  constructor(
    private readonly scores: EvalScoreStore,
    private readonly alerts: EvalAlertStore,
  ) {}

  async listScores(tenantId: string, query: ScoresQuery): Promise<ListPage<ScoreObject>> {
    const rows = await this.scores.listScores(tenantId, {
      rubric: query.rubric,
      model: query.model,
      messageId: query.message_id,
      userId: query.user_id,
      status: query.status,
      after: query.after,
      limit: query.limit,
    });
    if (!rows) throw EvaluationsException.invalidCursor();
    return toListPage(rows, query.limit, toScoreObject);
  }

  async listAggregates(tenantId: string, query: AggregatesQuery) {
    const { from, to } = this.rangeOf(query.from, query.to);
    const rows = await this.scores.listAggregates(tenantId, { rubric: query.rubric, model: query.model, templateVersion: query.template_version, from, to, limit: query.limit });
    return {
      object: 'list' as const,
      from: isoDay(from),
      to: isoDay(new Date(to.getTime() - DAY_MS)),
      data: rows.map((row) => ({
        object: 'evaluation.aggregate' as const,
        day: isoDay(row.day),
        template_version: row.templateVersion,
        model: row.model,
        rubric: row.rubric,
        ...meanOf(summaryOf(row.n, row.sum, row.sumSq)),
      })),
    };
  }

  /**
   * Two models (or template versions) side by side over the window, per rubric: each one's mean,
   * 95 % interval and n, and the difference b − a with its Welch 95 % interval and two-sided p.
   */
  async compare(tenantId: string, query: CompareQuery) {
    const { from, to } = this.rangeOf(query.from, query.to);
    const [a, b] = await Promise.all(
      [query.a, query.b].map((subject) => this.scores.totals(query.dimension, { from, to }, { tenantId, subject })),
    );
    const byRubric = (rows: typeof a) => new Map(rows.map((row) => [row.rubric, summaryOf(row.n, row.sum, row.sumSq)]));
    const sa = byRubric(a);
    const sb = byRubric(b);
    const rubrics = [...new Set([...sa.keys(), ...sb.keys()])].filter((rubric) => !query.rubric || rubric === query.rubric).sort();
    const empty: Summary = { n: 0, mean: 0, variance: 0 };
    return {
      object: 'evaluation.comparison' as const,
      dimension: query.dimension,
      a: query.a,
      b: query.b,
      from: isoDay(from),
      to: isoDay(new Date(to.getTime() - DAY_MS)),
      rubrics: rubrics.map((rubric) => {
        const left = sa.get(rubric) ?? empty;
        const right = sb.get(rubric) ?? empty;
        const test = welchTest(left, right);
        return {
          rubric,
          a: meanOf(left),
          b: meanOf(right),
          difference: test ? { mean: test.difference, ci95: test.interval, p_value: Math.min(1, 2 * Math.min(test.pLower, 1 - test.pLower)) } : null,
        };
      }),
    };
  }

  async listAlerts(tenantId: string, query: AlertsQuery): Promise<{ object: 'list'; data: AlertObject[] }> {
    return { object: 'list', data: (await this.alerts.list(tenantId, query.limit)).map(toAlertObject) };
  }

  /** [from, to) from inclusive days; the last 7 days by default. */
  private rangeOf(fromDay: string | undefined, toDay: string | undefined): { from: Date; to: Date } {
    const last = toDay ? new Date(`${toDay}T00:00:00Z`) : utcDay(new Date());
    const first = fromDay ? new Date(`${fromDay}T00:00:00Z`) : new Date(last.getTime() - (DEFAULT_DAYS - 1) * DAY_MS);
    if (first > last) throw EvaluationsException.invalidRange('from must not be after to.');
    if ((last.getTime() - first.getTime()) / DAY_MS + 1 > MAX_RANGE_DAYS) throw EvaluationsException.invalidRange(`A query covers at most ${MAX_RANGE_DAYS} days.`);
    return { from: first, to: new Date(last.getTime() + DAY_MS) };
  }
}

function meanOf(summary: Summary): MeanObject {
  return { mean: summary.n > 0 ? summary.mean : null, ci95: confidenceInterval(summary), n: summary.n };
}
