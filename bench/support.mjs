// Shared pieces of the benchmarks: a migrated bench database, services started as processes
// from dist/, percentiles, and tables. Loopback only; every run is bounded in time.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import os, { tmpdir } from 'node:os';
import { Pool } from 'undici';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const children = new Set();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

export function benchEnv() {
  const base = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/conduit_bench';
  return {
    DATABASE_URL: base,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0',
    QUEUE_PREFIX: `bench-${process.pid}`,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    // Production refuses to start without the webhook-secret keyring: a fresh one per run.
    SECRETS_KEK: `bench:${randomBytes(32).toString('base64')}`,
  };
}

export function run(command, args, env = {}) {
  const result = spawnSync(command, args, { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr || result.stdout}`);
  return result.stdout;
}

export function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/** Starts `dist/apps/<name>/src/main.js` and waits for /health/ready. */
export async function startService(name, env) {
  // A fixed PORT lets a service be restarted where its callers expect it.
  const port = env.PORT ? Number(env.PORT) : await freePort();
  // BENCH_CPU_PROF=<dir>: every service writes a V8 CPU profile there when it stops.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${resolve(process.env.BENCH_CPU_PROF)}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`] : [];
  const child = spawn(process.execPath, [...profile, join(root, 'dist', 'apps', name, 'src', 'main.js')], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), OTEL_SERVICE_NAME: name },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited: ${stderr}`);
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return { name, url, child, stop: () => stop(child) };
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not become ready: ${stderr}`);
}

function stop(child) {
  return new Promise((done) => {
    if (child.exitCode !== null) return done();
    child.once('exit', done);
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export function summary(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean: sorted.reduce((s, v) => s + v, 0) / (sorted.length || 1) };
}

export const fmt = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '—');

export function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  return [line(headers), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

export function machine() {
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

/** CPU seconds (user + system) a process has used so far (Linux /proc; clock ticks of 10 ms). */
export function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Busy CPU seconds of the whole machine so far, all CPUs (Linux /proc/stat: everything but idle
 * and iowait; clock ticks of 10 ms), and when it was read. Everything the machine did counts:
 * every service, Postgres, Redis, the load generator — and anything else running on it.
 */
export function machineCpu() {
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = ticks;
  return { busy: (user + nice + system + irq + softirq + steal) / 100, idle: (idle + iowait) / 100, at: performance.now() };
}

/** Whole-machine CPU milliseconds per unit of work between two {@link machineCpu} readings. */
export const machineMsPer = (before, after, units) => ((after.busy - before.busy) * 1000) / Math.max(1, units);

/**
 * Busy cores of the machine with no bench traffic, over `seconds` (the platform idling plus
 * whatever else runs on the machine): subtract it from a step to see the step's own cost.
 */
export async function machineBackground(seconds = 3) {
  const before = machineCpu();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const after = machineCpu();
  return (after.busy - before.busy) / ((after.at - before.at) / 1000);
}

/**
 * What to say of whole-machine figures measured over a `backgroundCores` background: with more
 * than a third of the machine busy without bench traffic (other work sharing it), the subtraction
 * is dominated by the background's own swings, and a saturated machine cannot show more load at
 * all. Empty when the figures stand.
 */
export function machineCaveat(backgroundCores) {
  const cores = os.cpus().length;
  if (backgroundCores >= cores * 0.9) return `NOT MEASURABLE: the machine was saturated (${fmt(backgroundCores, 2)} of ${cores} cores busy) before the bench's traffic`;
  if (backgroundCores > cores / 3) return `unreliable: ${fmt(backgroundCores, 2)} of ${cores} cores were busy without bench traffic (the machine is shared)`;
  return '';
}

/** A step's whole-machine CPU per unit, raw and minus the background's share of the step's time. */
export function machineStep(before, after, units, backgroundCores) {
  const seconds = (after.at - before.at) / 1000;
  const raw = machineMsPer(before, after, units);
  return { raw, net: raw - (backgroundCores * seconds * 1000) / Math.max(1, units), seconds };
}

/** Resident set size of a process in MB (Linux /proc/<pid>/status). */
export function rssMb(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return line ? Number(line.split(/\s+/)[1]) / 1024 : NaN;
}

/** RSS in MB of each started service, by name. */
export const rssOf = (services) => Object.fromEntries(services.map((s) => [s.name, rssMb(s.child.pid)]));

/** `name 123` pairs of an RSS reading, and their sum. */
export const rssLine = (rss) => `${Object.entries(rss).map(([name, mb]) => `${name} ${fmt(mb, 0)}`).join(', ')} (total ${fmt(Object.values(rss).reduce((a, b) => a + b, 0), 0)} MB)`;

/**
 * CPU seconds so far of this bench's Postgres backends (those connected to `database`) and of
 * Redis (shared with anything else using it). Processes come and go; an exited one is skipped.
 */
export function infraCpu(database) {
  const pids = (pattern) => spawnSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).map(Number);
  const sum = (list) =>
    list.reduce((total, pid) => {
      try {
        return total + cpuSeconds(pid);
      } catch {
        return total; // exited meanwhile
      }
    }, 0);
  return { postgres: sum(pids(`postgres: .* ${database} `)), redis: sum(pids('redis-server')) };
}

/** The database name of a connection URL. */
export const databaseOf = (url) => new URL(url).pathname.slice(1);

/**
 * Environment that preloads `bench/io-counter.cjs` into services: they count their Postgres
 * statements and Redis commands and round trips, read with {@link ioCounts}.
 */
export function ioCounterEnv() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-io-'));
  return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${join(root, 'bench', 'io-counter.cjs')}`.trim(), BENCH_IO_COUNTS_DIR: dir };
}

/** The I/O counts so far of each service started with {@link ioCounterEnv} (null when one does not answer). */
export async function ioCounts(services, dir) {
  const file = (s) => join(dir, `${s.child.pid}.json`);
  for (const s of services) {
    rmSync(file(s), { force: true });
    s.child.kill('SIGUSR2');
  }
  const read = (s) => {
    try {
      return JSON.parse(readFileSync(file(s), 'utf8'));
    } catch {
      return null;
    }
  };
  const deadline = Date.now() + 5_000;
  while (services.some((s) => read(s) === null) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return Object.fromEntries(services.map((s) => [s.name, read(s)]));
}

/** Per unit of work, between two {@link ioCounts} readings: `{ service: { pg_statements, … } }`. */
export function ioPer(before, after, units) {
  const out = {};
  for (const [name, counts] of Object.entries(after)) {
    if (!counts || !before[name]) continue;
    out[name] = Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, (v - before[name][k]) / units]));
  }
  return out;
}

/** CPU seconds so far of each started service, by name. */
export const cpuOf = (services) => Object.fromEntries(services.map((s) => [s.name, cpuSeconds(s.child.pid)]));

/** CPU milliseconds per unit of work of each service between two {@link cpuOf} readings. */
export const cpuPerJob = (before, after, units) =>
  Object.fromEntries(Object.keys(after).map((name) => [name, ((after[name] - (before[name] ?? 0)) * 1000) / units]));

/**
 * Sends POSTs at a fixed rate for `seconds` (open loop: the schedule never waits for answers) and
 * measures each request from the moment it was *scheduled* to the end of its response, so time
 * spent queued behind a saturated server counts (no coordinated omission). Used instead of
 * autocannon's `overallRate`, whose latencies came out below the upstream's fixed delay.
 */
export async function openLoop({ url, headers, body, rate, seconds, connections = 512, timeoutMs = 30_000 }) {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const total = Math.max(1, Math.round(rate * seconds));
  const samples = [];
  let errors = 0;
  let finished = 0;
  const started = performance.now();
  await new Promise((resolve) => {
    let sent = 0;
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
      for (; sent < due; sent += 1) {
        const scheduled = started + (sent * 1000) / rate;
        pool
          .request({ method: 'POST', path: target.pathname, headers, body })
          .then(async (response) => {
            await response.body.text();
            if (response.statusCode === 200) samples.push(performance.now() - scheduled);
            else errors += 1;
          })
          .catch(() => {
            errors += 1;
          })
          .finally(() => {
            finished += 1;
            if (finished === total) resolve();
          });
      }
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  return { ...summary(samples), achieved: samples.length / elapsed, completed: samples.length, errors };
}

/**
 * Builds, migrates, seeds a dev key and starts the chat path as processes: mock-llm (fixed
 * `upstreamMs`), chat-orchestrator, billing and api-gateway. Tier rate limits are lifted (the
 * benches run far above them); budget reservations still run, as in production.
 */
export async function startChatPath(benchEnvironment, { upstreamMs = 20 } = {}) {
  // The internal hop (gateway → orchestrator) is authenticated: one token per run.
  const env = { INTERNAL_TOKEN: randomBytes(24).toString('hex'), ...benchEnvironment };
  run('node', ['scripts/build.mjs']);
  run('node', ['scripts/migrate.mjs', 'deploy'], env);
  const key = JSON.parse(run('node', ['dist/apps/api-gateway/src/cli/admin.js', 'seed-dev'], { ...env, CONDUIT_DEV_API_KEY: 'cdt_bench_key_0123456789abcdef' })).api_key;
  const mock = await startService('mock-llm', { ...env, MOCK_LLM_LATENCY_MS: String(upstreamMs), MOCK_LLM_TTFT_MS: String(upstreamMs), LOG_LEVEL: 'warn' });
  const orchestrator = await startService('chat-orchestrator', { ...env, OPENAI_API_KEY: 'mock', OPENAI_BASE_URL: `${mock.url}/v1`, ANTHROPIC_API_KEY: 'mock', ANTHROPIC_BASE_URL: mock.url });
  const billing = await startService('billing', env);
  const unlimited = { key_rpm: null, key_tpm: null, user_rpm: null, user_tpm: null };
  const gateway = await startService('api-gateway', { ...env, CHAT_ORCHESTRATOR_URL: orchestrator.url, TIER_POLICY: JSON.stringify({ free: unlimited, pro: unlimited, enterprise: unlimited }) });
  return { key, mock, orchestrator, billing, gateway, services: [gateway, billing, orchestrator, mock] };
}
