// @ts-check
'use strict';
// Postgres and Redis for `npm start` and the integration and end-to-end tests, found or started
// in this order: reachable at DATABASE_URL / REDIS_URL → used as they are; otherwise (for a
// loopback URL) a Docker engine → a container from the images CI uses; otherwise servers
// installed on this machine → started; otherwise a message saying what to install or set.
const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, readdirSync } = require('node:fs');
const { connect } = require('node:net');

const IMAGES = { postgres: 'pgvector/pgvector:pg16', redis: 'redis:7' };

/** @type {Record<'postgres' | 'redis', { title: string; variable: string; defaultPort: number; containerPort: number; install: string }>} */
const SERVICES = {
  postgres: { title: 'Postgres', variable: 'DATABASE_URL', defaultPort: 5432, containerPort: 5432, install: 'apt-get install -y postgresql (pgvector too)' },
  redis: { title: 'Redis', variable: 'REDIS_URL', defaultPort: 6379, containerPort: 6379, install: 'apt-get install -y redis-server' },
};

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * @typedef {'postgres' | 'redis'} ServiceKind
 * @typedef {{ reachable: boolean; loopback: boolean; docker: boolean; installed: boolean }} Facts
 * @typedef {{ strategy: 'use' | 'container' | 'local' | 'fail'; message?: string }} Choice
 */

/**
 * The strategy for one service, from what is known about this machine. Pure: the tests call it
 * with every combination.
 * @param {ServiceKind} kind
 * @param {string} address host:port of the URL
 * @param {Facts} facts
 * @returns {Choice}
 */
function chooseStrategy(kind, address, facts) {
  const { title, variable, install } = SERVICES[kind];
  if (facts.reachable) return { strategy: 'use' };
  if (!facts.loopback) return { strategy: 'fail', message: `${title} at ${address} is not reachable: check ${variable}` };
  if (facts.docker) return { strategy: 'container' };
  if (facts.installed) return { strategy: 'local' };
  return {
    strategy: 'fail',
    message:
      `${title} is not reachable at ${address}, no Docker engine is running to start it in a container, ` +
      `and no ${title} server is installed here. Start Docker, or ${install}, or set ${variable}.`,
  };
}

/** @param {string} host @param {number} port @returns {Promise<boolean>} */
function reachable(host, port, timeoutMs = 1_000) {
  return new Promise((resolve) => {
    const socket = connect({ host: host.replace(/^\[|\]$/g, ''), port });
    /** @param {boolean} ok */
    const finish = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/** @param {string} command */
const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

/** Whether a container engine answers (testcontainers' own detection: DOCKER_HOST, sockets, Podman...). */
async function dockerAvailable() {
  try {
    const { getContainerRuntimeClient } = require('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

const installed = {
  postgres: () => has('pg_ctlcluster') && existsSync('/etc/postgresql'),
  redis: () => has('redis-server'),
};

const startLocal = {
  postgres: () => {
    const version = readdirSync('/etc/postgresql').sort().pop() ?? '';
    return spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' }).status === 0;
  },
  /** @param {number} port */
  redis: (port) => {
    mkdirSync('/tmp/conduit-redis', { recursive: true });
    const args = ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(port), '--dir', '/tmp/conduit-redis', '--appendonly', 'yes'];
    return spawnSync('redis-server', args, { stdio: 'inherit' }).status === 0;
  },
};

/**
 * Starts a container for the service. `hostPort` binds it to that port (npm start keeps the
 * URL the developer expects); without it the engine picks a free one (tests).
 * @param {ServiceKind} kind
 * @param {number | undefined} hostPort
 */
async function startContainer(kind, hostPort) {
  const { GenericContainer, Wait } = require('testcontainers');
  const { containerPort } = SERVICES[kind];
  const exposed = hostPort === undefined ? containerPort : { container: containerPort, host: hostPort };
  const container =
    kind === 'postgres'
      ? new GenericContainer(IMAGES.postgres)
          .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
          .withExposedPorts(exposed)
          // The image starts a temporary server to initialise, then the real one: the second "ready" counts.
          .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      : new GenericContainer(IMAGES.redis).withExposedPorts(exposed).withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/));
  const started = await container.start();
  return { host: started.getHost(), port: started.getMappedPort(containerPort), stop: () => started.stop() };
}

/** @param {() => Promise<boolean>} probe @param {number} timeoutMs */
async function until(probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

/**
 * Makes Postgres and Redis available and returns their URLs (rewritten when a container got a
 * port of its own) and a `stop()` for whatever it started in containers. Throws with a message
 * naming what to do when neither is possible.
 * @param {{ databaseUrl: string; redisUrl: string; purpose: 'start' | 'test'; log: (line: string) => void }} options
 */
async function ensureServices(options) {
  /** @type {Array<() => Promise<unknown>>} */
  const stops = [];
  /** @type {boolean | undefined} */
  let docker;
  const urls = { postgres: options.databaseUrl, redis: options.redisUrl };
  for (const kind of /** @type {ServiceKind[]} */ (['postgres', 'redis'])) {
    const { title, defaultPort } = SERVICES[kind];
    const url = new URL(urls[kind]);
    const port = Number(url.port || defaultPort);
    const address = `${url.hostname}:${port}`;
    const facts = { reachable: await reachable(url.hostname, port), loopback: LOOPBACK.has(url.hostname), docker: false, installed: false };
    if (!facts.reachable && facts.loopback) {
      docker ??= await dockerAvailable();
      facts.docker = docker;
      facts.installed = installed[kind]();
    }
    const choice = chooseStrategy(kind, address, facts);
    if (choice.strategy === 'fail') {
      await Promise.all(stops.map((stop) => stop()));
      throw new Error(choice.message);
    }
    if (choice.strategy === 'container') {
      const image = IMAGES[kind];
      options.log(`${title} is not reachable at ${address}: starting ${image} in a container (testcontainers)`);
      const container = await startContainer(kind, options.purpose === 'start' ? port : undefined);
      stops.push(container.stop);
      url.hostname = container.host;
      url.port = String(container.port);
      urls[kind] = url.toString();
      options.log(`${title}: container from ${image} on ${container.host}:${container.port}${options.purpose === 'start' ? ' (stopped with npm start)' : ''}`);
    }
    if (choice.strategy === 'local') {
      options.log(`${title} is not reachable at ${address}: starting the local server`);
      if (!(kind === 'postgres' ? startLocal.postgres() : startLocal.redis(port)) || !(await until(() => reachable(url.hostname, port), 15_000))) {
        await Promise.all(stops.map((stop) => stop()));
        throw new Error(`${title} was started on this machine but does not answer on ${address}`);
      }
    }
  }
  return {
    databaseUrl: urls.postgres,
    redisUrl: urls.redis,
    stop: async () => {
      await Promise.all(stops.map((stop) => stop()));
    },
  };
}

module.exports = { IMAGES, chooseStrategy, ensureServices };
