#!/usr/bin/env node
// npm run bench:guardrails — quality and cost of libs/guardrails on the labelled sets it ships
// (libs/guardrails/data): injection recall and false-positive rate (English and other languages,
// test split and all items), PII precision/recall per entity type, CPU per 1,000 input tokens with
// every input guard on, log-scrubber cost per line, and the time to first token the streaming
// output guard adds. In-process, no services; runs on dist/ (built first).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fmt, machine, percentile, root, run, table as grid } from './support.mjs';

/** Rows as objects → the shared markdown table. */
const table = (rows) => grid(Object.keys(rows[0]), rows.map((r) => Object.values(r)));

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 20);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 40);
const TOKEN_INTERVAL_MS = Number(process.env.BENCH_TOKEN_INTERVAL_MS ?? 10);

console.log('bench:guardrails — building…');
run('node', ['scripts/build.mjs']);
const require = createRequire(import.meta.url);
const g = require(join(root, 'dist/libs/guardrails/src/index.js'));
const { encode } = require('gpt-tokenizer');
const load = (name) =>
  readFileSync(join(root, 'libs/guardrails/data', name), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
const injectionItems = load('injection.jsonl');
const piiItems = load('pii.jsonl');
console.log(`machine: ${machine()}; node ${process.version}; ${new Date().toISOString()}`);

// ---- injection quality --------------------------------------------------------------------------
const detector = new g.BuiltinInjectionDetector();
const verdicts = new Map(injectionItems.map((item) => [item, detector.detectSync(item.text)]));
const injectionRows = [];
// "test, first set": the test-split items of the first version of the set (before the items marked `batch: 2`), for comparison with earlier runs;
// "test, batches 1-2": the test split as it was before the third batch (`batch: 3`) was added.
const inSplit = (split, i) =>
  split === 'all' ||
  (g.splitOf(i.text) === 'test' && (split === 'test' || (split === 'test, first set' && i.batch === undefined) || (split === 'test, batches 1-2' && (i.batch ?? 1) <= 2)));
for (const split of ['test', 'test, batches 1-2', 'test, first set', 'all']) {
  for (const group of ['en', 'non-en']) {
    const items = injectionItems.filter((i) => inSplit(split, i) && (group === 'en') === (i.lang === 'en'));
    const s = g.scoreInjection(items, items.map((i) => verdicts.get(i)));
    injectionRows.push({ split, languages: group, items: s.items, injections: s.injections, benign: s.benign, recall: fmt(s.recall, 3), fpr: fmt(s.falsePositiveRate, 3), precision: fmt(s.precision, 3) });
  }
}
console.log(`\nInjection, built-in detector (threshold ${fmt(g.shippedInjectionModel().threshold, 3)}; trained on the train split only)`);
console.log(table(injectionRows));
const testItems = injectionItems.filter((i) => g.splitOf(i.text) === 'test');
const byKind = ['user', 'document', 'tool_output'].map((kind) => {
  const items = testItems.filter((i) => i.kind === kind);
  const s = g.scoreInjection(items, items.map((i) => verdicts.get(i)));
  return { kind, items: s.items, recall: fmt(s.recall, 3), fpr: fmt(s.falsePositiveRate, 3) };
});
console.log('Test split by input kind');
console.log(table(byKind));
const trigger = testItems.filter((i) => i.note === 'trigger-words');
console.log(`Benign items full of trigger words (test split): ${trigger.filter((i) => verdicts.get(i).verdict === 'clean').length}/${trigger.length} passed`);
if (process.env.BENCH_VERBOSE) {
  for (const i of testItems) if ((i.label === 'injection') !== (verdicts.get(i).verdict === 'injection')) console.log(`  ${i.label === 'injection' ? 'missed' : 'false positive'} [${i.lang}] ${i.text.slice(0, 100)}`);
}

// ---- PII quality --------------------------------------------------------------------------------
const scanner = new g.PiiScanner();
const piiRows = [];
for (const split of ['test', 'all']) {
  const items = piiItems.filter((i) => split === 'all' || g.splitOf(i.text) === 'test');
  const { scores } = g.evaluatePii(items, (text) => scanner.scan(text));
  for (const s of scores) piiRows.push({ split, type: s.type, labelled: s.truePositives + s.falseNegatives, precision: fmt(s.precision, 3), recall: fmt(s.recall, 3), fp: s.falsePositives, fn: s.falseNegatives });
}
console.log(`\nPII (${piiItems.length} items, ${piiItems.filter((i) => i.entities.length === 0).length} without entities; structured types exact span, PERSON/ADDRESS overlap)`);
console.log(table(piiRows));

// ---- cost: every input guard ---------------------------------------------------------------------
const inputs = [...injectionItems.map((i) => i.text), ...piiItems.map((i) => i.text)];
const tokens = inputs.reduce((n, t) => n + encode(t).length, 0);
const policy = Object.fromEntries(g.PII_ENTITY_TYPES.map((t) => [t, 'redact']));
const allGuards = (text) => {
  detector.detectSync(text);
  g.redact(text, policy, scanner);
};
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
/** CPU ms per call batch: the fastest of ROUNDS rounds (the machine is shared; the minimum is the least disturbed). */
const bestCpuMs = (work) => {
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r += 1) {
    const before = process.cpuUsage();
    work();
    const used = process.cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
};
const cpuPer1k = (fn, label) => {
  for (const t of inputs) fn(t); // warm-up
  const ms = bestCpuMs(() => {
    for (let k = 0; k < ITERATIONS; k += 1) for (const t of inputs) fn(t);
  });
  return { guards: label, 'cpu ms / 1k tokens': fmt((ms / (tokens * ITERATIONS)) * 1000, 4) };
};
// Long inputs too: RAG chunks and documents are longer than the labelled prompts. One is the
// labelled texts glued together (dense with trigger words), one is ordinary technical prose (this
// repository's own README, DEVELOPMENT.md and docs/deployment.md).
const perThousand = (text) => {
  const n = encode(text).length;
  allGuards(text);
  const ms = bestCpuMs(() => {
    for (let k = 0; k < ITERATIONS; k += 1) allGuards(text);
  });
  return { tokens: n, cost: fmt((ms / (n * ITERATIONS)) * 1000, 4) };
};
const glued = perThousand(piiItems.map((i) => i.text).join(' ') + ' ' + injectionItems.filter((i) => i.kind === 'document').map((i) => i.text).join(' '));
const prose = perThousand(['README.md', 'DEVELOPMENT.md', 'docs/deployment.md'].map((f) => readFileSync(join(root, f), 'utf8')).join('\n'));
console.log(`\nCPU with every input guard on (${inputs.length} labelled texts, ${tokens} tokens by gpt-tokenizer, × ${ITERATIONS}; fastest of ${ROUNDS} rounds)`);
console.log(
  table([
    cpuPer1k(allGuards, 'injection (built-in) + PII redaction (all types)'),
    cpuPer1k((t) => detector.detectSync(t), 'injection (built-in) only'),
    cpuPer1k((t) => g.redact(t, policy, scanner), 'PII redaction (all types) only'),
    cpuPer1k((t) => g.redact(t, policy, new g.PiiScanner(g.STRUCTURED_PII_TYPES)), 'PII redaction (structured types) only'),
    { guards: `all input guards, labelled texts glued into one ${glued.tokens}-token document`, 'cpu ms / 1k tokens': glued.cost },
    { guards: `all input guards, ${prose.tokens}-token technical document (repo docs)`, 'cpu ms / 1k tokens': prose.cost },
  ]),
);

// ---- log scrubber --------------------------------------------------------------------------------
const scrub = g.createLogScrubber();
const lines = [
  '{"level":"info","time":"2026-12-07T10:11:12.123Z","service":"api-gateway","request_id":"3f2b8c1e-9a4d-4e7b-8c21-6d5f0a9e7b13","req":{"method":"POST","url":"/v1/chat/completions"},"res":{"status_code":200},"responseTime":42,"msg":"request completed"}',
  '{"level":"info","time":"2026-12-07T10:11:12.456Z","service":"chat-orchestrator","tenant_id":"0b7a3c1d-2e4f-4a5b-9c6d-7e8f9a0b1c2d","msg":"chat completed","provider":"openai","model":"gpt-4.1-mini","input_tokens":512,"output_tokens":128}',
  '{"level":"warn","time":"2026-12-07T10:11:13.000Z","msg":"user ana@example.com asked to call +44 20 7946 0958 about card 4539 1488 0343 6467"}',
  '{"level":"info","msg":"request completed"}',
];
const scrubRows = lines.map((line, index) => {
  const n = 20_000;
  for (let k = 0; k < 1_000; k += 1) scrub(line);
  const ms = bestCpuMs(() => {
    for (let k = 0; k < n; k += 1) scrub(line);
  });
  return { line: ['request log', 'chat log', 'line with PII', 'short, no candidates'][index], chars: line.length, 'µs CPU / line': fmt((ms * 1000) / n, 2) };
});
console.log('\nLog scrubber (default types; per serialised line)');
console.log(table(scrubRows));

// ---- streaming output guard: added time to first token --------------------------------------------
const answer =
  'Sure. Conduit routes each request through the gateway, the orchestrator and the provider; retries and fallbacks are handled per target, and every hop is traced. Ask me if you need the configuration for a specific provider.';
const tokensOf = (text) => text.match(/\s*\S+|\s+/g);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Added time to first released text: from the first token's arrival to the first text the guard releases (by push or by a stall flush). */
async function ttft(label, options, intervalMs) {
  const samples = [];
  for (let s = 0; s < STREAMS; s += 1) {
    let firstArrival;
    let firstRelease;
    const onFlush = (chunk) => {
      if (chunk.text.length > 0 && firstRelease === undefined) firstRelease = performance.now();
    };
    const guard = new g.StreamingOutputGuard(new g.OutputGuard(), { ...options, ...(options.flushAfterMs > 0 ? { onFlush } : {}) });
    for (const token of tokensOf(answer)) {
      if (intervalMs > 0) await sleep(intervalMs);
      const now = performance.now();
      firstArrival ??= now;
      if (guard.push(token).text.length > 0 && firstRelease === undefined) firstRelease = performance.now();
    }
    if (firstRelease === undefined && guard.end().text.length > 0) firstRelease = performance.now();
    samples.push(firstRelease - firstArrival);
  }
  samples.sort((a, b) => a - b);
  return { guard: label, 'token interval': `${intervalMs} ms`, 'added TTFT p50 (ms)': fmt(percentile(samples, 50), 3), 'p99 (ms)': fmt(percentile(samples, 99), 3) };
}
const FLUSH_MS = Number(process.env.BENCH_FLUSH_MS ?? 2);
const ttftRows = [];
for (const [label, options] of [
  ['default (live tail only)', {}],
  [`stall flush ${FLUSH_MS} ms`, { flushAfterMs: FLUSH_MS }],
  ['flushAfterMs 0', { flushAfterMs: 0 }],
]) {
  for (const interval of [0, TOKEN_INTERVAL_MS]) ttftRows.push(await ttft(label, options, interval));
}
console.log(`\nStreaming output guard (PII + secrets + moderation), added time to first released text, ${STREAMS} simulated streams, whitespace-led tokens`);
console.log(table(ttftRows));
