#!/usr/bin/env node
// npm run bench:jobs — async jobs under load, against mock-llm, every job with a webhook to a local
// receiver. Phases:
//   1. submit: 10,000 chat.completion jobs at 500/s (open loop) while no worker runs — the
//      submit path alone (auth, validation, one INSERT, one enqueue): latency p50/p99;
//   2. drain: start the orchestrator and let it work through the backlog — end-to-end completion
//      throughput (and webhook deliveries of those jobs);
//   3. steady: everything running, jobs submitted at a rate the machine sustains — queue overhead
//      per job (submission → terminal status, minus the provider call) p50/p99, submit latency
//      under load, webhook lag;
//   4. burst: 5,000 webhook.deliver jobs enqueued at once, without stored deliveries (the worker
//      stores each at its first run) — webhook delivery throughput (billing delivers webhooks);
// then checks that nothing was lost or duplicated: one succeeded result, one usage event and one
// webhook delivery per job. CPU per job is read from /proc for each service, for this bench's
// Postgres backends and Redis, and for the whole machine (/proc/stat); RSS of each service.
import { createHmac, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Pool } from 'undici';
import { benchEnv, cpuOf, ioCounterEnv, ioCounts, ioPer, cpuPerJob, databaseOf, fmt, freePort, infraCpu, machine, machineBackground, machineCaveat, machineCpu, machineStep, root, rssLine, rssOf, run, startService, summary, table } from './support.mjs';

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const RATE = Number(process.env.BENCH_RATE ?? 500);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 300);
const STEADY_RATE = Number(process.env.BENCH_STEADY_RATE ?? 40);
const STEADY_SECONDS = Number(process.env.BENCH_STEADY_SECONDS ?? 30);
const UPSTREAM_LATENCY_MS = Number(process.env.BENCH_UPSTREAM_MS ?? 20);
const WEBHOOK_BURST = Number(process.env.BENCH_WEBHOOK_BURST ?? 5_000);
const CONCURRENCY = Number(process.env.BENCH_JOB_CONCURRENCY ?? 64);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 600_000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// NODE_ENV=test: the receiver is on 127.0.0.1, which only development/test configs may allow.
const io = ioCounterEnv();
const env = { ...benchEnv(), ...io, NODE_ENV: 'test', LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn', DATABASE_POOL_SIZE: '24', INTERNAL_TOKEN: randomUUID() };
const webhookEnv = { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32' };
console.log('bench:jobs — preparing (build, migrate, seed)…');
run('node', ['scripts/build.mjs']);
run('node', ['scripts/migrate.mjs', 'deploy'], env);
const key = JSON.parse(run('node', ['dist/apps/api-gateway/src/cli/admin.js', 'seed-dev'], { ...env, CONDUIT_DEV_API_KEY: 'cdt_bench_key_0123456789abcdef' })).api_key;
// The webhook secret (GET /v1/webhooks/secret) is for tenant admins: the integrity check verifies signatures with it.
run('node', ['dist/apps/api-gateway/src/cli/admin.js', 'set-role', '--tenant', 'dev', '--email', 'dev@conduit.local', '--role', 'tenant_admin'], env);

// ── the webhook receiver ─────────────────────────────────────────────────────────────────────
const received = new Map(); // webhook-id → { at, count, headers, body }
let receivedTotal = 0;
const receiver = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    receivedTotal += 1;
    const id = req.headers['webhook-id'];
    const seen = received.get(id);
    if (seen) seen.count += 1;
    else received.set(id, { at: Date.now(), count: 1, path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    res.writeHead(204).end();
  });
});
receiver.keepAliveTimeout = 30_000;
await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
const receiverUrl = `http://127.0.0.1:${receiver.address().port}`;

// ── services ─────────────────────────────────────────────────────────────────────────────────
const services = [];
/** Starts a service, stopping the ones already started (and the receiver) if it fails. */
async function start(name, serviceEnv) {
  try {
    const service = await startService(name, serviceEnv);
    services.push(service);
    return service;
  } catch (error) {
    await Promise.all(services.map((s) => s.stop()));
    receiver.close();
    throw error;
  }
}
const mock = await start('mock-llm', { ...env, MOCK_LLM_LATENCY_MS: String(UPSTREAM_LATENCY_MS), MOCK_LLM_REQUEST_LOG_CAPACITY: '0' });
// Billing delivers the webhooks (webhook.deliver) besides billing usage.
const billing = await start('billing', { ...env, ...webhookEnv, WEBHOOK_CONCURRENCY: String(CONCURRENCY) });
// Job admission prices each job with the orchestrator's quote (issue 13): the orchestrator keeps one
// port across its restart, the gateway caches the quote for the whole run, and rate limits are
// lifted (the bench submits far above them; budget reservations still run, as in production).
const orchestratorPort = String(await freePort());
const unlimited = { key_rpm: null, key_tpm: null, user_rpm: null, user_tpm: null };
const gateway = await start('api-gateway', {
  ...env,
  ...webhookEnv,
  CHAT_ORCHESTRATOR_URL: `http://127.0.0.1:${orchestratorPort}`,
  PRICE_QUOTE_TTL_MS: '3600000',
  TIER_POLICY: JSON.stringify({ free: unlimited, pro: unlimited, enterprise: unlimited }),
});
const startOrchestrator = () =>
  start('chat-orchestrator', {
    ...env,
    PORT: orchestratorPort,
    OPENAI_API_KEY: 'mock',
    OPENAI_BASE_URL: `${mock.url}/v1`,
    ANTHROPIC_API_KEY: 'mock',
    ANTHROPIC_BASE_URL: mock.url,
    JOBS_CONCURRENCY: String(CONCURRENCY),
  });


const db = new pg.Pool({ connectionString: env.DATABASE_URL, max: 4 });
const http = new Pool(gateway.url, { connections: 128, pipelining: 1 });
const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
const runTag = randomUUID().slice(0, 8);

async function submit(i, withWebhook = true) {
  const body = JSON.stringify({
    type: 'chat.completion',
    input: { model: 'default', messages: [{ role: 'user', content: `job ${i} of run ${runTag}: say something short` }], max_tokens: 16 },
    ...(withWebhook ? { webhook_url: `${receiverUrl}/hooks/${runTag}` } : {}),
    metadata: { run: runTag },
  });
  const started = performance.now();
  for (let attempt = 1; ; attempt += 1) {
    const response = await http.request({ method: 'POST', path: '/v1/jobs', headers, body });
    const text = await response.body.text();
    const ms = performance.now() - started;
    if (response.statusCode === 202) return { id: JSON.parse(text).id, ms };
    // A 503 ("retry shortly": e.g. Redis slow on a loaded machine) is retried as a client would, and counted.
    if (response.statusCode !== 503 || attempt >= 5) throw new Error(`submit answered ${response.statusCode}: ${text}`);
    submitRetries += 1;
    await sleep(100 * attempt);
  }
}
let submitRetries = 0;

/** Submits `n` jobs at `rate` per second (open loop: the schedule does not wait for answers). */
async function submitAtRate(n, rate, offset = 0) {
  const results = new Array(n);
  const inflight = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i += 1) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    inflight.push(submit(offset + i).then((r) => (results[i] = r)));
  }
  await Promise.all(inflight);
  return { results, seconds: (performance.now() - t0) / 1000 };
}

/** Postgres (this bench's backends) and Redis CPU ms per job between two `infraCpu` readings. */
const infraPer = (before, after, units) => ({ postgres: ((after.postgres - before.postgres) * 1000) / units, redis: ((after.redis - before.redis) * 1000) / units });

async function waitTerminal(ids) {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM jobs WHERE id = ANY($1::uuid[]) AND status IN ('succeeded','failed','cancelled','expired')`, [ids]);
    if (rows[0].n >= ids.length) return;
    if (Date.now() > deadline) throw new Error(`only ${rows[0].n}/${ids.length} jobs finished within ${TIMEOUT_MS} ms`);
    await sleep(250);
  }
}

async function waitFor(probe, what) {
  const deadline = Date.now() + TIMEOUT_MS;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** Independent Standard Webhooks check (HMAC-SHA256 over id.timestamp.body with the whsec_ key). */
function signatureValid(secret, hit) {
  const keyBytes = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', keyBytes).update(`${hit.headers['webhook-id']}.${hit.headers['webhook-timestamp']}.${hit.body}`).digest('base64');
  return String(hit.headers['webhook-signature']).split(' ').some((s) => s === `v1,${expected}`);
}

/** The receiver's record of a job's webhook (its delivery id is derived from the job id). */
const deliveryIdOf = new Map();
function hitOf(jobId) {
  return received.get(deliveryIdOf.get(jobId));
}
async function waitForWebhooks(jobIds) {
  await waitFor(async () => {
    const missing = jobIds.filter((id) => !deliveryIdOf.has(id));
    if (missing.length > 0) {
      const { rows } = await db.query(`SELECT id, job_id FROM webhook_deliveries WHERE job_id = ANY($1::uuid[])`, [missing]);
      for (const row of rows) deliveryIdOf.set(row.job_id, row.id);
    }
    return jobIds.every((id) => deliveryIdOf.has(id) && hitOf(id));
  }, 'webhook deliveries');
}

async function jobRows(ids) {
  const { rows } = await db.query(
    `SELECT id, status, attempts, upstream_ms, created_at, finished_at, result->'conduit'->>'message_id' AS message_id
       FROM jobs WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  return rows;
}

const report = {
  date: new Date().toISOString(),
  machine: machine(),
  jobs: JOBS,
  rate: RATE,
  steady_rate: STEADY_RATE,
  upstream_latency_ms: UPSTREAM_LATENCY_MS,
  job_concurrency: CONCURRENCY,
};
const allIds = [];
try {
  // One job with the orchestrator up caches the model's price quote in the gateway; then phase 1
  // runs with no worker, as before admission existed.
  console.log('priming the price quote…');
  const primer = await startOrchestrator();
  await submit(-1, false);
  await primer.stop();
  services.splice(services.indexOf(primer), 1);
  console.log(`warm-up (${WARMUP} submissions)…`);
  const warm = await submitAtRate(WARMUP, Math.min(RATE, 200), 1_000_000);

  console.log(`1. submit: ${JOBS} jobs at ${RATE}/s, no worker running…`);
  const cpuSubmit0 = cpuOf([gateway]);
  const submitted = await submitAtRate(JOBS, RATE);
  const ids = submitted.results.map((r) => r.id);
  allIds.push(...ids);
  report.submit = { ...summary(submitted.results.map((r) => r.ms)), achieved_rate: JOBS / submitted.seconds, cpu_ms_per_job: cpuPerJob(cpuSubmit0, cpuOf([gateway]), JOBS) };

  console.log('2. drain: starting the orchestrator…');
  const orchestrator = await startOrchestrator();
  report.background_cores = await machineBackground(3);
  const drainStart = Date.now();
  const cpuDrain0 = cpuOf(services);
  const infraDrain0 = infraCpu(databaseOf(env.DATABASE_URL));
  const machineDrain0 = machineCpu();
  const ioDrain0 = await ioCounts(services, io.BENCH_IO_COUNTS_DIR);
  await waitTerminal([...warm.results.map((r) => r.id), ...ids]);
  const drained = await jobRows(ids);
  const drainEnd = Math.max(...drained.map((r) => r.finished_at.getTime()));
  report.drain = {
    jobs: JOBS + WARMUP,
    seconds: (drainEnd - drainStart) / 1000,
    throughput_per_s: (JOBS + WARMUP) / ((drainEnd - drainStart) / 1000),
    upstream: summary(drained.map((r) => r.upstream_ms ?? 0)),
  };
  await waitForWebhooks(ids);
  report.drain.webhooks_per_s = ids.length / ((Math.max(...ids.map((id) => hitOf(id).at)) - drainStart) / 1000);
  // Billing works through the drained jobs' usage events after the jobs finished: let it, so the
  // steady phase measures a steady state rather than the tail of the backlog.
  const drainedMessages = drained.map((r) => r.message_id);
  await waitFor(async () => (await db.query(`SELECT count(*)::int AS n FROM usage_events WHERE id = ANY($1)`, [drainedMessages])).rows[0].n >= drainedMessages.length, 'usage events of the drain');
  // Whole machine and infrastructure over the drain, its webhooks and its billing: everything a completed job costs.
  report.drain.machine_ms_per_job = machineStep(machineDrain0, machineCpu(), JOBS + WARMUP, report.background_cores);
  report.drain.infra_ms_per_job = infraPer(infraDrain0, infraCpu(databaseOf(env.DATABASE_URL)), JOBS + WARMUP);
  report.drain.cpu_ms_per_job = cpuPerJob(cpuDrain0, cpuOf(services), JOBS + WARMUP);
  report.rss_after_drain_mb = rssOf(services);
  report.drain.io_per_job = ioPer(ioDrain0, await ioCounts(services, io.BENCH_IO_COUNTS_DIR), JOBS + WARMUP);
  await sleep(2_000);

  console.log(`3. steady: ${STEADY_RATE}/s for ${STEADY_SECONDS} s with every service running…`);
  const cpuSteady0 = cpuOf(services);
  const infraSteady0 = infraCpu(databaseOf(env.DATABASE_URL));
  const machineSteady0 = machineCpu();
  const steady = await submitAtRate(STEADY_RATE * STEADY_SECONDS, STEADY_RATE, 2_000_000);
  const steadyIds = steady.results.map((r) => r.id);
  allIds.push(...steadyIds);
  await waitTerminal(steadyIds);
  await waitForWebhooks(steadyIds);
  const steadyRows = (await jobRows(steadyIds)).filter((r) => r.status === 'succeeded');
  const finishedById = new Map(steadyRows.map((r) => [r.id, r.finished_at.getTime()]));
  report.steady = {
    jobs: steadyIds.length,
    submit: summary(steady.results.map((r) => r.ms)),
    queue_overhead: summary(steadyRows.map((r) => r.finished_at.getTime() - r.created_at.getTime() - (r.upstream_ms ?? 0))),
    end_to_end: summary(steadyRows.map((r) => r.finished_at.getTime() - r.created_at.getTime())),
    upstream: summary(steadyRows.map((r) => r.upstream_ms ?? 0)),
    webhook_lag: summary(steadyIds.map((id) => hitOf(id).at - finishedById.get(id))),
    cpu_ms_per_job: cpuPerJob(cpuSteady0, cpuOf(services), steadyIds.length),
    machine_ms_per_job: machineStep(machineSteady0, machineCpu(), steadyIds.length, report.background_cores),
    infra_ms_per_job: infraPer(infraSteady0, infraCpu(databaseOf(env.DATABASE_URL)), steadyIds.length),
  };
  void orchestrator;

  console.log('checking integrity…');
  const rows = await jobRows(allIds);
  const succeeded = rows.filter((r) => r.status === 'succeeded');
  const messageIds = succeeded.map((r) => r.message_id);
  await waitFor(async () => (await db.query(`SELECT count(*)::int AS n FROM usage_events WHERE id = ANY($1)`, [messageIds])).rows[0].n >= messageIds.length, 'usage events');
  await sleep(2_000); // anything duplicated would have arrived by now
  const usageCount = (await db.query(`SELECT count(*)::int AS n FROM usage_events WHERE id = ANY($1)`, [messageIds])).rows[0].n;
  const deliveryRows = (await db.query(`SELECT id, job_id FROM webhook_deliveries WHERE job_id = ANY($1::uuid[])`, [allIds])).rows;
  const hits = deliveryRows.map((d) => received.get(d.id)).filter(Boolean);
  const secretRes = await http.request({ method: 'GET', path: '/v1/webhooks/secret', headers: { authorization: `Bearer ${key}` } });
  const { secret } = await secretRes.body.json();
  const sample = hits.filter((_, i) => i % 97 === 0);
  report.integrity = {
    submitted: allIds.length,
    job_rows: rows.length,
    distinct_ids: new Set(allIds).size,
    succeeded: succeeded.length,
    not_succeeded: rows.length - succeeded.length,
    lost: allIds.length - rows.length,
    re_executed: rows.filter((r) => r.attempts !== 1).length,
    usage_events: usageCount,
    deliveries: deliveryRows.length,
    webhooks_received: hits.reduce((n, h) => n + h.count, 0),
    webhooks_duplicated: hits.filter((h) => h.count > 1).length,
    signatures_checked: sample.length,
    signatures_valid: sample.filter((h) => signatureValid(secret, h)).length,
  };

  console.log(`4. burst: ${WEBHOOK_BURST} webhook.deliver jobs enqueued at once…`);
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('webhooks', { connection: redis, prefix: env.QUEUE_PREFIX });
  const tenantId = (await db.query(`SELECT id FROM tenants WHERE slug = 'dev'`)).rows[0].id;
  const burstIds = Array.from({ length: WEBHOOK_BURST }, () => randomUUID());
  const burstStart = Date.now();
  for (let i = 0; i < burstIds.length; i += 500) {
    await queue.addBulk(
      burstIds.slice(i, i + 500).map((id) => ({
        name: 'webhook.deliver',
        data: { delivery_id: id, tenant_id: tenantId, url: `${receiverUrl}/burst/${runTag}`, event_type: 'bench.ping', data: { n: i }, occurred_at: new Date().toISOString(), job_id: null, series: 0 },
        opts: { jobId: `webhook-${id}`, removeOnComplete: true },
      })),
    );
  }
  await waitFor(async () => burstIds.every((id) => received.has(id)), 'burst deliveries');
  const burstLast = Math.max(...burstIds.map((id) => received.get(id).at));
  report.webhook_burst = {
    deliveries: WEBHOOK_BURST,
    seconds: (burstLast - burstStart) / 1000,
    throughput_per_s: WEBHOOK_BURST / ((burstLast - burstStart) / 1000),
    duplicated: burstIds.filter((id) => received.get(id).count > 1).length,
  };
  await queue.close();
  redis.disconnect();
  report.rss_end_mb = rssOf(services);
  report.submit_retries = submitRetries;
} finally {
  await http.close();
  await db.end();
  await Promise.all(services.map((s) => s.stop()));
  receiver.close();
}

const ms = (v) => fmt(v, 1);
const drainPathMs = Object.values(report.drain.cpu_ms_per_job).reduce((a, b) => a + b, report.drain.infra_ms_per_job.postgres + report.drain.infra_ms_per_job.redis);
const cpu = (perJob) => Object.entries(perJob).map(([name, v]) => `${name} ${fmt(v, 2)}`).join(', ');
console.log(`\nConduit async jobs benchmark — ${report.date}\nmachine: ${report.machine}`);
console.log(`chat.completion jobs with a webhook each; mock-llm ${UPSTREAM_LATENCY_MS} ms; JOBS_CONCURRENCY=${CONCURRENCY}; gateway, orchestrator, billing, mock, Postgres, Redis and this client on one machine\n`);
console.log(
  table(
    ['measure', 'p50', 'p99', 'mean', 'target'],
    [
      [`1. submit latency, ${JOBS} at ${RATE}/s (ms)`, ms(report.submit.p50), ms(report.submit.p99), ms(report.submit.mean), 'p99 ≤ 10'],
      [`3. submit latency under load, ${STEADY_RATE}/s (ms)`, ms(report.steady.submit.p50), ms(report.steady.submit.p99), ms(report.steady.submit.mean), 'p99 ≤ 10'],
      [`3. queue overhead per job, ${STEADY_RATE}/s (ms)`, ms(report.steady.queue_overhead.p50), ms(report.steady.queue_overhead.p99), ms(report.steady.queue_overhead.mean), 'p99 ≤ 50'],
      ['3. submit → succeeded (ms)', ms(report.steady.end_to_end.p50), ms(report.steady.end_to_end.p99), ms(report.steady.end_to_end.mean), ''],
      ['3. provider call (ms)', ms(report.steady.upstream.p50), ms(report.steady.upstream.p99), ms(report.steady.upstream.mean), ''],
      ['3. webhook received after completion (ms)', ms(report.steady.webhook_lag.p50), ms(report.steady.webhook_lag.p99), ms(report.steady.webhook_lag.mean), ''],
    ],
  ),
);
console.log(`\n1. submit: achieved ${fmt(report.submit.achieved_rate, 0)}/s; gateway CPU per submission: ${cpu(report.submit.cpu_ms_per_job)} ms`);
console.log(`2. drain: ${report.drain.jobs} jobs in ${fmt(report.drain.seconds, 1)} s = ${fmt(report.drain.throughput_per_s, 0)} jobs/s completed; their webhooks ${fmt(report.drain.webhooks_per_s, 0)}/s; CPU per job (ms, until their webhooks are received and their usage billed; submit not included): ${cpu(report.drain.cpu_ms_per_job)}`);
console.log(`   Postgres (bench db) ${fmt(report.drain.infra_ms_per_job.postgres, 2)}, Redis ${fmt(report.drain.infra_ms_per_job.redis, 2)}; whole machine (/proc/stat) ${fmt(report.drain.machine_ms_per_job.net, 2)} ms per completed job (raw ${fmt(report.drain.machine_ms_per_job.raw, 2)}, background ${fmt(report.background_cores, 2)} busy cores subtracted)`);
console.log(`3. steady: CPU per job (ms): ${cpu(report.steady.cpu_ms_per_job)}, Postgres (bench db) ${fmt(report.steady.infra_ms_per_job.postgres, 2)}, Redis ${fmt(report.steady.infra_ms_per_job.redis, 2)}; whole machine ${fmt(report.steady.machine_ms_per_job.net, 2)} ms per job, submit to webhook (target ≤ 6; raw ${fmt(report.steady.machine_ms_per_job.raw, 2)})`);
if (machineCaveat(report.background_cores)) console.log(`   whole-machine figures ${machineCaveat(report.background_cores)}; compare the per-process figures`);
const ioLine = (perJob, key) => Object.entries(perJob).map(([name, c]) => `${name} ${fmt(c[key], 2)}`).join(', ');
console.log(`   per completed job while draining: Postgres statements ${ioLine(report.drain.io_per_job, 'pg_statements')}; Redis round trips ${ioLine(report.drain.io_per_job, 'redis_round_trips')}; Redis commands ${ioLine(report.drain.io_per_job, 'redis_commands')}`);
console.log(`capacity: drain ${fmt(report.drain.throughput_per_s, 0)} completed jobs/s (target ≥ 250); CPU-bound ceiling (${os.cpus().length} cores ÷ CPU per job) ≈ ${fmt((os.cpus().length * 1000) / Math.max(0.01, drainPathMs), 0)} jobs/s from the path's processes (${fmt(drainPathMs, 2)} ms a job), ≈ ${fmt((os.cpus().length * 1000) / Math.max(0.01, report.drain.machine_ms_per_job.net), 0)} jobs/s from the whole machine`);
console.log(`RSS (MB) after the drain: ${rssLine(report.rss_after_drain_mb)}; at the end: ${rssLine(report.rss_end_mb)}`);
console.log(`4. webhook burst: ${report.webhook_burst.deliveries} deliveries in ${fmt(report.webhook_burst.seconds, 2)} s = ${fmt(report.webhook_burst.throughput_per_s, 0)}/s`);
console.log(`integrity: ${JSON.stringify(report.integrity)}; submissions retried after a 503: ${submitRetries}`);
const ok =
  report.integrity.lost === 0 &&
  report.integrity.not_succeeded === 0 &&
  report.integrity.distinct_ids === report.integrity.submitted &&
  report.integrity.usage_events === report.integrity.submitted &&
  report.integrity.deliveries === report.integrity.submitted &&
  report.integrity.webhooks_duplicated === 0 &&
  report.webhook_burst.duplicated === 0 &&
  report.integrity.signatures_valid === report.integrity.signatures_checked;
console.log(ok ? 'zero lost or duplicated jobs, usage events or webhooks' : 'INTEGRITY CHECK FAILED');
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', `jobs-${report.date.replace(/[:.]/g, '-')}.json`), JSON.stringify(report, null, 2));
process.exitCode = ok ? 0 : 1;
