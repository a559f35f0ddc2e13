import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConduitHeader } from '@conduit/contracts';
import { createTenantWithUser, removeTenants, TenantWithUser, waitFor } from '@conduit/testing';
import { ChatPlatform, startChatPlatform } from './support/chat-platform';
import { RunningService, startReady } from './support/service-process';
import { GATEWAY_ROUTES, routeKey } from './fuzz/gateway-routes';
import { FuzzFixtures } from './fuzz/hostile-cases';
import { FuzzSummary, runFuzz } from './fuzz/fuzz-runner';

/**
 * Property-based fuzzing of the public API (fast-check): hostile bodies, headers, paths, query
 * strings and multipart uploads for every public route of the gateway, sent as raw HTTP to the
 * real platform. Every answer must come within the deadline, never be a 5xx, be an OpenAI-shaped
 * error with a stable code when it is a 4xx, never hand one tenant another's resource; and every
 * service must still be healthy afterwards. `npm test` runs a fixed seed and about 1,000 cases;
 * `npm run fuzz -- --cases N --seed S` runs more (FUZZ_CASES, FUZZ_SEED, FUZZ_SUMMARY_FILE).
 */
const CASES = Number(process.env.FUZZ_CASES ?? 1_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_207);
const REQUEST_TIMEOUT_MS = 4_000;
const ADMIN_KEY = 'fuzz-admin-key-0123456789abcdef0123';

describe('fuzz: hostile requests to every public route of the gateway', () => {
  let platform: ChatPlatform;
  let worker: RunningService;
  let owner: TenantWithUser;
  let other: TenantWithUser;
  let blobDir: string;
  let fixtures: FuzzFixtures;

  const gatewayFetch = (route: string, init: RequestInit = {}) =>
    fetch(`${platform.gateway.url}${route}`, { ...init, headers: { authorization: owner.authHeader, 'content-type': 'application/json', ...(init.headers ?? {}) } });

  beforeAll(async () => {
    blobDir = await mkdtemp(path.join(tmpdir(), 'conduit-fuzz-blobs-'));
    const documents = { BLOB_DIR: blobDir, VECTOR_STORE: 'pgvector', EMBEDDINGS_PROVIDER: 'hashing' };
    platform = await startChatPlatform(
      {},
      {
        gatewayEnv: {
          ...documents,
          ADMIN_API_KEY: ADMIN_KEY,
          HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
          HTTP_HEADERS_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        },
      },
    );
    worker = await startReady('ingestion-worker', { ...documents, QUEUE_PREFIX: platform.queuePrefix });
    owner = await createTenantWithUser(platform.prisma, { tier: 'enterprise' });
    other = await createTenantWithUser(platform.prisma, { tier: 'enterprise' });

    // The owner's resources, so that generated paths reach past the 404s.
    const session = (await (await gatewayFetch('/v1/sessions', { method: 'POST', body: '{"title":"fuzz"}' })).json()) as { id: string };
    const completion = await gatewayFetch('/v1/chat/completions', { method: 'POST', body: JSON.stringify({ model: 'default', messages: [{ role: 'user', content: 'seed' }] }) });
    const chatSession = completion.headers.get(ConduitHeader.SessionId) ?? '';
    const messages = await waitFor(
      () => platform.prisma.message.findMany({ where: { sessionId: chatSession }, select: { id: true } }),
      { what: 'the turn stored', until: (rows) => rows.length === 2 },
    );
    const response = (await (await gatewayFetch('/v1/responses', { method: 'POST', body: JSON.stringify({ model: 'default', input: 'seed' }) })).json()) as { id: string };
    const job = (await (
      await gatewayFetch('/v1/jobs', { method: 'POST', body: JSON.stringify({ type: 'chat.completion', input: { model: 'default', messages: [{ role: 'user', content: 'job' }] } }) })
    ).json()) as { id: string };
    const form = new FormData();
    form.append('collection', 'fuzz');
    form.append('file', new Blob(['A short document for the fuzz suite.']), 'seed.txt');
    const document = (await (await fetch(`${platform.gateway.url}/v1/documents`, { method: 'POST', headers: { authorization: owner.authHeader }, body: form })).json()) as { id: string };
    const { collectionId } = await platform.prisma.document.findUniqueOrThrow({ where: { id: document.id }, select: { collectionId: true } });
    fixtures = {
      ownerKey: owner.apiKey,
      otherKey: other.apiKey,
      adminKey: ADMIN_KEY,
      ids: {
        session: [session.id, chatSession],
        message: messages.map((m) => m.id),
        job: [job.id],
        delivery: ['00000000-0000-4000-8000-000000000000'],
        document: [document.id],
        endpoint: ['00000000-0000-4000-8000-000000000001'],
        collection: [collectionId, '00000000-0000-4000-8000-000000000002'],
        asset: ['swagger-ui.css', 'swagger-ui-bundle.js', 'constructor', '__proto__'],
        response: [response.id, 'resp_00000000000000000000000000000000'],
      },
    };
  });

  afterAll(async () => {
    if (platform) {
      await removeTenants(platform.prisma, [owner, other].filter(Boolean).map((t) => t.tenant));
      await Promise.all([platform.stop(), worker?.stop('SIGTERM')]);
    }
    if (blobDir) await rm(blobDir, { recursive: true, force: true });
  });

  async function checkHealth(ready = false): Promise<void> {
    for (const service of [platform.gateway, platform.orchestrator, platform.billing, worker]) {
      const response = await fetch(`${service.url}/health${ready ? '/ready' : ''}`, { signal: AbortSignal.timeout(10_000) }).catch((error: Error) => error);
      if (response instanceof Error || response.status !== 200) {
        throw new Error(`${service.name} is not healthy after fuzzing: ${response instanceof Error ? response.message : response.status}\n${service.output().slice(-2_000)}`);
      }
    }
  }

  it('drives every path the OpenAPI document lists', async () => {
    const document = (await (await fetch(`${platform.gateway.url}/docs/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const covered = new Set(GATEWAY_ROUTES.map((route) => `${route.method} ${routeKey(route.path)}`));
    const listed = Object.entries(document.paths).flatMap(([route, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${routeKey(route)}`));
    expect(listed.filter((operation) => !covered.has(operation))).toEqual([]);
  });

  it(
    `answers ${CASES} hostile requests (seed ${SEED}) within the deadline, without a 5xx, each 4xx an OpenAI error with a stable code`,
    async () => {
      const summary: FuzzSummary = await runFuzz({
        port: platform.gateway.port,
        fixtures,
        cases: CASES,
        seed: SEED,
        deadlineMs: REQUEST_TIMEOUT_MS + 10_000,
        concurrency: 4,
        checkHealth: () => checkHealth(),
        log: CASES > 2_000 ? (line) => process.stdout.write(`fuzz: ${line}\n`) : undefined,
      });
      await checkHealth(true);
      if (process.env.FUZZ_SUMMARY_FILE) writeFileSync(process.env.FUZZ_SUMMARY_FILE, JSON.stringify(summary, null, 2));
      // Every route was reached, and most answers got past validation somewhere.
      expect(Object.keys(summary.routes).length).toBeGreaterThanOrEqual(Math.min(GATEWAY_ROUTES.length, Math.floor(CASES / 20)));
      expect(summary.failures.slice(0, 10)).toEqual([]);
    },
    Math.max(120_000, CASES * 200),
  );
});
