import { DEFAULT_EVAL_POLICY } from '@conduit/contracts';
import type { JudgedTurn } from '../judges/judge-prompt';
import type { LlmJudge } from '../judges/llm-judge';
import { rubricsOf } from '../judges/rubrics';
import { CaseRun, failedAssertions } from './case-assertions';
import type { EvalCase } from './eval-case.schema';
import type { EvalReport } from './eval-gate';

/** Runs one case once through the chat path: the answer, its latency and cost, the sources it cites. */
export type ChatRunner = (evalCase: EvalCase) => Promise<CaseRun & { sources: JudgedTurn['sources'] }>;

/**
 * Runs every case `repeat` times through `chat`, checks its assertions and scores each answer with
 * the same LLM judges and default rubrics as live evaluation (faithfulness only for grounded
 * cases). An unparseable verdict counts as no score; a chat that fails counts as a failed run.
 */
export async function runOfflineEval(cases: readonly EvalCase[], options: { repeat: number; chat: ChatRunner; judge: LlmJudge; judgeModel: string }): Promise<EvalReport> {
  const report: EvalReport = { cases: {}, rubrics: {} };
  const sums = new Map<string, { n: number; sum: number }>();
  for (const evalCase of cases) {
    const failures = new Set<string>();
    let passed = 0;
    for (let run = 0; run < options.repeat; run++) {
      let result: Awaited<ReturnType<ChatRunner>>;
      try {
        result = await options.chat(evalCase);
      } catch (error) {
        failures.add(`chat failed: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      const failed = failedAssertions(evalCase.assert, result);
      failed.forEach((f) => failures.add(f));
      if (failed.length === 0) passed += 1;
      const question = [...evalCase.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
      for (const rubric of rubricsOf(DEFAULT_EVAL_POLICY).filter((r) => !r.ragOnly || result.sources.length > 0)) {
        const verdict = (await options.judge.judge(options.judgeModel, rubric, { question, answer: result.answer, sources: result.sources })).verdict;
        if (verdict.status !== 'ok') continue;
        const total = sums.get(rubric.name) ?? { n: 0, sum: 0 };
        total.n += 1;
        total.sum += verdict.score;
        sums.set(rubric.name, total);
      }
    }
    report.cases[evalCase.id] = { runs: options.repeat, passed, passRate: passed / options.repeat, failures: [...failures] };
  }
  for (const [rubric, total] of sums) report.rubrics[rubric] = { n: total.n, mean: total.sum / total.n };
  return report;
}
