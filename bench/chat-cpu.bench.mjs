#!/usr/bin/env node
// npm run bench:chat-cpu — CPU per chat request at one fixed rate, open loop: of the whole machine
// (/proc/stat, calling mock-llm directly and through Conduit in the same run) and of every process
// on the path (the four services, this bench's Postgres backends, Redis), plus RSS. Cheaper and
// steadier than bench:chat for comparing two builds on the same machine. Knobs: BENCH_RATE (150),
// BENCH_SECONDS (10).
import os from 'node:os';
import {
  benchEnv,
  cpuOf,
  cpuPerJob,
  databaseOf,
  fmt,
  infraCpu,
  machine,
  machineBackground,
  machineCaveat,
  machineCpu,
  machineStep,
  openLoop,
  rssLine,
  rssOf,
  startChatPath,
  table,
} from './support.mjs';

const RATE = Number(process.env.BENCH_RATE ?? 150);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const env = benchEnv();
const database = databaseOf(env.DATABASE_URL);
const { key, mock, gateway, services } = await startChatPath(env);

const body = JSON.stringify({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'Say something short about latency.' }], max_tokens: 32 });
const direct = { url: `${mock.url}/v1/chat/completions`, headers: { authorization: 'Bearer mock', 'content-type': 'application/json' }, body };
const load = { url: `${gateway.url}/v1/chat/completions`, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body };
const settle = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
try {
  console.log('warming up…');
  await openLoop({ ...load, rate: 100, seconds: 8 });
  await openLoop({ ...direct, rate: 100, seconds: 2 });
  await settle(2_000);
  const rssWarm = rssOf(services);
  const background = await machineBackground(3);

  console.log(`${RATE} requests/s for ${SECONDS} s, mock-llm directly…`);
  const directBefore = machineCpu();
  const directResult = await openLoop({ ...direct, rate: RATE, seconds: SECONDS });
  const directMachine = machineStep(directBefore, machineCpu(), directResult.completed, background);
  await settle(1_000);

  console.log(`${RATE} requests/s for ${SECONDS} s through Conduit…`);
  const before = cpuOf(services);
  const infraBefore = infraCpu(database);
  const machineBefore = machineCpu();
  const result = await openLoop({ ...load, rate: RATE, seconds: SECONDS });
  await settle(2_000); // billing finishes the step's events (their CPU counts; the background's share of the wait is subtracted)
  const conduitMachine = machineStep(machineBefore, machineCpu(), result.completed, background);
  const n = Math.max(1, result.completed);
  const cpu = cpuPerJob(before, cpuOf(services), n);
  const infraAfter = infraCpu(database);
  const postgres = ((infraAfter.postgres - infraBefore.postgres) * 1000) / n;
  const redis = ((infraAfter.redis - infraBefore.redis) * 1000) / n;
  const pathTotal = Object.values(cpu).reduce((a, b) => a + b, postgres + redis);
  const rssAfter = rssOf(services);

  console.log(`\n${machine()}`);
  console.log(`${RATE}/s direct: achieved ${fmt(directResult.achieved, 0)}/s, p50 ${fmt(directResult.p50, 1)} ms, p99 ${fmt(directResult.p99, 1)} ms, errors ${directResult.errors}`);
  console.log(`${RATE}/s Conduit: achieved ${fmt(result.achieved, 0)}/s, p50 ${fmt(result.p50, 1)} ms, p99 ${fmt(result.p99, 1)} ms, errors ${result.errors}\n`);
  console.log('ms CPU per request on the path (each process\'s user + system time over the Conduit step):');
  console.log(table(['', ...services.map((s) => s.name), 'Postgres (bench db)', 'Redis', 'total'], [['', ...services.map((s) => fmt(cpu[s.name])), fmt(postgres), fmt(redis), fmt(pathTotal)]]));
  const over = conduitMachine.net - directMachine.net;
  console.log(`\nwhole machine (/proc/stat, all CPUs), ms CPU per request: direct ${fmt(directMachine.net)}, Conduit ${fmt(conduitMachine.net)}, Conduit over direct ${fmt(over)} (target ≤ 3.5)`);
  if (machineCaveat(background)) console.log(`  whole-machine figures ${machineCaveat(background)}; compare the per-process figures above`);
  console.log(`  raw (background not subtracted): direct ${fmt(directMachine.raw)}, Conduit ${fmt(conduitMachine.raw)}; background before the steps: ${fmt(background, 2)} busy cores`);
  const cores = os.cpus().length;
  console.log(
    `capacity (CPU-bound ceiling, ${cores} cores ÷ CPU per request): ≈ ${fmt((cores * 1000) / Math.max(0.01, pathTotal + directMachine.net), 0)} req/s from the path's processes plus the direct call's machine cost; ≈ ${fmt((cores * 1000) / Math.max(0.01, conduitMachine.net), 0)} req/s from the whole machine`,
  );
  console.log(`RSS (MB) after warm-up: ${rssLine(rssWarm)}`);
  console.log(`RSS (MB) after the step: ${rssLine(rssAfter)}`);
} finally {
  await Promise.all(services.map((s) => s.stop()));
}
