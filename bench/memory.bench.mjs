#!/usr/bin/env node
// npm run bench:memory — what long-term memory recall adds to a request (issue 21 target: ≤ 10 ms
// p50 with 10,000 memories in the tenant and 200 for the user).
//
// In process, against the real stores (Postgres + pgvector on BENCH_DATABASE_URL, the offline
// hashing embedder): one tenant with BENCH_MEMORY_TENANT memories (default 10,000) over
// BENCH_MEMORY_USERS users (default 50), the measured user holding BENCH_MEMORY_USER (default 200).
// Each sample is what the `memory` stage does per request — embed the user's message, search the
// user's vectors, check the hits live in Postgres, cut to the token budget and build the system
// message — timed with the same code the orchestrator runs (`MemoryRecall`). The baseline, in the
// same run and loop, is the stage off (one policy check) and a user with no memories (embedding and
// an empty search). Sequential requests, after a warm-up.
import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import pg from 'pg';
import { benchEnv, fmt, machine, root, run, summary, table } from './support.mjs';

const TENANT_MEMORIES = Number(process.env.BENCH_MEMORY_TENANT ?? 10_000);
const USER_MEMORIES = Number(process.env.BENCH_MEMORY_USER ?? 200);
const USERS = Number(process.env.BENCH_MEMORY_USERS ?? 50);
const N = Number(process.env.BENCH_MEMORY_N ?? 500);
const WARMUP = Number(process.env.BENCH_MEMORY_WARMUP ?? 100);
const TARGET_P50_MS = 10;

const env = benchEnv();
console.log('bench:memory — preparing (build, migrate, seed memories)…');
run('node', ['scripts/build.mjs']);
run('node', ['scripts/migrate.mjs', 'deploy'], env);
const require = createRequire(import.meta.url);
const { HashingEmbedder } = require(join(root, 'dist/libs/embeddings/src/index.js'));
const { PgVectorStore } = require(join(root, 'dist/libs/vector-store/src/index.js'));
const { PrismaService } = require(join(root, 'dist/libs/db/src/index.js'));
const { MemoryRecall, MemoryStore, MemoryVectors, memoryContextMessage, memoryHash } = require(join(root, 'dist/libs/memory/src/index.js'));
console.log(`machine: ${machine()}; ${new Date().toISOString()}`);

const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 4 });
const prisma = new PrismaService({ url: env.DATABASE_URL, poolSize: 4 });
const vectorStore = new PgVectorStore({ connectionString: env.DATABASE_URL, poolSize: 4 });
const embedder = new HashingEmbedder({ dimension: 384 });
const vectors = new MemoryVectors(vectorStore, embedder);
const store = new MemoryStore(prisma);
const recall = new MemoryRecall(store, vectors);
const policy = { mode: 'full', recall_top_k: 8, recall_min_score: 0.3, recall_max_tokens: 400 };

// Facts from a small vocabulary: varied enough that a query matches a few of a user's memories.
const TOPICS = ['tea', 'coffee', 'hiking', 'jazz', 'python', 'rust', 'gardening', 'chess', 'cycling', 'sushi', 'kotlin', 'piano', 'running', 'baking', 'photography', 'sailing', 'climbing', 'poetry', 'astronomy', 'pottery'];
const TEMPLATES = [(t) => `Prefers ${t} in the morning`, (t) => `Working on a ${t} project`, (t) => `Likes ${t} on weekends`, (t) => `Learning ${t} this year`, (t) => `Dislikes ${t} when tired`];
const fact = (i) => `${TEMPLATES[i % TEMPLATES.length](TOPICS[Math.floor(i / TEMPLATES.length) % TOPICS.length])} (${i})`;

const tag = randomBytes(4).toString('hex');
const { rows: [tenant] } = await pool.query(`INSERT INTO tenants (id, name, slug, updated_at) VALUES ($1, $2, $3, now()) RETURNING id`, [randomUUID(), `bench memory ${tag}`, `bench-memory-${tag}`]);
const users = [];
for (let u = 0; u < USERS + 1; u += 1) {
  const { rows: [user] } = await pool.query(`INSERT INTO users (id, tenant_id, updated_at) VALUES ($1, $2, now()) RETURNING id`, [randomUUID(), tenant.id]);
  users.push(user.id);
}
const [measured, ...others] = users;
const empty = others.pop();
try {
  // Seed: the measured user's 200, the rest spread over the other users (10,000 in the tenant).
  const plan = [{ userId: measured, count: USER_MEMORIES }];
  const rest = TENANT_MEMORIES - USER_MEMORIES;
  others.forEach((userId, i) => plan.push({ userId, count: Math.floor(rest / others.length) + (i < rest % others.length ? 1 : 0) }));
  let seeded = 0;
  const started = performance.now();
  for (const { userId, count } of plan) {
    const rows = Array.from({ length: count }, (_, i) => ({ id: randomUUID(), content: fact(seeded + i) }));
    seeded += count;
    await pool.query(
      `INSERT INTO memories (id, tenant_id, user_id, kind, content, content_hash, origin, embedded_at, updated_at)
       SELECT id, $2, $3, 'preference', content, hash, 'stated', now(), now() FROM unnest($1::uuid[], $4::text[], $5::text[]) AS t(id, content, hash)`,
      [rows.map((r) => r.id), tenant.id, userId, rows.map((r) => r.content), rows.map((r) => memoryHash(r.content))],
    );
    await vectors.upsert({ tenantId: tenant.id, userId }, rows);
  }
  await pool.query('ANALYZE memories');
  await pool.query(`ANALYZE "vector_space_${vectors.space.name}"`);
  console.log(`seeded ${seeded} memories (${USER_MEMORIES} for the measured user, ${others.length} other users) in ${fmt((performance.now() - started) / 1000, 1)} s`);

  const queries = TOPICS.flatMap((t) => [`What ${t} should I try next?`, `Any tips for ${t} this weekend?`]);
  const owner = { tenantId: tenant.id, userId: measured };
  const emptyOwner = { tenantId: tenant.id, userId: empty };
  const samples = { off: [], empty: [], recall: [] };
  let recalled = 0;
  const stageOff = (turn) => turn.memory.mode === 'full' && turn.conduit?.memory !== false;
  for (let i = 0; i < WARMUP + N; i += 1) {
    const query = queries[i % queries.length];
    const measuring = i >= WARMUP;
    let t0 = performance.now();
    stageOff({ memory: { mode: 'off' }, conduit: {} });
    if (measuring) samples.off.push(performance.now() - t0);
    t0 = performance.now();
    await recall.recall(emptyOwner, query, policy);
    if (measuring) samples.empty.push(performance.now() - t0);
    t0 = performance.now();
    const result = await recall.recall(owner, query, policy);
    if (result.memories.length > 0) memoryContextMessage(result.memories);
    if (measuring) {
      samples.recall.push(performance.now() - t0);
      recalled += result.memories.length;
    }
  }
  const rows = [
    ['memory off (baseline: the stage is skipped)', samples.off],
    ['user without memories (embed + empty search)', samples.empty],
    [`user with ${USER_MEMORIES} of ${TENANT_MEMORIES} in the tenant`, samples.recall],
  ].map(([name, s]) => {
    const stats = summary(s);
    return [name, stats.n, fmt(stats.p50, 3), fmt(stats.p99, 3), fmt(stats.mean, 3)];
  });
  console.log(table(['case', 'n', 'p50 ms', 'p99 ms', 'mean ms'], rows));
  const added = summary(samples.recall).p50 - summary(samples.off).p50;
  console.log(`memories recalled per request: ${fmt(recalled / N, 1)} (top_k ${policy.recall_top_k}, min score ${policy.recall_min_score}, ${policy.recall_max_tokens} tokens)`);
  console.log(`recall adds ${fmt(added, 2)} ms p50 to a request (target ≤ ${TARGET_P50_MS} ms): ${added <= TARGET_P50_MS ? 'MET' : 'NOT MET'}`);
} finally {
  await pool.query('DELETE FROM tenants WHERE id = $1', [tenant.id]);
  await pool.query(`DELETE FROM "vector_space_${vectors.space.name}" WHERE tenant_id = $1`, [tenant.id]).catch(() => undefined);
  await prisma.onApplicationShutdown();
  await vectorStore.close();
  await pool.end();
}
