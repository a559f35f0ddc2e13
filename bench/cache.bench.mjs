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
const SEMANTIC_ENTRIES = Number(process.env.BENCH_SEMANTIC_ENTRIES ?? 100_000);
const MODEL = 'gpt-4.1-mini';

const env = benchEnv();
console.log('bench:cache — preparing (build, migrate, seed, start the chat path)…');
const { key, gateway, services } = await startChatPath(env, { upstreamMs: 0 });
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
  const dir = mkdtempSync(join(tmpdir(), 'bench-cache-'));
  const setPolicy = (document) => {
    const file = join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify(document));
    run('node', ['dist/apps/api-gateway/src/cli/admin.js', 'set-policy', '--tenant', 'dev', '--file', file], env);
  };
  const http = new HttpPool(gateway.url, { connections: 1 });
  const ask = async (content, expect) => {
    const started = performance.now();
    const response = await http.request({
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content }], max_tokens: 32 }),
    });
    await response.body.text();
    const ms = performance.now() - started;
    if (response.statusCode !== 200) throw new Error(`chat answered ${response.statusCode}`);
    const outcome = response.headers['x-conduit-cache'] ?? 'none';
    if (expect !== undefined && outcome !== expect) throw new Error(`expected x-conduit-cache ${expect}, got ${outcome}`);
    return ms;
  };
  /** Waits until a running orchestrator has the new policy (announced over Redis). */
  const awaitPolicy = async (probe, outcome) => {
    for (let i = 0; i < 200; i += 1) {
      const response = await http.request({ method: 'POST', path: '/v1/chat/completions', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: `${probe} ${i}` }], max_tokens: 8 }) });
      await response.body.text();
      if ((response.headers['x-conduit-cache'] ?? 'none') === outcome) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`policy not applied (expected ${outcome})`);
  };
  const measure = async (label, content, expect) => {
    for (let i = 0; i < 20; i += 1) await ask(content(-1 - i), undefined); // warm-up
    const samples = [];
    for (let i = 0; i < N; i += 1) samples.push(await ask(content(i), expect));
    report.latency[label] = summary(samples);
    return report.latency[label];
  };
  // Questions that share no word: numbered ones would be near-duplicates to a bag-of-words embedder.
  const unique = () => () => `Tell me about ${randomBytes(4).toString('hex')} ${randomBytes(4).toString('hex')} and ${randomBytes(4).toString('hex')}?`;

  setPolicy({});
  await awaitPolicy('probe off', 'none');
  await measure('cache off', unique('off'), 'none');
  setPolicy({ cache: { mode: 'exact' } });
  await awaitPolicy('probe exact', 'miss');
  await measure('exact miss', unique('exact'), 'miss');
  await ask('The one cached question?', undefined);
  await new Promise((resolve) => setTimeout(resolve, 500));
  await measure('exact hit', () => 'The one cached question?', 'hit');
  setPolicy({ cache: { mode: 'semantic', semantic: { threshold: CONFIGURED_THRESHOLD, allow_hashing_embedder: true } } });
  // Applied once a question asked differently (case, punctuation) is a hit: only the semantic lookup matches it.
  for (let i = 0; ; i += 1) {
    if (i === 100) throw new Error('semantic policy not applied');
    await ask(`Probe semantic ${i}?`, undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const again = await http.request({ method: 'POST', path: '/v1/chat/completions', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: `probe semantic ${i}` }], max_tokens: 32 }) });
    await again.body.text();
    if (again.headers['x-conduit-cache'] === 'hit') break;
  }
  await measure('semantic miss', unique('semantic'), 'miss');
  await ask('What is the one semantic question?', undefined);
  await new Promise((resolve) => setTimeout(resolve, 500));
  // Another wording of the same question (case and punctuation: what the hashing embedder sees as equal).
  await measure('semantic hit', () => 'what is the one semantic question', 'hit');
  setPolicy({});

  const l = report.latency;
  console.log('\nChat path latency, ms (sequential, non-streaming, mock upstream at 0 ms)');
  console.log(table(['path', 'n', 'p50', 'p99', 'mean'], Object.entries(l).map(([k, v]) => [k, v.n, fmt(v.p50), fmt(v.p99), fmt(v.mean)])));
  console.log(`exact hit vs cache off: added p50 ${fmt(l['exact hit'].p50 - l['cache off'].p50)} ms; hit/miss p50 ratio ${fmt(l['exact hit'].p50 / l['exact miss'].p50, 3)}`);
  console.log(`exact miss vs cache off (lookup + store on a miss): ${fmt(l['exact miss'].p50 - l['cache off'].p50)} ms p50`);
  console.log(`semantic miss vs exact miss (embed + vector search): ${fmt(l['semantic miss'].p50 - l['exact miss'].p50)} ms p50; semantic hit/miss p50 ratio ${fmt(l['semantic hit'].p50 / l['semantic miss'].p50, 3)}`);
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
