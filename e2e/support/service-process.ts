import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');

export type ServiceName = 'api-gateway' | 'chat-orchestrator' | 'ingestion-worker' | 'eval-worker' | 'billing' | 'mock-llm';

export interface RunningService {
  name: ServiceName;
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the process printed, for assertions and failure messages. */
  output(): string;
  /** Sends a signal and resolves with the exit code (or signal name). */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
  exited: Promise<number | string>;
}

/** Every child still running; killed when the test process exits, so a timed-out test leaks none. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function baseEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    DATABASE_URL: process.env.DATABASE_URL ?? '',
    REDIS_URL: process.env.REDIS_URL ?? '',
    HOST: '127.0.0.1',
    SHUTDOWN_TIMEOUT_MS: '5000',
  };
}

/** Starts a built service (`dist/apps/<name>/src/main.js`) as its own process. */
export async function spawnService(name: ServiceName, env: Record<string, string | undefined> = {}): Promise<RunningService> {
  const entry = path.join(ROOT, 'dist', 'apps', name, 'src', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first (npm test does)`);
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const merged = { ...baseEnv(), PORT: String(port), OTEL_SERVICE_NAME: name, ...env };
  const cleanEnv = Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const child = spawn(process.execPath, ['--enable-source-maps', entry], { cwd: ROOT, env: cleanEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => output,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * Polls `/health/ready` until it answers 200; fails with the service's output otherwise, at once
 * when the process exits. The deadline is generous on purpose: several services booting together
 * on a loaded two-core machine take 15 s and more, and a ready service ends the wait at once.
 */
export async function waitReady(service: RunningService, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void service.exited.then(() => (exited = true));
  while (Date.now() < deadline && !exited) {
    try {
      const response = await fetch(`${service.url}/health/ready`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${service.name} did not become ready${exited ? ' (it exited)' : ''}:\n${service.output().slice(-4000)}`);
}

export async function startReady(name: ServiceName, env: Record<string, string | undefined> = {}): Promise<RunningService> {
  const service = await spawnService(name, env);
  try {
    await waitReady(service);
  } catch (error) {
    await service.stop('SIGKILL');
    throw error;
  }
  return service;
}
