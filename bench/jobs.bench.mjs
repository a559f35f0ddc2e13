#!/usr/bin/env node
// npm run bench:jobs — async jobs under load: submit 10,000 small chat.completion jobs at a fixed
// rate against mock-llm, each with a webhook to a local receiver, and measure submit latency,
// completion throughput, queue overhead per job (time from submission to the terminal status,
// minus the time spent in the provider call) and webhook delivery throughput; then check that no
// job was lost or duplicated (one result, one usage event, one delivery per job).
import { createHmac, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Pool } from 'undici';
import { benchEnv, fmt, machine, root, run, startService, summary, table } from './support.mjs';

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const RATE = Number(process.env.BENCH_RATE ?? 500);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 300);
const UPSTREAM_LATENCY_MS = Number(process.env.BENCH_UPSTREAM_MS ?? 20);
const WEBHOOK_BURST = Number(process.env.BENCH_WEBHOOK_BURST ?? 5_000);
const CONCURRENCY = Number(process.env.BENCH_JOB_CONCURRENCY ?? 64);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 300_000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// NODE_ENV=test: the receiver is on 127.0.0.1, which only development/test configs may allow.
const env = { ...benchEnv(), NODE_ENV: 'test', LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn', DATABASE_POOL_SIZE: '24' };
const webhookEnv = { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32' };
console.log('bench:jobs — preparing (build, migrate, seed)…');
run('node', ['scripts/build.mjs']);
run('node', ['scripts/migrate.mjs', 'deploy'], env);
const key = JSON.parse(run('node', ['dist/apps/api-gateway/src/cli/admin.js', 'seed-dev'], { ...env, CONDUIT_DEV_API_KEY: 'cdt_bench_key_0123456789abcdef' })).api_key;

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
const mock = await startService('mock-llm', { ...env, MOCK_LLM_LATENCY_MS: String(UPSTREAM_LATENCY_MS), MOCK_LLM_REQUEST_LOG_CAPACITY: '0' });
const orchestrator = await startService('chat-orchestrator', {
  ...env,
  ...webhookEnv,
  OPENAI_API_KEY: 'mock',
  OPENAI_BASE_URL: `${mock.url}/v1`,
  ANTHROPIC_API_KEY: 'mock',
  ANTHROPIC_BASE_URL: mock.url,
  JOBS_CONCURRENCY: String(CONCURRENCY),
  WEBHOOK_CONCURRENCY: String(CONCURRENCY),
});
const billing = await startService('billing', env);
const gateway = await startService('api-gateway', { ...env, ...webhookEnv, CHAT_ORCHESTRATOR_URL: orchestrator.url });
const services = [gateway, billing, orchestrator, mock];

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
  const response = await http.request({ method: 'POST', path: '/v1/jobs', headers, body });
  const text = await response.body.text();
  const ms = performance.now() - started;
  if (response.statusCode !== 202) throw new Error(`submit answered ${response.statusCode}: ${text}`);
  return { id: JSON.parse(text).id, ms };
}

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

const report = { date: new Date().toISOString(), machine: machine(), jobs: JOBS, rate: RATE, upstream_latency_ms: UPSTREAM_LATENCY_MS, job_concurrency: CONCURRENCY };
try {
  console.log(`warm-up (${WARMUP} jobs)…`);
  const warm = await submitAtRate(WARMUP, Math.min(RATE, 200), 1_000_000);
  await waitTerminal(warm.results.map((r) => r.id));

  console.log(`submitting ${JOBS} jobs at ${RATE}/s…`);
  const { results, seconds: submitSeconds } = await submitAtRate(JOBS, RATE);
  const ids = results.map((r) => r.id);
  await waitTerminal(ids);
  const { rows } = await db.query(
    `SELECT id, status, attempts, upstream_ms, created_at, finished_at, result->'conduit'->>'message_id' AS message_id
       FROM jobs WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  const createdMin = Math.min(...rows.map((r) => r.created_at.getTime()));
  const finishedMax = Math.max(...rows.map((r) => r.finished_at.getTime()));
  const succeeded = rows.filter((r) => r.status === 'succeeded');
  const overhead = succeeded.map((r) => r.finished_at.getTime() - r.created_at.getTime() - (r.upstream_ms ?? 0));
  const endToEnd = succeeded.map((r) => r.finished_at.getTime() - r.created_at.getTime());
  const upstream = succeeded.map((r) => r.upstream_ms ?? 0);
  report.submit = { ...summary(results.map((r) => r.ms)), achieved_rate: JOBS / submitSeconds };
  report.completion = { throughput_per_s: JOBS / ((finishedMax - createdMin) / 1000), end_to_end: summary(endToEnd), upstream: summary(upstream) };
  report.queue_overhead = summary(overhead);

  console.log('waiting for webhooks and usage events…');
  const mine = (id) => received.get(id)?.path === `/hooks/${runTag}`;
  const { rows: deliveryRows } = await db.query(`SELECT id, job_id FROM webhook_deliveries WHERE job_id = ANY($1::uuid[])`, [ids]);
  await waitFor(async () => deliveryRows.filter((d) => mine(d.id)).length >= deliveryRows.length && deliveryRows.length >= ids.length, 'webhook deliveries');
  const messageIds = succeeded.map((r) => r.message_id);
  await waitFor(async () => (await db.query(`SELECT count(*)::int AS n FROM usage_events WHERE id = ANY($1)`, [messageIds])).rows[0].n >= messageIds.length, 'usage events');
  await sleep(2_000); // anything duplicated would arrive by now
  const usageCount = (await db.query(`SELECT count(*)::int AS n FROM usage_events WHERE id = ANY($1)`, [messageIds])).rows[0].n;
  const hits = deliveryRows.map((d) => received.get(d.id));
  const finishedById = new Map(rows.map((r) => [r.id, r.finished_at.getTime()]));
  const lag = deliveryRows.map((d) => received.get(d.id).at - finishedById.get(d.job_id));
  const secretRes = await http.request({ method: 'GET', path: '/v1/webhooks/secret', headers: { authorization: `Bearer ${key}` } });
  const { secret } = await secretRes.body.json();
  const sample = hits.filter((_, i) => i % 97 === 0);
  report.integrity = {
    submitted: JOBS,
    job_rows: rows.length,
    succeeded: succeeded.length,
    not_succeeded: rows.length - succeeded.length,
    lost: JOBS - rows.length,
    distinct_ids: new Set(ids).size,
    retried_attempts: rows.filter((r) => r.attempts !== 1).length,
    usage_events: usageCount,
    deliveries: deliveryRows.length,
    webhooks_received: hits.reduce((n, h) => n + h.count, 0),
    webhooks_duplicated: hits.filter((h) => h.count > 1).length,
    signatures_checked: sample.length,
    signatures_valid: sample.filter((h) => signatureValid(secret, h)).length,
  };
  report.webhook_lag = summary(lag);

  console.log(`webhook burst (${WEBHOOK_BURST} webhook.deliver jobs enqueued at once)…`);
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
  report.webhook_burst = { deliveries: WEBHOOK_BURST, seconds: (burstLast - burstStart) / 1000, throughput_per_s: WEBHOOK_BURST / ((burstLast - burstStart) / 1000), duplicated: burstIds.filter((id) => received.get(id).count > 1).length };
  await queue.close();
  redis.disconnect();
} finally {
  await http.close();
  await db.end();
  await Promise.all(services.map((s) => s.stop()));
  receiver.close();
}

const ms = (v) => fmt(v, 1);
console.log(`\nConduit async jobs benchmark — ${report.date}\nmachine: ${report.machine}`);
console.log(`${JOBS} chat.completion jobs at ${RATE}/s (achieved ${fmt(report.submit.achieved_rate, 0)}/s), each with a webhook; mock-llm ${UPSTREAM_LATENCY_MS} ms; JOBS_CONCURRENCY=${CONCURRENCY}; gateway, orchestrator, billing, mock, Postgres, Redis and this client on one machine\n`);
console.log(
  table(
    ['measure', 'p50', 'p99', 'mean', 'target'],
    [
      ['submit latency (ms)', ms(report.submit.p50), ms(report.submit.p99), ms(report.submit.mean), 'p99 ≤ 10'],
      ['queue overhead per job (ms)', ms(report.queue_overhead.p50), ms(report.queue_overhead.p99), ms(report.queue_overhead.mean), 'p99 ≤ 50'],
      ['end to end, submit → succeeded (ms)', ms(report.completion.end_to_end.p50), ms(report.completion.end_to_end.p99), ms(report.completion.end_to_end.mean), ''],
      ['upstream call (ms)', ms(report.completion.upstream.p50), ms(report.completion.upstream.p99), ms(report.completion.upstream.mean), ''],
      ['webhook lag after completion (ms)', ms(report.webhook_lag.p50), ms(report.webhook_lag.p99), ms(report.webhook_lag.mean), ''],
    ],
  ),
);
console.log(`\ncompletion throughput: ${fmt(report.completion.throughput_per_s, 0)} jobs/s; webhook burst: ${report.webhook_burst.deliveries} deliveries in ${fmt(report.webhook_burst.seconds, 2)} s = ${fmt(report.webhook_burst.throughput_per_s, 0)}/s`);
console.log(`integrity: ${JSON.stringify(report.integrity)}`);
const ok =
  report.integrity.lost === 0 &&
  report.integrity.not_succeeded === 0 &&
  report.integrity.usage_events === JOBS &&
  report.integrity.deliveries === JOBS &&
  report.integrity.webhooks_duplicated === 0 &&
  report.integrity.signatures_valid === report.integrity.signatures_checked;
console.log(ok ? 'zero lost or duplicated jobs, usage events or webhooks' : 'INTEGRITY CHECK FAILED');
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', `jobs-${report.date.replace(/[:.]/g, '-')}.json`), JSON.stringify(report, null, 2));
process.exitCode = ok ? 0 : 1;
