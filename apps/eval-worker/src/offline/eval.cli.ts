import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { LlmGateway, llmConfigFromEnv } from '@conduit/llm';
import { LlmJudge } from '../judges/llm-judge';
import { baselineOf, baselineSchema, gateFailures, reportTable } from './eval-gate';
import { parseDataset } from './eval-case.schema';
import { httpChatRunner } from './http-chat.runner';
import { runOfflineEval } from './offline-eval';

const out = (text: string) => process.stdout.write(`${text}\n`);
const err = (text: string) => process.stderr.write(`${text}\n`);

const USAGE = `usage: npm run eval -- --dataset <file.jsonl> [--baseline <file.json>] [--write-baseline] [--repeat N] [--judge-model M]
  Runs each case through a running Conduit gateway (CONDUIT_BASE_URL, default http://127.0.0.1:8080; CONDUIT_API_KEY),
  checks its assertions and scores it with the LLM judges (provider variables as for the services; EVAL_JUDGE_MODEL).
  Exit 0: every case and rubric holds against the baseline; 1: the gate failed; 2: bad usage or configuration.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      dataset: { type: 'string' },
      baseline: { type: 'string' },
      'write-baseline': { type: 'boolean', default: false },
      repeat: { type: 'string', default: '1' },
      'judge-model': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    out(USAGE);
    return 0;
  }
  const repeat = Number(values.repeat);
  const apiKey = process.env['CONDUIT_API_KEY'];
  if (!values.dataset || !Number.isInteger(repeat) || repeat < 1 || !apiKey || (values['write-baseline'] && !values.baseline)) {
    err(USAGE);
    if (!apiKey) err('eval: CONDUIT_API_KEY is required');
    return 2;
  }
  const cases = parseDataset(readFileSync(values.dataset, 'utf8'));
  const judgeModel = values['judge-model'] ?? process.env['EVAL_JUDGE_MODEL'] ?? 'default';
  const judge = new LlmJudge(new LlmGateway(llmConfigFromEnv(process.env)), { judgeModel, judgeTimeoutMs: 60_000, concurrency: 1, readyMaxAgeS: 900 });
  const chat = httpChatRunner(process.env['CONDUIT_BASE_URL'] ?? 'http://127.0.0.1:8080', apiKey);
  const report = await runOfflineEval(cases, { repeat, chat, judge, judgeModel });
  out(reportTable(report));
  if (values['write-baseline'] && values.baseline) {
    writeFileSync(values.baseline, `${JSON.stringify(baselineOf(report), null, 2)}\n`);
    out(`\nbaseline written to ${values.baseline}`);
    return 0;
  }
  if (!values.baseline) {
    out('\nno --baseline: nothing gated');
    return 0;
  }
  const failures = gateFailures(report, baselineSchema.parse(JSON.parse(readFileSync(values.baseline, 'utf8'))));
  if (failures.length === 0) {
    out('\ngate: passed');
    return 0;
  }
  out(`\ngate: FAILED\n${failures.map((f) => `  ${f}`).join('\n')}`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    err(`eval: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
