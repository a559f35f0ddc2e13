import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { K8sObject } from './manifest-invariants';

/**
 * Which environment variables do the services read, and which of them can the Helm chart set?
 * The services' variables are parsed from their sources: the upper-case keys of the zod env
 * schemas (files that import zod) and every `process.env.X` / `process.env['X']`. The chart's are
 * the names it renders: ConfigMap and Secret keys and the containers' `env` entries.
 */

const repoRoot = join(__dirname, '..', '..');

export interface EnvRead {
  name: string;
  /** Declared with `secret(...)`: must travel in the Secret, never in the ConfigMap. */
  secret: boolean;
  /** Files (relative to the repository root) that declare or read it. */
  files: string[];
}

const TEST_FILE = /\.(spec|int-spec|e2e-spec|test)\.ts$|\.d\.ts$/;
const SKIPPED_DIRS = new Set(['node_modules', 'testing', '__tests__', '__fixtures__']);

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) sourceFiles(path, out);
    } else if (entry.name.endsWith('.ts') && !TEST_FILE.test(entry.name)) {
      out.push(path);
    }
  }
  return out;
}

/** Non-test TypeScript sources of every app and library (apps/*\/src, libs/*\/src). */
export function serviceSourceFiles(root: string = repoRoot): string[] {
  return ['apps', 'libs']
    .flatMap((top) => readdirSync(join(root, top)).map((name) => join(root, top, name, 'src')))
    .filter((dir) => existsSync(dir))
    .flatMap((dir) => sourceFiles(dir))
    .sort();
}

/** `NAME: <schema>` keys (at a line start or after `{` / `,`), comments excluded. */
const SCHEMA_KEY = /(?:^|[{,])[ \t]*([A-Z][A-Z0-9_]{2,})[ \t]*:[ \t]*(?!\/)(\S.*)$/gm;
const PROCESS_ENV = /process\.env(?:\.([A-Z][A-Z0-9_]*)|\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\])/g;

/** The variables one source file reads: `name -> secret?`. */
export function envNamesInSource(text: string): Map<string, boolean> {
  const names = new Map<string, boolean>();
  const add = (name: string, secret: boolean) => names.set(name, (names.get(name) ?? false) || secret);
  if (/from ['"]zod['"]/.test(text)) {
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const [, name, rest] of code.matchAll(SCHEMA_KEY)) add(name, /^secret\(/.test(rest));
  }
  for (const [, dotted, quoted] of text.matchAll(PROCESS_ENV)) add(dotted ?? quoted, false);
  return names;
}

/** Every variable the services' sources read, sorted by name. */
export function envReads(files: string[] = serviceSourceFiles(), root: string = repoRoot): EnvRead[] {
  const reads = new Map<string, EnvRead>();
  for (const file of files) {
    for (const [name, secret] of envNamesInSource(readFileSync(file, 'utf8'))) {
      const read = reads.get(name) ?? { name, secret: false, files: [] };
      read.secret ||= secret;
      read.files.push(relative(root, file));
      reads.set(name, read);
    }
  }
  return [...reads.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export interface ChartEnv {
  /** Keys of the ConfigMaps. */
  config: Set<string>;
  /** Keys of the Secrets (data and stringData). */
  secret: Set<string>;
  /** Names of the containers' literal `env` entries (those from a secretKeyRef count as `secret`). */
  container: Set<string>;
}

/** The variable names a rendered chart sets. */
export function chartEnvNames(objects: K8sObject[]): ChartEnv {
  const result: ChartEnv = { config: new Set(), secret: new Set(), container: new Set() };
  for (const object of objects) {
    const record = object as Record<string, unknown>;
    if (object.kind === 'ConfigMap') Object.keys((record.data as object | undefined) ?? {}).forEach((key) => result.config.add(key));
    if (object.kind === 'Secret') {
      for (const field of ['data', 'stringData']) Object.keys((record[field] as object | undefined) ?? {}).forEach((key) => result.secret.add(key));
    }
    const pod = (record.spec as { template?: { spec?: { containers?: { env?: { name?: string; valueFrom?: { secretKeyRef?: unknown } }[] }[] } } } | undefined)?.template?.spec;
    for (const container of pod?.containers ?? []) {
      for (const env of container.env ?? []) {
        if (!env.name) continue;
        if (env.valueFrom?.secretKeyRef) result.secret.add(env.name);
        else result.container.add(env.name);
      }
    }
  }
  return result;
}

/**
 * Tuning knobs the chart does not name: they are set with `config.extraEnv` (every service) or
 * `services.<name>.env` (one service), and their defaults suit most installs. The check renders
 * them all through `config.extraEnv` to prove the chart accepts them. Never a secret here.
 */
export const PASSTHROUGH_ONLY: ReadonlySet<string> = new Set([
  // every service
  'LOG_SCRUB_PII', 'SHUTDOWN_TIMEOUT_MS', 'DATABASE_POOL_SIZE',
  'HTTP_REQUEST_TIMEOUT_MS', 'HTTP_HEADERS_TIMEOUT_MS', 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 'HTTP_MAX_HEADER_BYTES', 'HTTP_MAX_HEADERS',
  'OTEL_SDK_DISABLED',
  // api-gateway
  'MAX_TOKENS_LIMIT', 'MAX_BODY_BYTES', 'ORCHESTRATOR_CONNECTIONS', 'PRICE_QUOTE_TTL_MS', 'MAX_UPLOAD_BYTES', 'IMAGE_MAX_BYTES', 'IMAGE_MAX_COUNT',
  // usage controls (gateway, orchestrator, billing, eval-worker)
  'TIER_POLICY', 'BUDGET_RESERVATION_TTL_S', 'BUDGET_SETTLED_TTL_S', 'PRICE_REFRESH_MS',
  // async jobs (gateway and orchestrator)
  'JOBS_MAX_ATTEMPTS', 'JOBS_RETRY_DELAY_MS', 'JOBS_DEFAULT_TIMEOUT_S', 'JOBS_MAX_TIMEOUT_S',
  'JOBS_CONCURRENCY', 'JOBS_BATCH_CONCURRENCY', 'JOBS_LOCK_MS', 'JOBS_STALLED_INTERVAL_MS', 'JOBS_MAX_STALLS',
  'JOBS_CANCEL_POLL_MS', 'JOBS_RECONCILE_INTERVAL_MS', 'JOBS_RECONCILE_GRACE_MS',
  // chat-orchestrator
  'CHAT_HISTORY_MAX_MESSAGES', 'CHAT_HISTORY_MAX_TOKENS', 'LLM_TIMEOUT_MS', 'LLM_MAX_RETRIES', 'LLM_CONFIG_FILE',
  // chat-orchestrator: session summaries (docs/memory.md)
  'MEMORY_MODEL', 'MEMORY_SUMMARY_TIMEOUT_MS', 'MEMORY_SUMMARY_CONCURRENCY', 'MEMORY_CONCURRENCY', 'MEMORY_EXTRACTION_TIMEOUT_MS',
  // embeddings and vector store
  'EMBEDDINGS_BATCH_SIZE', 'EMBEDDINGS_CACHE_TTL_S', 'EMBEDDINGS_MODELS', 'QDRANT_TIMEOUT_MS', 'PGVECTOR_POOL_SIZE', 'PGVECTOR_EF_SEARCH', 'BLOB_DIR',
  // ingestion-worker (apps/ingestion-worker/README.md#limits)
  'INGEST_CONCURRENCY', 'CHUNK_TOKENS', 'CHUNK_OVERLAP_TOKENS', 'INGEST_BATCH_PAUSE_MS', 'MAX_PDF_PAGES', 'MAX_DOCUMENT_CHARS',
  'MAX_DOCUMENT_CHUNKS', 'MAX_HTML_DEPTH', 'INGEST_DOCUMENT_DEADLINE_MS', 'INGEST_PROCESSING_MEMORY_MB', 'INGEST_LOCK_DURATION_MS',
  'INGEST_STALLED_INTERVAL_MS',
  // billing: usage ledger, spend alerts, webhook delivery
  'USAGE_CONCURRENCY', 'USAGE_JOB_LOCK_MS', 'ALERT_SPIKE_FACTOR', 'ALERT_SPIKE_MIN_USD', 'ALERT_SPIKE_BASELINE_HOURS', 'BUDGET_METRIC_TOP_N',
  'WEBHOOK_TIMEOUT_MS', 'WEBHOOK_RETRY_BASE_MS', 'WEBHOOK_RETRY_MAX_DELAY_MS', 'WEBHOOK_MAX_AGE_MS', 'WEBHOOK_CONCURRENCY',
  'WEBHOOK_RECONCILE_INTERVAL_MS', 'WEBHOOK_RECONCILE_GRACE_MS',
]);

/** Variables no deployed service should be given, with the reason. */
export const NOT_FOR_THE_CHART: Readonly<Record<string, string>> = {
  WEBHOOK_ALLOW_HTTP: 'development and tests only; refused with NODE_ENV=production',
  WEBHOOK_ALLOWED_CIDRS: 'development and tests only; refused with NODE_ENV=production',
  MOCK_LLM_LATENCY_MS: 'mock-llm (development and load tests) behaviour',
  MOCK_LLM_TTFT_MS: 'mock-llm (development and load tests) behaviour',
  MOCK_LLM_TOKEN_DELAY_MS: 'mock-llm (development and load tests) behaviour',
  MOCK_LLM_REPLY: 'mock-llm (development and load tests) behaviour',
  MOCK_LLM_REQUEST_LOG_CAPACITY: 'mock-llm (development and load tests) behaviour',
  CONDUIT_DEV_API_KEY: 'admin CLI (apps/api-gateway/src/cli), run by an operator, not a service',
  CONDUIT_API_KEY: 'offline eval CLI (apps/eval-worker/src/offline), run by an operator, not a service',
  CONDUIT_BASE_URL: 'offline eval CLI (apps/eval-worker/src/offline), run by an operator, not a service',
};

export interface ParityProblems {
  /** Read by a service, but neither set by the chart nor classified. */
  unset: string[];
  /** Declared secret(...), but not a key of the chart's Secret. */
  secretsNotInSecret: string[];
  /** Declared secret(...), but rendered in a ConfigMap or as a literal container env. */
  secretsInPlainConfig: string[];
  /** Allow-listed, but no service reads it any more. */
  staleAllowList: string[];
}

export function compareEnv(reads: EnvRead[], chart: ChartEnv): ParityProblems {
  const setByName = (name: string) => chart.config.has(name) || chart.secret.has(name) || chart.container.has(name);
  const allowed = (name: string) => PASSTHROUGH_ONLY.has(name) || name in NOT_FOR_THE_CHART;
  const readNames = new Set(reads.map((read) => read.name));
  return {
    unset: reads.filter((read) => !setByName(read.name) && !allowed(read.name)).map((read) => read.name),
    secretsNotInSecret: reads.filter((read) => read.secret && !chart.secret.has(read.name)).map((read) => read.name),
    secretsInPlainConfig: reads.filter((read) => read.secret && (chart.config.has(read.name) || chart.container.has(read.name))).map((read) => read.name),
    staleAllowList: [...PASSTHROUGH_ONLY, ...Object.keys(NOT_FOR_THE_CHART)].filter((name) => !readNames.has(name)).sort(),
  };
}
