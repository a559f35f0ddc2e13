import { z } from 'zod';
import { ConfigValidationError } from './load-config';

/** Marks a variable as a secret: it is never printed by {@link describeConfig}. */
export function secret<T extends z.ZodType>(schema: T): T {
  return schema.meta({ sensitive: true });
}

const booleanString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

export const envBoolean = (fallback: boolean) => booleanString.default(fallback);

export const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\/.+/, 'must be a postgres:// or postgresql:// URL');

const redisUrl = z.string().regex(/^rediss?:\/\/.+/, 'must be a redis:// or rediss:// URL');

/** Variables every Conduit service reads. */
export const baseEnv = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Scrub personal data (emails, phones, cards ...) from every log line by value; `false` leaves only secrets scrubbed. */
  LOG_SCRUB_PII: z.enum(['true', 'false'], { error: 'must be true or false' }).default('true'),
  HOST: z.string().default('0.0.0.0'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
};

export const databaseEnv = {
  DATABASE_URL: secret(postgresUrl),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
};

/** `host:port,host:port`: Redis Cluster seed nodes or Sentinels. */
const hostPorts = z
  .string()
  .transform((value) => value.split(',').map((entry) => entry.trim()).filter(Boolean))
  .pipe(
    z
      .array(z.string().regex(/^[A-Za-z0-9._-]+:\d{1,5}$/, 'must be a comma-separated list of host:port'))
      .min(1, 'must name at least one host:port'),
  )
  .transform((entries) => entries.map((entry) => ({ host: entry.slice(0, entry.lastIndexOf(':')), port: Number(entry.slice(entry.lastIndexOf(':') + 1)) })));

export const redisEnv = {
  REDIS_URL: secret(redisUrl),
  QUEUE_PREFIX: z.string().regex(/^[a-z0-9:_-]+$/i, 'must be letters, digits, ":", "_" or "-"').default('conduit'),
  /**
   * `standalone` (default: REDIS_URL is the server), `cluster` (Redis Cluster: REDIS_URL, or
   * REDIS_CLUSTER_NODES, are seed nodes; database 0 only) or `sentinel` (REDIS_SENTINELS find the
   * master REDIS_SENTINEL_MASTER; REDIS_URL gives the password, database and TLS).
   */
  REDIS_MODE: z.enum(['standalone', 'cluster', 'sentinel']).default('standalone'),
  REDIS_CLUSTER_NODES: hostPorts.optional(),
  REDIS_SENTINELS: hostPorts.optional(),
  REDIS_SENTINEL_MASTER: z.string().regex(/^[A-Za-z0-9._-]+$/, 'must be a Sentinel master name').default('mymaster'),
  /** Sentinels' own password (`requirepass` of the sentinels), when they have one. */
  REDIS_SENTINEL_PASSWORD: secret(z.string().min(1).optional()),
};

export interface RedisNode {
  host: string;
  port: number;
}

/** How the services reach Redis (`REDIS_MODE`); every connection follows it. */
export type RedisTopology =
  | { mode: 'standalone' }
  | { mode: 'cluster'; nodes: RedisNode[] }
  | { mode: 'sentinel'; sentinels: RedisNode[]; master: string; sentinelPassword?: string };

/** The topology of the parsed variables; names what is missing or contradictory. */
export function redisTopology(env: {
  REDIS_URL: string;
  REDIS_MODE?: 'standalone' | 'cluster' | 'sentinel';
  REDIS_CLUSTER_NODES?: RedisNode[];
  REDIS_SENTINELS?: RedisNode[];
  REDIS_SENTINEL_MASTER?: string;
  REDIS_SENTINEL_PASSWORD?: string;
}): RedisTopology {
  const url = new URL(env.REDIS_URL);
  const database = Number(url.pathname.replace(/^\//, '') || '0');
  switch (env.REDIS_MODE ?? 'standalone') {
    case 'standalone':
      if (env.REDIS_CLUSTER_NODES || env.REDIS_SENTINELS) {
        throw new ConfigValidationError(['REDIS_CLUSTER_NODES and REDIS_SENTINELS need REDIS_MODE=cluster or REDIS_MODE=sentinel']);
      }
      return { mode: 'standalone' };
    case 'cluster':
      if (database !== 0) throw new ConfigValidationError([`REDIS_URL names database ${database}, but Redis Cluster has only database 0`]);
      if (env.REDIS_SENTINELS) throw new ConfigValidationError(['REDIS_SENTINELS is for REDIS_MODE=sentinel, not cluster']);
      return { mode: 'cluster', nodes: env.REDIS_CLUSTER_NODES ?? [{ host: url.hostname, port: Number(url.port || 6379) }] };
    case 'sentinel':
      if (!env.REDIS_SENTINELS) throw new ConfigValidationError(['REDIS_SENTINELS is required when REDIS_MODE=sentinel']);
      if (env.REDIS_CLUSTER_NODES) throw new ConfigValidationError(['REDIS_CLUSTER_NODES is for REDIS_MODE=cluster, not sentinel']);
      return {
        mode: 'sentinel',
        sentinels: env.REDIS_SENTINELS,
        master: env.REDIS_SENTINEL_MASTER ?? 'mymaster',
        ...(env.REDIS_SENTINEL_PASSWORD ? { sentinelPassword: env.REDIS_SENTINEL_PASSWORD } : {}),
      };
  }
}

const millis = (fallback: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(fallback);

/**
 * Limits of every service's HTTP server: how long a client may take to send a request, how long an
 * idle kept-alive connection stays open, and how large the headers may be (the slowloris defence;
 * see docs/deployment.md). `HTTP_HEADERS_TIMEOUT_MS` is capped at `HTTP_REQUEST_TIMEOUT_MS`.
 */
export const httpEnv = {
  HTTP_REQUEST_TIMEOUT_MS: millis(60_000, 100, 3_600_000),
  HTTP_HEADERS_TIMEOUT_MS: millis(10_000, 100, 600_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: millis(65_000, 100, 3_600_000),
  HTTP_MAX_HEADER_BYTES: z.coerce.number().int().min(1_024).max(1_048_576).default(16_384),
  HTTP_MAX_HEADERS: z.coerce.number().int().min(8).max(2_000).default(100),
};

/** Prints a schema's effective values with secrets masked, for start-up logs. */
export function describeConfig(shape: Record<string, z.ZodType>, env: Record<string, string | undefined> = process.env) {
  const out: Record<string, string> = {};
  for (const [key, field] of Object.entries(shape)) {
    const value = env[key];
    if (value === undefined) continue;
    const meta = field.meta() as { sensitive?: boolean } | undefined;
    out[key] = meta?.sensitive ? '***' : value;
  }
  return out;
}

/** The variables of a service that owns an HTTP port and talks to Postgres and Redis. */
export const serviceEnv = (defaultPort: number) => ({ ...baseEnv, ...databaseEnv, ...redisEnv, ...httpEnv, PORT: port(defaultPort) });

type ServiceEnv = z.output<z.ZodObject<ReturnType<typeof serviceEnv>>>;

export interface HttpLimitSettings {
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxHeaderBytes: number;
  maxHeaders: number;
}

export interface CoreSettings {
  env: 'development' | 'test' | 'production';
  logLevel: string;
  /** Personal data scrubbed from log lines by value (secrets always are). Default true. */
  logScrubPii?: boolean;
  http: { host: string; port: number; limits: HttpLimitSettings };
  shutdownTimeoutMs: number;
  database: { url: string; poolSize: number };
  redis: { url: string; prefix: string; topology: RedisTopology };
}

/** Nests the common variables into the typed settings object every app extends. */
export function coreSettings(env: ServiceEnv): CoreSettings {
  return {
    env: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    logScrubPii: env.LOG_SCRUB_PII !== 'false',
    http: {
      host: env.HOST,
      port: env.PORT,
      limits: {
        requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS,
        headersTimeoutMs: Math.min(env.HTTP_HEADERS_TIMEOUT_MS, env.HTTP_REQUEST_TIMEOUT_MS),
        keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
        maxHeaderBytes: env.HTTP_MAX_HEADER_BYTES,
        maxHeaders: env.HTTP_MAX_HEADERS,
      },
    },
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    database: { url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE },
    redis: { url: env.REDIS_URL, prefix: env.QUEUE_PREFIX, topology: redisTopology(env) },
  };
}
