#!/usr/bin/env node
// npm run bench:chat-cpu — CPU per chat request of every process on the path (the four services,
// Postgres and Redis) at one fixed rate, open loop. Cheaper and steadier than bench:chat for
// comparing two builds on the same machine. Knobs: BENCH_RATE (150), BENCH_SECONDS (10).
import { execSync } from 'node:child_process';
import { benchEnv, cpuOf, cpuPerJob, cpuSeconds, fmt, machine, openLoop, startChatPath, table } from './support.mjs';

const RATE = Number(process.env.BENCH_RATE ?? 150);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const env = benchEnv();
const { key, gateway, services } = await startChatPath(env);

/** CPU seconds of every Postgres backend and Redis (processes come and go; an exited one is skipped). */
function infraCpu() {
  const pids = execSync('pgrep -f "postgres:|redis-server" || true').toString().trim().split('\n').filter(Boolean).map(Number);
  let total = 0;
  for (const pid of pids) {
    try {
      total += cpuSeconds(pid);
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

const load = {
  url: `${gateway.url}/v1/chat/completions`,
  headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
  body: JSON.stringify({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'Say something short about latency.' }], max_tokens: 32 }),
};
try {
  console.log('warming up…');
  await openLoop({ ...load, rate: 100, seconds: 8 });
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  console.log(`${RATE} requests/s for ${SECONDS} s…`);
  const before = cpuOf(services);
  const infraBefore = infraCpu();
  const result = await openLoop({ ...load, rate: RATE, seconds: SECONDS });
  await new Promise((resolve) => setTimeout(resolve, 2_000)); // billing finishes the step's events
  const cpu = cpuPerJob(before, cpuOf(services), Math.max(1, result.completed));
  const infra = ((infraCpu() - infraBefore) * 1000) / Math.max(1, result.completed);
  console.log(`\n${machine()}\n${RATE}/s: achieved ${fmt(result.achieved, 0)}/s, p50 ${fmt(result.p50, 1)} ms, p99 ${fmt(result.p99, 1)} ms, errors ${result.errors}\n`);
  console.log(table(['ms CPU per request', ...services.map((s) => s.name), 'Postgres + Redis', 'total'], [['', ...services.map((s) => fmt(cpu[s.name])), fmt(infra), fmt(Object.values(cpu).reduce((a, b) => a + b, infra))]]));
} finally {
  await Promise.all(services.map((s) => s.stop()));
}
