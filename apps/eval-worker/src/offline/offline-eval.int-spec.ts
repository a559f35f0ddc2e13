import { LlmGateway, parseLlmConfig } from '@conduit/llm';
import { RunningMockLlm, startMockLlmServer } from '@conduit/mock-llm';
import { LlmJudge } from '../judges/llm-judge';
import { parseDataset } from './eval-case.schema';
import { baselineOf, gateFailures } from './eval-gate';
import { ChatRunner, runOfflineEval } from './offline-eval';

/** Two cases; `worse` makes the chat answer score 1 on helpfulness (judge marker) and lose Paris every other run. */
const DATASET = [
  '{"id":"capital","messages":[{"role":"user","content":"What is the capital of France?"}],"assert":{"contains":["Paris"],"max_latency_ms":10000}}',
  '{"id":"greeting","messages":[{"role":"user","content":"Say hello"}],"assert":{"regex":"hello","not_contains":["error"]}}',
].join('\n');

describe('offline eval: cases through a chat runner, scored by the LLM judges (mock-llm judge mode), gated by a baseline', () => {
  let mock: RunningMockLlm;
  let judge: LlmJudge;

  beforeAll(async () => {
    mock = await startMockLlmServer();
    const llm = new LlmGateway(
      parseLlmConfig({
        providers: [{ name: 'openai', kind: 'openai', apiKey: 'mock', baseURL: `${mock.url}/v1`, maxRetries: 0, timeoutMs: 20_000 }],
        routes: { default: [{ provider: 'openai', model: 'gpt-4.1-mini' }] },
      }),
    );
    judge = new LlmJudge(llm, { judgeModel: 'default', judgeTimeoutMs: 20_000, concurrency: 1, readyMaxAgeS: 900 });
  });

  afterAll(async () => {
    await mock.close();
  });

  const runner = (worse: boolean): ChatRunner => {
    let calls = 0;
    return async (evalCase) => {
      calls += 1;
      const question = evalCase.messages[evalCase.messages.length - 1].content;
      const answer = evalCase.id === 'capital' ? (worse && calls % 2 === 0 ? 'Lyon.' : 'Paris.') : 'hello there';
      return { answer: worse ? `${answer} [[score:helpfulness:1]]` : `${answer} (${question.length})`, latencyMs: 5, costUsd: 0, sources: [] };
    };
  };

  it('passes against its own baseline and fails with a deliberately worse version; --repeat runs each case N times', async () => {
    const cases = parseDataset(DATASET);
    const good = await runOfflineEval(cases, { repeat: 2, chat: runner(false), judge, judgeModel: 'default' });
    expect(good.cases['capital']).toMatchObject({ runs: 2, passed: 2, passRate: 1 });
    expect(good.rubrics['helpfulness']).toEqual({ n: 4, mean: 4 });
    const baseline = baselineOf(good);
    expect(gateFailures(await runOfflineEval(cases, { repeat: 2, chat: runner(false), judge, judgeModel: 'default' }), baseline)).toEqual([]);

    const worse = await runOfflineEval(cases, { repeat: 2, chat: runner(true), judge, judgeModel: 'default' });
    expect(worse.cases['capital']).toMatchObject({ runs: 2, passed: 1, passRate: 0.5 });
    expect(gateFailures(worse, baseline)).toEqual(['case capital: pass rate 0.50 < baseline 1.00', 'rubric helpfulness: mean 1.00 < baseline 4.00 − 0.5']);
  });
});
