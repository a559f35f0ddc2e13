import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/*
 * Boundaries: what may depend on what. Every Nx project has a `type:*` tag (app, lib, e2e) and a
 * `scope:*` tag; each scope below lists the scopes it may import (its own is always allowed).
 * Layers, bottom up: contracts → infrastructure → capabilities → apps. Apps never import apps.
 * `scripts/checks/module-boundaries.spec.ts` proves that lint fails on a violation of each rule.
 */
const INFRASTRUCTURE = ['contracts', 'config', 'observability', 'db', 'queue', 'runtime'];
/** Test doubles and fixtures: only test code may import them (and the mock-llm app, its own scope). */
const TEST_ONLY = ['mock-llm', 'testing'];

const MAY_USE = {
  // contracts: queue and job names, payload schemas, the API key format, x-conduit-* headers, model globs,
  // the input rules. Depends on nothing.
  contracts: [],
  // infrastructure
  config: [],
  observability: [],
  db: [],
  database: [],
  queue: ['contracts', 'observability'],
  // the service core; its logger scrubs lines with libs/guardrails' detectors
  runtime: ['contracts', 'config', 'db', 'guardrails', 'observability', 'queue'],
  // capabilities
  'blob-store': INFRASTRUCTURE,
  embeddings: INFRASTRUCTURE,
  'vector-store': INFRASTRUCTURE,
  llm: INFRASTRUCTURE,
  webhooks: INFRASTRUCTURE,
  // JobStore, the job lifecycle; a job's finish stores its webhook delivery (DeliveryStore)
  jobs: [...INFRASTRUCTURE, 'webhooks'],
  // ConversationStore: sessions, messages, feedback
  conversations: INFRASTRUCTURE,
  // the document.ingest producer
  documents: INFRASTRUCTURE,
  // the exact response cache: key derivation, entry codec, Redis store
  'response-cache': INFRASTRUCTURE,
  // PolicyStore: tenant policies, cached per process, changes announced over Redis
  policies: INFRASTRUCTURE,
  // PromptStore: prompt templates, immutable versions, labels and their A/B experiments, cached per process, changes announced over Redis
  prompts: [...INFRASTRUCTURE, 'policies'],
  // the tenant's tool registry (HTTP tools, MCP servers) and the calls to them (issue 22); webhooks: the
  // SSRF guard, the Standard Webhooks signer and the secrets keyring, shared with outbound tool calls
  tools: [...INFRASTRUCTURE, 'webhooks'],
  // long-term user memories: their store, vectors, reconciliation and recall (issue 21)
  memory: [...INFRASTRUCTURE, 'embeddings', 'guardrails', 'vector-store'],
  // tenants, users, API keys and admin keys: their stores, suspension, erasure; changes announced over Redis
  tenancy: INFRASTRUCTURE,
  // reservations, caps, prices (the pricing table lives here, not in llm)
  budget: INFRASTRUCTURE,
  retrieval: [...INFRASTRUCTURE, 'embeddings', 'vector-store'],
  // detectors and redaction; never llm: the LLM judge takes a completion function from its caller
  // (runtime's log scrubber uses this lib, and billing, which uses runtime, may not reach llm)
  guardrails: [...INFRASTRUCTURE],
  // evaluation: the eval.turn producer and sampling, scores, aggregates and regression alerts (their stores), statistics
  evaluation: INFRASTRUCTURE,
  // the mock upstream: the lib and the app that serves it
  'mock-llm': INFRASTRUCTURE,
  testing: [...INFRASTRUCTURE, 'blob-store'],
  // apps
  gateway: [...INFRASTRUCTURE, 'blob-store', 'budget', 'conversations', 'documents', 'embeddings', 'evaluation', 'jobs', 'memory', 'policies', 'prompts', 'response-cache', 'tenancy', 'tools', 'vector-store', 'webhooks'],
  chat: [...INFRASTRUCTURE, 'budget', 'conversations', 'embeddings', 'evaluation', 'guardrails', 'jobs', 'llm', 'memory', 'policies', 'prompts', 'response-cache', 'retrieval', 'tools', 'vector-store'],
  // budget: only the usage producer (embedding usage is billed); documents: the vector rebuild
  // (`admin reindex --all`) that the worker carries out, proven against the worker in its specs
  ingestion: [...INFRASTRUCTURE, 'blob-store', 'budget', 'documents', 'embeddings', 'vector-store'],
  // the ledger and cost alerts; delivers every webhook (webhook.deliver: a job's event is rendered by libs/jobs)
  billing: [...INFRASTRUCTURE, 'budget', 'jobs', 'policies', 'tenancy', 'webhooks'],
  // LLM judges (llm), judge usage billed (budget), tenant eval policy, the judged turns, regression webhooks
  eval: [...INFRASTRUCTURE, 'budget', 'conversations', 'evaluation', 'llm', 'policies', 'webhooks'],
  // end-to-end tests drive the built apps over HTTP and read the database to check (policies: a
  // running service's view of tenant policies, for the admin CLI's announcements)
  e2e: ['contracts', 'db', 'policies', 'runtime', 'tenancy', 'tools', 'vector-store'],
};

/**
 * The rule for production code (`testOnly: []`) or for test code (`testOnly: TEST_ONLY`). Test code
 * may also import the deploy checks' metric-name extractor: the metrics e2e compares its names with
 * what the services export (scripts/ is tooling, not a project).
 */
const moduleBoundaries = (testOnly) => [
  'error',
  {
    enforceBuildableLibDependency: false,
    allow: testOnly.length > 0 ? ['../scripts/deploy-checks/metric-references'] : [],
    depConstraints: [
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
      { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
      { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib'] },
      ...Object.entries(MAY_USE).map(([scope, uses]) => ({
        sourceTag: `scope:${scope}`,
        onlyDependOnLibsWithTags: [...new Set([scope, ...uses, ...testOnly])].map((name) => `scope:${name}`),
      })),
      // Bans that must also hold through other libs (`notDependOnLibsWithTags`, checked transitively) go here.
      // Billing prices usage with @conduit/budget and never loads the provider SDKs (apps/billing/src/billing.boundaries.spec.ts).
      { sourceTag: 'scope:billing', notDependOnLibsWithTags: ['scope:llm'] },
    ],
  },
];

/** Test code: specs, e2e, test helpers (`testing/` folders, `*.testing.ts`) and the testing lib. */
const TEST_FILES = ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'e2e/**/*.ts', '**/testing/**/*.ts', '**/*.testing.ts', 'libs/testing/**/*.ts'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: ['**/node_modules', '**/dist', '**/.nx', 'libs/db/src/generated/**', 'helm/**', 'k8s/**', 'coverage/**', 'tmp/**'],
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': moduleBoundaries([]),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
    },
  },
  {
    files: TEST_FILES,
    rules: { '@nx/enforce-module-boundaries': moduleBoundaries(TEST_ONLY) },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'e2e/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly', fetch: 'readonly', AbortController: 'readonly' } },
    rules: { 'no-console': 'off' },
  },
];
void tseslint;
