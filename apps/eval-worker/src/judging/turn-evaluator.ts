import { Inject, Injectable, Logger } from '@nestjs/common';
import { EvalTurn, uuidFromName } from '@conduit/contracts';
import { PriceBook, UsageEventProducer } from '@conduit/budget';
import { ConversationStore } from '@conduit/conversations';
import type { Message } from '@conduit/db';
import {
  evalJudgeCostUsdTotal,
  EvalScoreStore,
  evalScoresTotal,
  evalScoreValue,
  rubricScale,
  ScoreRecord,
  ScoreStatus,
  USER_FEEDBACK_RUBRIC,
  utcDay,
} from '@conduit/evaluation';
import { PolicyStore } from '@conduit/policies';
import type { EvaluationSettings } from '../config/eval-worker.config';
import { EVALUATION_SETTINGS } from '../eval-worker.constants';
import type { JudgedTurn } from '../judges/judge-prompt';
import { LlmJudge } from '../judges/llm-judge';
import { Rubric, rubricsOf } from '../judges/rubrics';
import { heuristicScores } from '../scorers/heuristic-scorers';
import { EvaluationError, EvaluationErrorCode } from './evaluation.exception';

/** Statuses after which a rubric is not judged again (same rubric version and judge model). */
const SETTLED: ReadonlySet<string> = new Set<ScoreStatus>(['ok', 'unparseable']);

export interface EvaluationOutcome {
  scores: number;
  judged: number;
  failed: number;
}

/**
 * Evaluates one stored turn: the user's rating (as `user_feedback`), the heuristic scorers and —
 * unless the job only folds in a thumbs-up — the tenant's LLM judges, each billed as `eval` and
 * stopped for the day once the tenant's eval budget is spent. Scores are recorded together (with
 * the day's aggregates). A judge that cannot be reached fails the attempt after the other scores
 * are recorded, so the queue retries it; on the last attempt it is recorded as `failed`.
 */
@Injectable()
export class TurnEvaluator {
  private readonly logger = new Logger(TurnEvaluator.name);

  constructor(
    private readonly conversations: ConversationStore,
    private readonly scores: EvalScoreStore,
    private readonly policies: PolicyStore,
    private readonly judge: LlmJudge,
    private readonly prices: PriceBook,
    private readonly usage: UsageEventProducer,
    @Inject(EVALUATION_SETTINGS) private readonly settings: EvaluationSettings,
  ) {}

  async evaluate(job: EvalTurn, finalAttempt: boolean): Promise<EvaluationOutcome> {
    const turn = await this.conversations.turnForEvaluation(job.tenant_id, job.message_id);
    if (!turn) throw new EvaluationError(EvaluationErrorCode.TurnNotStored, `message ${job.message_id} is not stored (yet)`);
    const { answer } = turn;
    const policy = (await this.policies.get(job.tenant_id)).eval;
    const metadata = (answer.metadata ?? {}) as Record<string, unknown>;
    const base = {
      tenantId: answer.tenantId,
      userId: answer.userId,
      messageId: answer.id,
      model: answer.model ?? 'unknown',
      // The prompt template version the answer was rendered from (stage `template`), as `name@version`.
      templateVersion: answer.promptName && answer.promptVersion !== null ? `${answer.promptName}@${answer.promptVersion}` : null,
      reason: job.reason,
      turnAt: answer.createdAt,
    };
    const records: ScoreRecord[] = [];
    const other = (rubric: string, kind: 'heuristic' | 'feedback', score: number, explanation: string): ScoreRecord => ({
      ...base,
      rubric,
      rubricVersion: 1,
      kind,
      judgeModel: null,
      score,
      explanation,
      status: 'ok',
      costUsd: 0,
      latencyMs: null,
    });
    if (answer.rating === 1 || answer.rating === -1) {
      records.push(other(USER_FEEDBACK_RUBRIC, 'feedback', answer.rating === 1 ? 1 : 0, answer.rating === 1 ? 'thumbs up' : 'thumbs down'));
    }
    const sources = Array.isArray(metadata['citations']) ? (metadata['citations'] as JudgedTurn['sources']) : [];
    let judged = 0;
    let failed = 0;
    if (job.reason !== 'feedback') {
      const responseFormat = typeof metadata['response_format'] === 'string' ? metadata['response_format'] : null;
      for (const heuristic of heuristicScores({ answer: answer.content, sourceCount: sources.length, responseFormat, latencyMs: answer.latencyMs, costUsd: answer.costUsd.toNumber() })) {
        records.push(other(heuristic.rubric, 'heuristic', heuristic.score, heuristic.explanation));
      }
      const judgedTurn: JudgedTurn = { question: turn.question?.content ?? '', answer: answer.content, sources };
      const outcome = await this.runJudges(job, answer, judgedTurn, policy.judge_model ?? this.settings.judgeModel, rubricsOf(policy).filter((r) => !r.ragOnly || sources.length > 0), policy.daily_budget_usd, finalAttempt, base);
      records.push(...outcome.records);
      judged = outcome.judged;
      failed = outcome.failed;
    }
    await this.scores.record(records);
    for (const record of records) {
      evalScoresTotal.inc({ kind: record.kind, status: record.status });
      if (record.status === 'ok' && record.score !== null && rubricScale(record.rubric)) evalScoreValue.observe({ rubric: record.rubric }, record.score);
    }
    if (failed > 0 && !finalAttempt) {
      throw new EvaluationError(EvaluationErrorCode.JudgeUnavailable, `${failed} judge call(s) failed for message ${answer.id}; retrying`);
    }
    return { scores: records.length, judged, failed };
  }

  private async runJudges(
    job: EvalTurn,
    answer: Message,
    turn: JudgedTurn,
    judgeModel: string,
    rubrics: Rubric[],
    budgetUsd: number,
    finalAttempt: boolean,
    base: Omit<ScoreRecord, 'rubric' | 'rubricVersion' | 'kind' | 'judgeModel' | 'score' | 'explanation' | 'status' | 'costUsd' | 'latencyMs'>,
  ): Promise<{ records: ScoreRecord[]; judged: number; failed: number }> {
    const existing = await this.scores.scoresOf(job.tenant_id, answer.id);
    const due = rubrics.filter((rubric) => {
      const previous = existing.get(rubric.name);
      return !(previous && SETTLED.has(previous.status) && previous.rubricVersion === rubric.version && previous.judgeModel === judgeModel);
    });
    const records: ScoreRecord[] = [];
    if (due.length === 0) return { records, judged: 0, failed: 0 };
    let spent = await this.scores.judgeSpendSince(job.tenant_id, utcDay(new Date()));
    let judged = 0;
    let failed = 0;
    const row = (rubric: Rubric, status: ScoreStatus, fields: Partial<ScoreRecord> = {}): ScoreRecord => ({
      ...base,
      rubric: rubric.name,
      rubricVersion: rubric.version,
      kind: 'llm',
      judgeModel,
      score: null,
      explanation: null,
      status,
      costUsd: 0,
      latencyMs: null,
      ...fields,
    });
    for (const rubric of due) {
      if (spent >= budgetUsd) {
        records.push(row(rubric, 'skipped_budget', { explanation: `eval budget of ${budgetUsd} USD for the day is spent` }));
        continue;
      }
      try {
        const result = await this.judge.judge(judgeModel, rubric, turn);
        const cost = this.prices.costOf(result.model, result.usage).usd;
        spent += cost;
        judged += 1;
        evalJudgeCostUsdTotal.inc({ judge_model: judgeModel }, cost);
        await this.usage.emit([
          {
            event_id: uuidFromName(`eval:${answer.id}:${rubric.name}:${rubric.version}:${judgeModel}`),
            tenant_id: job.tenant_id,
            user_id: null,
            api_key_id: null,
            request_id: null,
            provider: result.provider,
            model: result.model,
            input_tokens: result.usage.input_tokens,
            output_tokens: result.usage.output_tokens,
            cached_tokens: result.usage.cached_tokens,
            latency_ms: Math.round(result.latencyMs),
            feature: 'eval',
            occurred_at: new Date().toISOString(),
          },
        ]);
        records.push(
          row(rubric, result.verdict.status, {
            score: result.verdict.status === 'ok' ? result.verdict.score : null,
            explanation: result.verdict.explanation,
            costUsd: cost,
            latencyMs: Math.round(result.latencyMs),
          }),
        );
      } catch (error) {
        failed += 1;
        this.logger.warn({ err: error, message_id: answer.id, rubric: rubric.name, judge_model: judgeModel, final: finalAttempt }, 'judge call failed');
        if (finalAttempt) records.push(row(rubric, 'failed', { explanation: `judge unavailable: ${error instanceof Error ? error.message.slice(0, 500) : String(error)}` }));
      }
    }
    return { records, judged, failed };
  }
}
