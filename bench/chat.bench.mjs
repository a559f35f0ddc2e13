#!/usr/bin/env node
// npm run bench:chat — added latency of the whole chat path (gateway with auth → orchestrator with
// persistence → mock upstream) against the same mock called directly, in one run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { benchEnv, cpuOf, cpuPerJob, fmt, machine, machineBackground, machineCaveat, machineCpu, machineStep, openLoop, root, rssLine, rssOf, startChatPath, summary, table } from './support.mjs';

const UPSTREAM_LATENCY_MS = Number(process.env.BENCH_UPSTREAM_MS ?? 20);
const SINGLE_N = Number(process.env.BENCH_SINGLE_N ?? 400);
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 8);
const RAMP_SECONDS = Number(process.env.BENCH_RAMP_SECONDS ?? 6);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const FIXED_RATES = [100, 200, 500, 1000];
const RAMP = [50, 100, 150, 200, 250, 300, 400, 500, 750, 1000, 1250, 1500, 1750, 2000, 2500, 3000];
const MODEL = 'gpt-4.1-mini';
const body = (stream = false) =>
  JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'Say something short about latency.' }], max_tokens: 32, stream });

const env = benchEnv();
console.log('bench:chat — preparing (build, migrate, seed)…');
const { key, mock, gateway, services } = await startChatPath(env, { upstreamMs: UPSTREAM_LATENCY_MS });

const targets = {
  direct: { url: `${mock.url}/v1/chat/completions`, headers: { authorization: 'Bearer mock', 'content-type': 'application/json' } },
  conduit: { url: `${gateway.url}/v1/chat/completions`, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } },
};

async function sequential(target, n, stream) {
  const url = new URL(target.url);
  const pool = new Pool(url.origin, { connections: 1 });
  const samples = [];
  for (let i = 0; i < n + 20; i += 1) {
    const started = performance.now();
    const response = await pool.request({ method: 'POST', path: url.pathname, headers: target.headers, body: body(stream) });
    if (response.statusCode !== 200) throw new Error(`${target.url} answered ${response.statusCode}: ${await response.body.text()}`);
    if (stream) {
      // time to first token: the first SSE event carrying content
      let buffered = '';
      let first;
      for await (const chunk of response.body) {
        buffered += chunk;
        if (first === undefined && /"content":"[^"]/.test(buffered)) first = performance.now() - started;
      }
      if (i >= 20) samples.push(first ?? NaN);
    } else {
      await response.body.text();
      if (i >= 20) samples.push(performance.now() - started);
    }
  }
  await pool.close();
  return summary(samples);
}

function atRate(target, rate, seconds = RATE_SECONDS) {
  return openLoop({ url: target.url, headers: target.headers, body: body(false), rate, seconds });
}

/** Running services are warm: V8 optimises hot code only after thousands of calls, so a few warm-up requests leave the Conduit path's JavaScript (three processes) cold. */
async function warmUp() {
  for (const target of Object.values(targets)) {
    await autocannon({ url: target.url, method: 'POST', headers: target.headers, body: body(false), connections: 8, duration: WARMUP_SECONDS });
    await autocannon({ url: target.url, method: 'POST', headers: target.headers, body: body(true), connections: 8, duration: Math.max(1, Math.round(WARMUP_SECONDS / 2)) });
  }
  // Let billing drain the warm-up's usage events before anything is measured.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
}

const report = { date: new Date().toISOString(), machine: machine(), upstream_latency_ms: UPSTREAM_LATENCY_MS, single: {}, stream: {}, rates: [], ramp: [] };
try {
  console.log(`warming up (${WARMUP_SECONDS} s per target)…`);
  await warmUp();
  console.log('single requests…');
  const directSingle = await sequential(targets.direct, SINGLE_N, false);
  const conduitSingle = await sequential(targets.conduit, SINGLE_N, false);
  report.single = { direct: directSingle, conduit: conduitSingle, added_p50: conduitSingle.p50 - directSingle.p50, added_p99: conduitSingle.p99 - directSingle.p99 };
  console.log('streaming time to first token…');
  const directStream = await sequential(targets.direct, Math.round(SINGLE_N / 2), true);
  const conduitStream = await sequential(targets.conduit, Math.round(SINGLE_N / 2), true);
  report.stream = { direct: directStream, conduit: conduitStream, added_p50: conduitStream.p50 - directStream.p50, added_p99: conduitStream.p99 - directStream.p99 };

  report.rss_warm_mb = rssOf(services);
  const background = await machineBackground(3);
  report.background_cores = background;
  for (const rate of FIXED_RATES) {
    console.log(`fixed rate ${rate}/s…`);
    const directBefore = machineCpu();
    const direct = await atRate(targets.direct, rate);
    const directMachine = machineStep(directBefore, machineCpu(), direct.completed, background);
    const before = cpuOf(services);
    const machineBefore = machineCpu();
    const conduit = await atRate(targets.conduit, rate);
    // Billing consumes the usage events right behind the requests; let it finish this step's.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const conduitMachine = machineStep(machineBefore, machineCpu(), conduit.completed, background);
    const cpu = cpuPerJob(before, cpuOf(services), Math.max(1, conduit.completed));
    report.rates.push({
      rate,
      direct,
      conduit,
      added_p50: conduit.p50 - direct.p50,
      added_p99: conduit.p99 - direct.p99,
      cpu_ms_per_request: cpu,
      machine_ms_per_request: { direct: directMachine.net, conduit: conduitMachine.net, over_direct: conduitMachine.net - directMachine.net },
    });
  }
  report.rss_after_rates_mb = rssOf(services);
  let held = 0;
  for (const rate of RAMP) {
    console.log(`ramp ${rate}/s…`);
    const direct = await atRate(targets.direct, rate, RAMP_SECONDS);
    const conduit = await atRate(targets.conduit, rate, RAMP_SECONDS);
    const step = { rate, direct, conduit, added_p99: conduit.p99 - direct.p99 };
    report.ramp.push(step);
    const ok = conduit.errors === 0 && step.added_p99 < 25 && conduit.achieved >= rate * 0.95;
    if (!ok) break;
    held = rate;
  }
  report.highest_rate_held = held;
} finally {
  await Promise.all(services.map((s) => s.stop()));
}

const ms = (v) => fmt(v, 2);
console.log(`\nConduit chat path benchmark — ${report.date}\nmachine: ${report.machine}\nupstream: mock-llm with ${UPSTREAM_LATENCY_MS} ms fixed latency; Conduit path = api-gateway (auth) → chat-orchestrator (routing, persistence, usage event) → mock-llm\n`);
console.log(
  table(
    ['measure', 'direct p50', 'direct p99', 'conduit p50', 'conduit p99', 'added p50', 'added p99', 'errors'],
    [
      ['single request (ms)', ms(report.single.direct.p50), ms(report.single.direct.p99), ms(report.single.conduit.p50), ms(report.single.conduit.p99), ms(report.single.added_p50), ms(report.single.added_p99), 0],
      ['stream TTFT (ms)', ms(report.stream.direct.p50), ms(report.stream.direct.p99), ms(report.stream.conduit.p50), ms(report.stream.conduit.p99), ms(report.stream.added_p50), ms(report.stream.added_p99), 0],
      ...report.rates.map((r) => [`${r.rate} req/s (ms)`, ms(r.direct.p50), ms(r.direct.p99), ms(r.conduit.p50), ms(r.conduit.p99), ms(r.added_p50), ms(r.added_p99), r.conduit.errors]),
    ],
  ),
);
console.log(
  `\nCPU per request on the Conduit path (ms, all services' user + system time over each fixed-rate step):\n${table(
    ['rate', ...services.map((s) => s.name), 'total'],
    report.rates.map((r) => [`${r.rate}/s`, ...services.map((s) => fmt(r.cpu_ms_per_request[s.name], 2)), fmt(Object.values(r.cpu_ms_per_request).reduce((a, b) => a + b, 0), 2)]),
  )}`,
);
console.log(
  `\nwhole-machine CPU per request (/proc/stat, all CPUs, background of ${fmt(report.background_cores, 2)} busy cores subtracted; target over direct ≤ 3.5 ms at 200/s):\n${table(
    ['rate', 'direct', 'Conduit', 'Conduit over direct'],
    report.rates.map((r) => [`${r.rate}/s`, fmt(r.machine_ms_per_request.direct, 2), fmt(r.machine_ms_per_request.conduit, 2), fmt(r.machine_ms_per_request.over_direct, 2)]),
  )}`,
);
if (machineCaveat(report.background_cores)) console.log(`whole-machine figures ${machineCaveat(report.background_cores)}; compare the per-process figures above`);
console.log(`RSS (MB) after warm-up: ${rssLine(report.rss_warm_mb)}; after the fixed-rate steps: ${rssLine(report.rss_after_rates_mb)}`);
console.log(`\nramp (${RAMP_SECONDS} s a step): ${report.ramp.map((s) => `${s.rate}/s → added p99 ${ms(s.added_p99)} ms, achieved ${Math.round(s.conduit.achieved)}/s, errors ${s.conduit.errors}`).join('; ')}`);
console.log(`highest rate held with p99 added < 25 ms and no errors: ${report.highest_rate_held} req/s`);
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', `chat-${report.date.replace(/[:.]/g, '-')}.json`), JSON.stringify(report, null, 2));
