import { Inject, Injectable } from '@nestjs/common';
import { evalJudgeDuration } from '@conduit/evaluation';
import { LlmGateway, TokenUsage } from '@conduit/llm';
import { EVALUATION_SETTINGS } from '../eval-worker.constants';
import type { EvaluationSettings } from '../config/eval-worker.config';
import { judgeMessages, JudgedTurn } from './judge-prompt';
import { JudgeVerdict, parseVerdict } from './judge-verdict';
import type { Rubric } from './rubrics';

export interface JudgeResult {
  verdict: JudgeVerdict;
  provider: string;
  /** The model that answered (after routing). */
  model: string;
  usage: TokenUsage;
  latencyMs: number;
}

/**
 * One rubric-based LLM judge call through `libs/llm` (routing, retries, fallback and breakers
 * included). Deterministic settings: temperature 0, a short answer. An unreachable judge throws
 * (the job retries); an answer in the wrong shape is a verdict `unparseable`.
 */
@Injectable()
export class LlmJudge {
  constructor(
    private readonly llm: LlmGateway,
    @Inject(EVALUATION_SETTINGS) private readonly settings: EvaluationSettings,
  ) {}

  async judge(judgeModel: string, rubric: Rubric, turn: JudgedTurn): Promise<JudgeResult> {
    const started = performance.now();
    try {
      const result = await this.llm.complete(
        judgeModel,
        { messages: judgeMessages(rubric, turn), temperature: 0, max_tokens: 400 },
        { timeoutMs: this.settings.judgeTimeoutMs },
      );
      const verdict = parseVerdict(result.completion.content);
      evalJudgeDuration.observe({ rubric: rubric.name, judge_model: judgeModel, outcome: verdict.status }, (performance.now() - started) / 1_000);
      return { verdict, provider: result.provider, model: result.model, usage: result.completion.usage, latencyMs: result.latencyMs };
    } catch (error) {
      evalJudgeDuration.observe({ rubric: rubric.name, judge_model: judgeModel, outcome: 'failed' }, (performance.now() - started) / 1_000);
      throw error;
    }
  }
}
