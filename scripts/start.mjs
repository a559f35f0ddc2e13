#!/usr/bin/env node
// `npm start`: the whole platform in the foreground. Finds Postgres and Redis (or starts them:
// in containers where a Docker engine runs, else the local servers; scripts/dev/services.cjs),
// migrates, seeds a development tenant/user/key, starts every service (and the mock LLM
// upstream when no provider key is set), prints the URLs and the key. Ctrl-C stops all.
// On a terminal the services' JSON logs are shown as readable lines (scripts/dev/log-format.cjs).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatLogLine, prettyLogs } from './dev/log-format.cjs';
import { ensureServices } from './dev/services.cjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const say = (message) => console.log(`[conduit] ${message}`);
const die = (message) => {
  console.error(`[conduit] ${message}`);
  process.exit(1);
};

const env = {
  ...process.env,
  DATABASE_URL: process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/conduit',
  REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379/0',
  NODE_ENV: process.env.NODE_ENV || 'development',
  // The internal hop's shared secret (gateway → orchestrator): one per run unless given.
  INTERNAL_TOKEN: process.env.INTERNAL_TOKEN || randomBytes(24).toString('hex'),
};
const gatewayPort = Number(env.PORT || 8080);

const services = [
  { name: 'api-gateway', port: gatewayPort },
  { name: 'chat-orchestrator', port: 8081 },
  { name: 'ingestion-worker', port: 8082 },
  { name: 'eval-worker', port: 8083 },
  { name: 'billing', port: 8084 },
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pretty = prettyLogs({ isTTY: process.stdout.isTTY, env });
const color = pretty && !process.env.NO_COLOR;

function run(title, args, extraEnv = {}) {
  const result = spawnSync('node', args, { cwd: root, env: { ...env, ...extraEnv }, encoding: 'utf8' });
  if (result.status !== 0) die(`${title} failed:\n${result.stderr || result.stdout}`);
  return result.stdout;
}

function devApiKey() {
  if (env.CONDUIT_DEV_API_KEY) return env.CONDUIT_DEV_API_KEY;
  const file = join(root, 'tmp', 'dev-api-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = `cdt_dev_${randomBytes(24).toString('base64url')}`;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

const children = [];
let stopping = false;

function launch(name, port, extraEnv = {}) {
  const child = spawn('node', ['--enable-source-maps', `dist/apps/${name}/src/main.js`], {
    cwd: root,
    env: { ...env, ...extraEnv, PORT: String(port), OTEL_SERVICE_NAME: name },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = color ? `\u001b[1m${name.padEnd(18)}\u001b[0m| ` : `${name.padEnd(18)}| `;
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines) process.stdout.write(`${prefix}${pretty ? formatLogLine(line, { color }) : line}\n`);
    });
  }
  child.on('exit', (code, signal) => {
    if (!stopping) {
      say(`${name} exited (${signal ?? code}); stopping the platform`);
      void stopAll(1);
    }
  });
  children.push({ name, port, child });
}

async function waitReady(name, port) {
  for (let i = 0; i < 120; i += 1) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  die(`${name} did not become ready on port ${port}`);
}

async function stopAll(code = 0) {
  if (stopping) return;
  stopping = true;
  say('stopping services');
  await Promise.all(
    children.map(
      ({ child }) =>
        new Promise((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once('exit', done);
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
        }),
    ),
  );
  await backing?.stop();
  say('stopped');
  process.exit(code);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

let backing;
try {
  backing = await ensureServices({ databaseUrl: env.DATABASE_URL, redisUrl: env.REDIS_URL, purpose: 'start', log: say });
} catch (error) {
  die(error instanceof Error ? error.message : String(error));
}
Object.assign(env, { DATABASE_URL: backing.databaseUrl, REDIS_URL: backing.redisUrl });
say('building');
run('prisma generate', ['scripts/prisma-generate.mjs']);
run('build', ['scripts/build.mjs']);
say('migrating');
run('migration', ['scripts/migrate.mjs', 'deploy']);
const key = devApiKey();
const seeded = JSON.parse(run('seed', ['dist/apps/api-gateway/src/cli/admin.js', 'seed-dev'], { CONDUIT_DEV_API_KEY: key }).trim());

const useMock = !env.ANTHROPIC_API_KEY && !env.OPENAI_API_KEY;
if (useMock) {
  const mockPort = Number(env.MOCK_LLM_PORT || 8090);
  const mockUrl = `http://127.0.0.1:${mockPort}`;
  Object.assign(env, {
    ANTHROPIC_BASE_URL: mockUrl,
    OPENAI_BASE_URL: `${mockUrl}/v1`,
    ANTHROPIC_API_KEY: 'mock-key',
    OPENAI_API_KEY: 'mock-key',
  });
  launch('mock-llm', mockPort);
  await waitReady('mock-llm', mockPort);
}
for (const { name, port } of services) launch(name, port);
await Promise.all(services.map(({ name, port }) => waitReady(name, port)));

console.log(`
  Conduit is running.
    API            http://127.0.0.1:${gatewayPort}/v1   (OpenAPI: http://127.0.0.1:${gatewayPort}/docs)
    services       ${services.map(({ name, port }) => `${name} :${port}`).join(', ')}
    LLM upstream   ${useMock ? `mock-llm http://127.0.0.1:${env.MOCK_LLM_PORT || 8090} (no provider key set)` : 'real providers'}
    tenant         ${seeded.tenant_id}
    API key        ${seeded.api_key}

  Press Ctrl-C to stop.
`);
