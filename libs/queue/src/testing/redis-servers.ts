import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

/**
 * Throwaway Redis servers for topology tests, started from the Debian `redis-server` binary on
 * loopback ports in a temporary directory: a three-master Cluster, or a master watched by one
 * Sentinel. Each `stop()` ends only the processes it started.
 */

/** Whether `redis-server` and `redis-cli` are on PATH (the tests skip, saying so, when not). */
export function redisBinariesPresent(): boolean {
  return ['redis-server', 'redis-cli'].every((binary) => spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function ping(port: number): Promise<boolean> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } finally {
    client.disconnect();
  }
}

export interface RunningRedis {
  /** Loopback ports: the cluster's masters, or [master, sentinel]. */
  ports: number[];
  stop(): Promise<void>;
}

function startServer(dir: string, args: string[]): ChildProcess {
  const child = spawn('redis-server', args, { cwd: dir, stdio: 'ignore' });
  child.on('error', () => undefined);
  return child;
}

async function stopAll(children: ChildProcess[], dir: string): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => {
            child.kill('SIGKILL');
            resolve();
          }, 5_000).unref();
        }),
    ),
  );
  rmSync(dir, { recursive: true, force: true });
}

/** Three masters (no replicas) joined with `redis-cli --cluster create`, all 16384 slots covered. */
export async function startRedisCluster(): Promise<RunningRedis> {
  const dir = mkdtempSync(path.join(tmpdir(), 'conduit-redis-cluster-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const children: ChildProcess[] = [];
  try {
    for (const port of ports) {
      children.push(
        startServer(dir, [
          '--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes',
          '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '5000',
          '--save', '', '--appendonly', 'no', '--dir', dir,
        ]),
      );
    }
    for (const port of ports) await until(`redis-server on port ${port}`, () => ping(port));
    const create = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    await until('the cluster to be ok on every node', async () => {
      for (const port of ports) {
        const client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0, lazyConnect: true });
        try {
          await client.connect();
          const info = String(await client.call('CLUSTER', 'INFO'));
          if (!info.includes('cluster_state:ok')) return false;
        } finally {
          client.disconnect();
        }
      }
      return true;
    });
  } catch (error) {
    await stopAll(children, dir);
    throw error;
  }
  return { ports, stop: () => stopAll(children, dir) };
}

/** A master and one Sentinel monitoring it as `master` (quorum 1). */
export async function startRedisSentinel(master = 'mymaster'): Promise<RunningRedis> {
  const dir = mkdtempSync(path.join(tmpdir(), 'conduit-redis-sentinel-'));
  const [masterPort, sentinelPort] = [await freePort(), await freePort()];
  const children: ChildProcess[] = [];
  try {
    children.push(startServer(dir, ['--port', String(masterPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir]));
    await until(`redis-server on port ${masterPort}`, () => ping(masterPort));
    const config = path.join(dir, 'sentinel.conf');
    writeFileSync(config, [`port ${sentinelPort}`, 'bind 127.0.0.1', `dir ${dir}`, `sentinel monitor ${master} 127.0.0.1 ${masterPort} 1`, `sentinel down-after-milliseconds ${master} 5000`, ''].join('\n'));
    children.push(startServer(dir, [config, '--sentinel']));
    await until('the sentinel to know the master', async () => {
      const client = new Redis({ host: '127.0.0.1', port: sentinelPort, maxRetriesPerRequest: 0, lazyConnect: true });
      try {
        await client.connect();
        const address = (await client.call('SENTINEL', 'get-master-addr-by-name', master)) as string[] | null;
        return address?.[1] === String(masterPort);
      } finally {
        client.disconnect();
      }
    });
  } catch (error) {
    await stopAll(children, dir);
    throw error;
  }
  return { ports: [masterPort, sentinelPort], stop: () => stopAll(children, dir) };
}
