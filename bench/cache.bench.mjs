#!/usr/bin/env node
// npm run bench:cache — the response cache: quality of the semantic matcher on the labelled pairs
// the project ships (bench/data/cache-pairs.jsonl: paraphrases one answer serves, and hard
// negatives that must never match), and what the cache costs and saves on the whole chat path
// (gateway → orchestrator → mock upstream at 0 ms).
//
// 1. Pairs, per threshold, for each embedder available offline: the embedder's cosine similarity
//    of each pair (hit rate on true pairs = recall, false-hit rate on false pairs, precision), and
//    the same through the real store (pgvector): all first prompts stored in one tenant scope, each
//    second prompt looked up — the nearest stored prompt decides, as in production.
// 2. Latency on the chat path, sequential requests, non-streaming: cache off, exact miss, exact
//    hit, semantic miss, semantic hit; the hit/miss ratio; and a semantic lookup's cost with many
//    entries in the tenant (BENCH_SEMANTIC_ENTRIES, default 100,000).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Pool as HttpPool } from 'undici';
import { benchEnv, fmt, machine, root, run, startChatPath, summary, table } from './support.mjs';

const THRESHOLDS = [0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.99];
const CONFIGURED_THRESHOLD = Number(process.env.BENCH_THRESHOLD ?? 0.95);
const N = Number(process.env.BENCH_CACHE_N ?? 200);
const WARMUP = Number(process.env.BENCH_CACHE_WARMUP ?? 100);
const SEMANTIC_ENTRIES = Number(process.env.BENCH_SEMANTIC_ENTRIES ?? 100_000);
const MODEL = 'gpt-4.1-mini';

const env = benchEnv();
console.log('bench:cache — preparing (build, migrate, seed, start the chat path)…');
const { gateway, orchestrator, services } = await startChatPath(env, { upstreamMs: 0 });
const require = createRequire(import.meta.url);
const { HashingEmbedder } = require(join(root, 'dist/libs/embeddings/src/index.js'));
const { SemanticCacheStore } = require(join(root, 'dist/libs/response-cache/src/index.js'));
console.log(`machine: ${machine()}; ${new Date().toISOString()}`);

const pairs = readFileSync(join(root, 'bench/data/cache-pairs.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
const truePairs = pairs.filter((p) => p.label === 'same');
const falsePairs = pairs.filter((p) => p.label === 'different');
console.log(`pairs: ${pairs.length} (${truePairs.length} paraphrases, ${falsePairs.length} hard negatives)`);

const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 4 });
const store = new SemanticCacheStore(pool);
const { rows: [devTenant] } = await pool.query(`SELECT id FROM tenants WHERE slug = 'dev'`);
const tenantId = devTenant.id;
const cosine = (a, b) => a.reduce((sum, x, i) => sum + x * b[i], 0);
/** As the cache compares prompts: Unicode NFC, surrounding whitespace dropped (cache-key.ts). */
const normalise = (text) => text.normalize('NFC').trim();

function score(matches) {
  // matches: [{ label, hit }] → recall on true pairs, false-hit rate on false pairs, precision
  const tp = matches.filter((m) => m.label === 'same' && m.hit).length;
  const fp = matches.filter((m) => m.label === 'different' && m.hit).length;
  return { recall: tp / truePairs.length, falseHit: fp / falsePairs.length, precision: tp + fp === 0 ? NaN : tp / (tp + fp) };
}

const report = { date: new Date().toISOString(), machine: machine(), pairs: pairs.length, embedders: {}, latency: {} };
const embedders = [{ name: 'hashing-v2 (384)', embedder: new HashingEmbedder({ dimension: 384 }) }];
try {
  for (const { name, embedder } of embedders) {
    const a = await embedder.embed(pairs.map((p) => normalise(p.a)));
    const b = await embedder.embed(pairs.map((p) => normalise(p.b)));
    const similarity = pairs.map((p, i) => ({ label: p.label, kind: p.kind, s: cosine(a[i], b[i]) }));

    // Through the store: every first prompt in one scope, each second prompt looked up.
    const scope = { tenantId, scopeUserId: null, filterHash: `bench-${process.pid}`, embedder: embedder.model };
    await store.purgeTenant(tenantId);
    for (let i = 0; i < pairs.length; i += 1) {
      await store.put({ ...scope, key: `pair-${i}`, createdBy: null, vector: a[i], expiresAt: new Date(Date.now() + 3_600_000) }, 1_000_000);
    }
    const nearest = [];
    for (let i = 0; i < pairs.length; i += 1) nearest.push(await store.nearest(scope, b[i]));
    await store.purgeTenant(tenantId);

    const rows = THRESHOLDS.map((threshold) => {
      const pairwise = score(similarity.map((x) => ({ label: x.label, hit: x.s >= threshold })));
      // A true pair is served right only when its own first prompt is the nearest; a false pair is a false hit when anything matches.
      const stored = score(pairs.map((p, i) => ({ label: p.label, hit: nearest[i] !== undefined && nearest[i].similarity >= threshold && (p.label === 'different' || nearest[i].key === `pair-${i}`) })));
      return { threshold, recall: fmt(pairwise.recall, 3), false_hit: fmt(pairwise.falseHit, 3), precision: fmt(pairwise.precision, 3), store_recall: fmt(stored.recall, 3), store_false_hit: fmt(stored.falseHit, 3) };
    });
    console.log(`\nSemantic matcher, ${name}: pairwise cosine, and through pgvector (nearest of ${pairs.length} stored prompts)`);
    console.log(table(Object.keys(rows[0]), rows.map((r) => Object.values(r))));
    const byKind = [...new Set(falsePairs.map((p) => p.kind))].map((kind) => {
      const items = similarity.filter((x) => x.kind === kind);
      return [kind, items.length, fmt(items.filter((x) => x.s >= CONFIGURED_THRESHOLD).length / items.length, 3), fmt(Math.max(...items.map((x) => x.s)), 3)];
    });
    console.log(`False hits by kind at ${CONFIGURED_THRESHOLD}`);
    console.log(table(['kind', 'pairs', 'false_hit', 'max_similarity'], byKind));
    const paraphrases = similarity.filter((x) => x.label === 'same').map((x) => x.s).sort((x, y) => x - y);
    console.log(`paraphrase similarity: min ${fmt(paraphrases[0], 3)}, median ${fmt(paraphrases[Math.floor(paraphrases.length / 2)], 3)}`);
    report.embedders[name] = { thresholds: rows, by_kind: byKind };
  }

  // ---- latency on the chat path ----------------------------------------------------------------
  // One tenant per mode (policies are per tenant), created through the admin CLI, and requests sent
  // round-robin across them, so warm-up and the machine's load weigh on every mode alike.
  const dir = mkdtempSync(join(tmpdir(), 'bench-cache-'));
  const cli = (...args) => JSON.parse(run('node', ['dist/apps/api-gateway/src/cli/admin.js', ...args], env));
  const tenantWith = (mode, policy) => {
    const slug = `bench-cache-${mode}-${process.pid}`;
    cli('create-tenant', '--name', slug, '--slug', slug, '--tier', 'pro');
    cli('create-user', '--tenant', slug, '--email', `${slug}@bench.test`);
    const file = join(dir, `${mode}.json`);
    writeFileSync(file, JSON.stringify(policy));
    run('node', ['dist/apps/api-gateway/src/cli/admin.js', 'set-policy', '--tenant', slug, '--file', file], env);
    return { slug, key: cli('create-key', '--tenant', slug, '--email', `${slug}@bench.test`).api_key };
  };
  const semanticPolicy = { cache: { mode: 'semantic', semantic: { threshold: CONFIGURED_THRESHOLD, allow_hashing_embedder: true } } };
  const tenants = {
    off: tenantWith('off', {}),
    exact: tenantWith('exact', { cache: { mode: 'exact' } }),
    semantic: tenantWith('semantic', semanticPolicy),
  };
  const http = new HttpPool(gateway.url, { connections: 1 });
  const ask = async (tenant, content, expect) => {
    const started = performance.now();
    const response = await http.request({
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { authorization: `Bearer ${tenant.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content }], max_tokens: 32 }),
    });
    await response.body.text();
    const ms = performance.now() - started;
    if (response.statusCode !== 200) throw new Error(`chat answered ${response.statusCode}`);
    const outcome = response.headers['x-conduit-cache'] ?? 'none';
    return { ms, outcome, expected: expect === undefined || outcome === expect };
  };
  // Questions that share no word: numbered ones would be near-duplicates to a bag-of-words embedder.
  const fresh = () => `Tell me about ${randomBytes(4).toString('hex')} ${randomBytes(4).toString('hex')} and ${randomBytes(4).toString('hex')}?`;
  const EXACT_Q = 'The one cached question?';
  const SEMANTIC_Q = 'How do I reset my password?';
  const SEMANTIC_PARAPHRASE = 'How can I reset my password?';
  await ask(tenants.exact, EXACT_Q);
  await ask(tenants.semantic, SEMANTIC_Q);
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // both stored (in the background)
  const modes = {
    'cache off': () => ask(tenants.off, fresh(), 'none'),
    'exact miss': () => ask(tenants.exact, fresh(), 'miss'),
    'exact hit': () => ask(tenants.exact, EXACT_Q, 'hit'),
    'semantic miss': () => ask(tenants.semantic, fresh(), 'miss'),
    'semantic hit': () => ask(tenants.semantic, SEMANTIC_PARAPHRASE, 'hit'),
  };
  /** The orchestrator's lookup histogram (`conduit_response_cache_lookup_seconds`): count and sum by kind. */
  const lookups = async () => {
    const text = await (await fetch(`${orchestrator.url}/metrics`)).text();
    const read = (kind, what) => Number(text.match(new RegExp(`conduit_response_cache_lookup_seconds_${what}\\{[^}]*kind="${kind}"[^}]*\\} ([0-9.e+-]+)`))?.[1] ?? 0);
    return Object.fromEntries(['exact', 'semantic'].map((kind) => [kind, { count: read(kind, 'count'), sum: read(kind, 'sum') }]));
  };
  console.log(`\nwarming up the chat path (${WARMUP} rounds)…`);
  for (let i = 0; i < WARMUP; i += 1) for (const send of Object.values(modes)) await send();
  const samples = Object.fromEntries(Object.keys(modes).map((mode) => [mode, []]));
  // A lookup slower than RESPONSE_CACHE_TIMEOUT_MS (50 ms) is a bypass: counted, not timed with its mode.
  const unexpected = Object.fromEntries(Object.keys(modes).map((mode) => [mode, {}]));
  const before = await lookups();
  for (let i = 0; i < N; i += 1) {
    for (const [mode, send] of Object.entries(modes)) {
      const { ms, outcome, expected } = await send();
      if (expected) samples[mode].push(ms);
      else unexpected[mode][outcome] = (unexpected[mode][outcome] ?? 0) + 1;
    }
  }
  const after = await lookups();
  for (const [mode, values] of Object.entries(samples)) report.latency[mode] = { ...summary(values), unexpected: unexpected[mode] };
  const meanLookup = (kind) => ((after[kind].sum - before[kind].sum) / Math.max(1, after[kind].count - before[kind].count)) * 1_000;
  report.latency.lookup_mean_ms = { exact: meanLookup('exact'), semantic: meanLookup('semantic') };

  const l = report.latency;
  console.log(`\nChat path latency, ms (${N} rounds, round-robin over the modes, sequential, non-streaming, mock upstream at 0 ms)`);
  console.log(table(['path', 'n', 'p50', 'p99', 'mean', 'other outcomes'], Object.keys(modes).map((k) => [k, l[k].n, fmt(l[k].p50), fmt(l[k].p99), fmt(l[k].mean), JSON.stringify(l[k].unexpected)])));
  console.log(`exact hit vs cache off (provider at 0 ms): added p50 ${fmt(l['exact hit'].p50 - l['cache off'].p50)} ms; exact hit/miss p50 ratio ${fmt(l['exact hit'].p50 / l['exact miss'].p50, 3)}`);
  console.log(`exact miss vs cache off: ${fmt(l['exact miss'].p50 - l['cache off'].p50)} ms p50; semantic miss vs exact miss: ${fmt(l['semantic miss'].p50 - l['exact miss'].p50)} ms p50; semantic hit/miss p50 ratio ${fmt(l['semantic hit'].p50 / l['semantic miss'].p50, 3)}`);
  console.log(`lookup inside the orchestrator (mean, conduit_response_cache_lookup_seconds): exact ${fmt(l.lookup_mean_ms.exact, 3)} ms, semantic (embed + search) ${fmt(l.lookup_mean_ms.semantic, 3)} ms`);
  await http.close();

  // ---- a semantic lookup with many entries in the tenant ----------------------------------------
  if (SEMANTIC_ENTRIES > 0) {
    const embedder = embedders[0].embedder;
    const scope = { tenantId, scopeUserId: null, filterHash: `bench-many-${process.pid}`, embedder: embedder.model };
    console.log(`\nfilling one tenant scope with ${SEMANTIC_ENTRIES} vectors…`);
    // Bulk load (bench only; production writes go through SemanticCacheStore): random unit vectors.
    await pool.query(
      `INSERT INTO response_cache_vectors (tenant_id, entry_key, scope_user_id, created_by, filter_hash, embedder, embedding, expires_at)
       SELECT $1::uuid, 'many-' || g, NULL, NULL, $2, $3,
              (SELECT array_agg(random() - 0.5)::vector FROM generate_series(1, $4) WHERE g > 0), now() + interval '1 hour'
         FROM generate_series(1, $5) AS g`,
      [tenantId, scope.filterHash, scope.embedder, embedder.dimension, SEMANTIC_ENTRIES],
    );
    const queries = await embedder.embed(pairs.slice(0, 50).map((p) => p.b));
    const samples = [];
    for (const q of [...queries, ...queries]) {
      const started = performance.now();
      await store.nearest(scope, q);
      samples.push(performance.now() - started);
    }
    const s = summary(samples.slice(queries.length));
    report.latency['semantic search, many entries'] = { entries: SEMANTIC_ENTRIES, ...s };
    console.log(`pgvector nearest in a scope of ${SEMANTIC_ENTRIES} entries (exact scan): p50 ${fmt(s.p50)} ms, p99 ${fmt(s.p99)} ms`);
    await store.purgeTenant(tenantId);
  }
  console.log(`\n${JSON.stringify(report)}`);
} finally {
  await store.purgeTenant(tenantId).catch(() => undefined);
  await pool.end();
  await Promise.all(services.map((service) => service.stop()));
}
