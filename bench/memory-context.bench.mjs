#!/usr/bin/env node
// npm run bench:memory-context — the short-term memory's request context (issue 21): a 200-turn
// session's context (summary + history window, or the plain window) stays under its token budget,
// and building it costs ≤ 2 ms p50. Measures the context-building function the chat path runs
// (`buildSessionContext`, apps/chat-orchestrator/src/chat/session-context.ts) directly, on the rows
// the history statement returns (token counts stored with each message, as written by the chat
// path); the database read is not included. In-process, no services; runs on dist/ (built first).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fmt, machine, root, run, summary, table } from './support.mjs';

const TURNS = Number(process.env.BENCH_TURNS ?? 200);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 5_000);
const MAX_TOKENS = Number(process.env.BENCH_MAX_TOKENS ?? 4_000);
const MAX_MESSAGES = Number(process.env.BENCH_MAX_MESSAGES ?? 20);
const TARGET_P50_MS = 2;

console.log('bench:memory-context — building…');
run('node', ['scripts/build.mjs']);
const require = createRequire(import.meta.url);
const { buildSessionContext, summaryMessage } = require(join(root, 'dist/apps/chat-orchestrator/src/chat/session-context.js'));
const { SUMMARY_READ_LIMIT } = require(join(root, 'dist/apps/chat-orchestrator/src/chat/conversations.service.js'));
const { messageTokens } = require(join(root, 'dist/libs/conversations/src/index.js'));
console.log(`machine: ${machine()}; node ${process.version}; ${new Date().toISOString()}`);

// ---- a 200-turn session, as stored -------------------------------------------------------------
const words = 'the project deadline moved to friday so we need the revised budget numbers and a short risk list for the steering group meeting'.split(' ');
let seed = 7;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const sentence = (n) => Array.from({ length: n }, () => words[Math.floor(random() * words.length)]).join(' ');
const rows = [];
let at = Date.parse('2026-12-01T09:00:00.000Z');
const push = (row) => {
  at += 1_000;
  const toolCalls = row.toolCalls ?? null;
  rows.push({ id: `m${rows.length}`, toolCalls, toolCallId: null, ...row, tokens: messageTokens(row.content, toolCalls), createdAt: new Date(at) });
};
for (let turn = 0; turn < TURNS; turn += 1) {
  push({ role: 'user', content: `${sentence(20 + Math.floor(random() * 60))}?` });
  if (turn % 10 === 9) {
    const calls = [{ id: `call_${turn}`, type: 'function', function: { name: 'search_documents', arguments: JSON.stringify({ query: sentence(6) }) } }];
    push({ role: 'assistant', content: '', toolCalls: calls });
    push({ role: 'tool', content: sentence(80), toolCallId: `call_${turn}` });
  }
  push({ role: 'assistant', content: `${sentence(60 + Math.floor(random() * 180))}.` });
}
const newestFirst = [...rows].reverse();
const sessionTokens = rows.reduce((sum, row) => sum + row.tokens, 0);

// A summary as the summary job leaves it: covering all but the newest ~1,500 tokens (threshold 3,000 / 2).
let kept = 0;
let coverIndex = rows.length - 1;
while (coverIndex > 0 && kept + rows[coverIndex].tokens <= 1_500) kept += rows[coverIndex--].tokens;
while (rows[coverIndex + 1] && rows[coverIndex + 1].role !== 'user') coverIndex += 1;
const summaryText = `Summary: ${sentence(220)}.`;
const stored = {
  summary: summaryText,
  coversMessageId: rows[coverIndex].id,
  coversCreatedAt: rows[coverIndex].createdAt,
  coveredMessages: coverIndex + 1,
  tokens: messageTokens(summaryMessage({ summary: summaryText }).content),
  model: 'cheap',
  updatedAt: new Date(),
};

// ---- measure -----------------------------------------------------------------------------------
function measure(name, read, summaryRow, readLimit) {
  const options = { maxTokens: MAX_TOKENS, maxMessages: MAX_MESSAGES, readLimit };
  const context = buildSessionContext(read, summaryRow, options);
  // The budget, recounted independently of the stored counts.
  const recount = context.messages.reduce((sum, m) => sum + messageTokens(m.content, m.tool_calls ?? null), 0);
  for (let i = 0; i < 200; i += 1) buildSessionContext(read, summaryRow, options);
  const samples = [];
  for (let i = 0; i < ITERATIONS; i += 1) {
    const started = process.hrtime.bigint();
    buildSessionContext(read, summaryRow, options);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const s = summary(samples);
  const startsWithTool = context.messages.find((m) => m.role !== 'system')?.role === 'tool';
  return {
    context: name,
    'rows read': read.length,
    messages: context.messages.length,
    'context tokens': recount,
    budget: MAX_TOKENS,
    'under budget': recount <= MAX_TOKENS && !startsWithTool ? 'yes' : 'NO',
    'p50 ms': fmt(s.p50, 4),
    'p99 ms': fmt(s.p99, 4),
    'p50 / target': fmt(s.p50 / TARGET_P50_MS, 4),
  };
}

const results = [
  measure('summary + window (summaries on)', newestFirst.slice(0, Math.max(MAX_MESSAGES, SUMMARY_READ_LIMIT)), stored, Math.max(MAX_MESSAGES, SUMMARY_READ_LIMIT)),
  measure('plain window (memory off)', newestFirst.slice(0, MAX_MESSAGES), null, MAX_MESSAGES),
  measure('plain window, rows without stored counts (cached after the first build)', newestFirst.slice(0, MAX_MESSAGES).map((row) => ({ ...row, id: `legacy-${row.id}`, tokens: null })), null, MAX_MESSAGES),
];
console.log(`\nSession: ${TURNS} turns, ${rows.length} messages (${TURNS / 10} tool call groups), ${sessionTokens} tokens (cl100k_base); summary covers ${coverIndex + 1} messages in ${stored.tokens} tokens`);
console.log(`Budget: CHAT_HISTORY_MAX_TOKENS=${MAX_TOKENS}, CHAT_HISTORY_MAX_MESSAGES=${MAX_MESSAGES}; ${ITERATIONS} builds each; target p50 ≤ ${TARGET_P50_MS} ms`);
console.log(table(Object.keys(results[0]), results.map((r) => Object.values(r))));
const failed = results.filter((r) => r['under budget'] !== 'yes' || Number(r['p50 ms']) > TARGET_P50_MS);
console.log(failed.length === 0 ? '\nTargets met.' : `\nTargets NOT met: ${failed.map((r) => r.context).join('; ')}`);
process.exitCode = failed.length === 0 ? 0 : 1;
