#!/usr/bin/env node
// npm run bench:ingest — document ingestion throughput and retrieval latency, end to end:
// uploads through the api-gateway (multipart), the ingestion-worker (parse → chunk → hashing
// embedder → pgvector), then Retriever queries (embed + tenant-filtered pgvector search) at ~10k
// and ~100k chunks. Then pathological documents (one giant word, one huge line, deeply nested
// HTML, a PDF of 10,000 tiny pages), each against an ordinary document of the same format and
// size, one document at a time, in the same run (BENCH_PHASES=throughput,pathological).
// Loopback only; bounded by BENCH_MAX_SECONDS.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { benchEnv, cpuSeconds, fmt, machine, root, run, startService, summary, table } from './support.mjs';

const DOCUMENTS = Number(process.env.BENCH_DOCUMENTS ?? 1_000);
const TARGET_CHUNKS = [Number(process.env.BENCH_CHUNKS_SMALL ?? 10_000), Number(process.env.BENCH_CHUNKS_LARGE ?? 100_000)];
const CHUNK_TOKENS = Number(process.env.BENCH_CHUNK_TOKENS ?? 128);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 300);
const UPLOAD_CONCURRENCY = Number(process.env.BENCH_UPLOAD_CONCURRENCY ?? 8);
const WORKER_CONCURRENCY = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 4);
const MAX_SECONDS = Number(process.env.BENCH_MAX_SECONDS ?? 1_200);
const PHASES = new Set((process.env.BENCH_PHASES ?? 'throughput,pathological').split(','));
/** Size of each pathological document and of the ordinary one it is compared with. */
const PATHOLOGICAL_BYTES = Number(process.env.BENCH_PATHOLOGICAL_BYTES ?? 4 * 1024 * 1024);
const deadline = Date.now() + MAX_SECONDS * 1_000;

const env = benchEnv();
const blobDir = join(root, 'tmp', `bench-blobs-${process.pid}`);
console.log('bench:ingest — preparing (build, migrate, seed, clean previous bench documents)…');
run('node', ['scripts/build.mjs']);
run('node', ['scripts/migrate.mjs', 'deploy'], env);
const key = JSON.parse(run('node', ['dist/apps/api-gateway/src/cli/admin.js', 'seed-dev'], { ...env, CONDUIT_DEV_API_KEY: 'cdt_bench_key_0123456789abcdef' }));

const require = createRequire(import.meta.url);
const { createPrismaClient } = require(join(root, 'dist/libs/db/src/index.js'));
const { createVectorStore, vectorSpaceFor } = require(join(root, 'dist/libs/vector-store/src/index.js'));
const { HashingEmbedder } = require(join(root, 'dist/libs/embeddings/src/index.js'));
const { Retriever } = require(join(root, 'dist/libs/retrieval/src/index.js'));
const { buildPdf } = require(join(root, 'dist/libs/testing/src/pdf.fixture.js'));
const { randomLetters } = require(join(root, 'dist/libs/testing/src/documents.fixture.js'));

const prisma = createPrismaClient(env.DATABASE_URL, 4);
const vectors = createVectorStore({ kind: 'pgvector', connectionString: env.DATABASE_URL, poolSize: 4, efSearch: 100 });
const embedder = new HashingEmbedder();
const space = vectorSpaceFor(embedder.model, embedder.dimension);
// A clean slate: the bench database is the benchmark's own.
await prisma.collection.deleteMany({ where: { tenantId: key.tenant_id } });
await vectors.dropSpace(space);
rmSync(blobDir, { recursive: true, force: true });
mkdirSync(blobDir, { recursive: true });

const shared = { ...env, LOG_LEVEL: 'warn', BLOB_DIR: blobDir, VECTOR_STORE: 'pgvector', EMBEDDINGS_PROVIDER: 'hashing' };
const worker = await startService('ingestion-worker', {
  ...shared,
  CHUNK_TOKENS: String(CHUNK_TOKENS),
  CHUNK_OVERLAP_TOKENS: String(Math.floor(CHUNK_TOKENS / 8)),
  INGEST_CONCURRENCY: String(WORKER_CONCURRENCY),
  DATABASE_POOL_SIZE: '8',
});
const gateway = await startService('api-gateway', { ...shared, MAX_UPLOAD_BYTES: String(64 * 1024 * 1024) });
const services = [gateway, worker];

// ---- documents: deterministic, mixed sizes and types ---------------------------------------
/** A deterministic generator; documents and queries use separate ones so runs are reproducible. */
const generator = (seed) => () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
const random = generator(42);
const queryRandom = generator(7);
// Common English words, so token counts per byte are like real prose.
const VOCABULARY = `the of and to in is that for it as was with be by on not he this are or his from at which but have an they
you were her she there been one all we their has would when if so no will more about can said them some what its into only
other new time could these two may first then do any like my now over such our man me even most made after also did many
before must through back years where much your way well down should because each just those people how too little state
good very make world still own see men work long get here between both life being under never day same another know while
last might us great old year off come since against go came right used take three states himself few house use during
without again place american around however home small found thought went say part once general high upon school every
does got united left number course war until always away something fact though water less public put think almost hand
enough far took head yet government system better set told nothing night end why called didn eyes find going look asked
later knew point next program city business give group toward young days let room president side social given present
several order national possible rather second face per among form important often things looking early white case large
need big four within felt along children saw best church ever least power development light thing seemed family interest
want members others mind country area done turned although open god service certain kind problem began different door thus
help sense means whole matter perhaps itself york times law human line above name example action company hands local show
five history whether gave either today act feet across taken past quite anything seen having death experience body word
half really field am car words already themselves information tell together college shall money period held keep sure free
seems real probably behind clear policy retrieval vector index embedding chunk token document batch worker queue tenant
search latency storage pipeline schema migration network server client request response cache model context citation`.split(/\s+/);
const word = (next = random) => VOCABULARY[Math.floor(next() ** 2 * VOCABULARY.length)];
const sentence = () => {
  const words = Array.from({ length: 6 + Math.floor(random() * 14) }, word).join(' ');
  return `${words[0].toUpperCase()}${words.slice(1)}.`;
};
const paragraph = () => Array.from({ length: 2 + Math.floor(random() * 5) }, sentence).join(' ');
/** ~words for a target chunk count (English prose: ~0.75 words per token; overlap adds a little). */
const wordsFor = (chunks) => Math.max(20, Math.round(chunks * CHUNK_TOKENS * 0.66));

function makeDocument(i) {
  const kind = i % 10;
  const chunks = kind < 4 ? 1 + Math.floor(random() * 6) : kind < 8 ? 30 + Math.floor(random() * 90) : kind === 8 ? 200 + Math.floor(random() * 150) : 350 + Math.floor(random() * 150);
  const paragraphs = [];
  let words = 0;
  while (words < wordsFor(chunks)) {
    const p = paragraph();
    words += p.split(' ').length;
    paragraphs.push(p);
  }
  if (i % 20 === 5) {
    // PDF: short lines, a few pages.
    const lines = paragraphs.slice(0, 40).flatMap((p) => p.match(/.{1,90}(\s|$)/g) ?? []);
    const pages = [];
    for (let at = 0; at < lines.length; at += 45) pages.push(lines.slice(at, at + 45).map((l) => l.trim()));
    return { filename: `doc-${i}.pdf`, bytes: buildPdf(pages) };
  }
  if (i % 10 === 3) {
    const html = `<!doctype html><html><head><title>Doc ${i}</title></head><body><nav>Home | About</nav><main><h1>Document ${i}</h1>${paragraphs.map((p, n) => (n % 6 === 0 ? `<h2>Section ${n}</h2>` : '') + `<p>${p}</p>`).join('')}</main><footer>© bench</footer></body></html>`;
    return { filename: `doc-${i}.html`, bytes: Buffer.from(html) };
  }
  const markdown = `# Document ${i}\n\n${paragraphs.map((p, n) => (n % 6 === 0 ? `## Section ${n}\n\n` : '') + p).join('\n\n')}\n`;
  return { filename: `doc-${i}.md`, bytes: Buffer.from(markdown) };
}

// ---- driving ------------------------------------------------------------------------------
async function upload(document) {
  const form = new FormData();
  form.append('collection', 'bench');
  form.append('file', new Blob([document.bytes]), document.filename);
  const response = await fetch(`${gateway.url}/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${key.api_key}` }, body: form });
  if (response.status !== 202) throw new Error(`upload answered ${response.status}: ${await response.text()}`);
  return (await response.json()).id;
}

async function ingestUntil(targetChunks, startIndex) {
  const started = performance.now();
  const ids = [];
  let bytes = 0;
  let index = startIndex;
  let estimated = await prisma.documentChunk.count({ where: { tenantId: key.tenant_id } });
  // Upload until the estimated chunk total reaches the target (and, for the last phase, the document count).
  const mustReachDocs = targetChunks === TARGET_CHUNKS[TARGET_CHUNKS.length - 1] ? DOCUMENTS : 0;
  const pending = new Set();
  while ((estimated < targetChunks || index < mustReachDocs) && Date.now() < deadline) {
    const document = makeDocument(index);
    index += 1;
    bytes += document.bytes.length;
    estimated += Math.max(1, Math.round(document.bytes.length / (CHUNK_TOKENS * 3.3)));
    const task = upload(document).then((id) => ids.push(id)).finally(() => pending.delete(task));
    pending.add(task);
    if (pending.size >= UPLOAD_CONCURRENCY) await Promise.race(pending);
  }
  await Promise.all(pending);
  const uploadedAt = performance.now();
  for (;;) {
    const counts = await prisma.document.groupBy({ by: ['status'], where: { id: { in: ids } }, _count: true });
    const byStatus = Object.fromEntries(counts.map((c) => [c.status, c._count]));
    const finished = (byStatus.indexed ?? 0) + (byStatus.failed ?? 0);
    if (finished === ids.length) {
      if (byStatus.failed) throw new Error(`${byStatus.failed} documents failed`);
      break;
    }
    if (Date.now() > deadline) throw new Error(`time limit reached with ${ids.length - finished} documents still ingesting`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const seconds = (performance.now() - started) / 1_000;
  const chunks = await prisma.documentChunk.count({ where: { documentId: { in: ids } } });
  return { documents: ids.length, chunks, bytes, seconds, upload_seconds: (uploadedAt - started) / 1_000, nextIndex: index };
}

async function queryLatency(retriever) {
  const samples = [];
  let hits = 0;
  for (let i = 0; i < QUERIES + 20; i += 1) {
    const query = Array.from({ length: 3 + Math.floor(queryRandom() * 5) }, () => word(queryRandom)).join(' ');
    const started = performance.now();
    const result = await retriever.retrieve({ tenantId: key.tenant_id, collection: 'bench', query, topK: 5 });
    if (i >= 20) {
      samples.push(performance.now() - started);
      hits += result.chunks.length;
    }
  }
  return { ...summary(samples), mean_hits: hits / QUERIES };
}

// ---- pathological documents ----------------------------------------------------------------
/** Ordinary prose of `bytes` bytes: paragraphs (or one line when `oneLine`). */
function prose(bytes, { oneLine = false } = {}) {
  const parts = [];
  let length = 0;
  while (length < bytes) {
    const p = paragraph();
    parts.push(p);
    length += p.length + 2;
  }
  return (oneLine ? parts.join(' ') : parts.join('\n\n')).slice(0, bytes);
}
const htmlPage = (body) => `<!doctype html><html><head><title>Bench</title></head><body><main>${body}</main></body></html>`;
function ordinaryHtml(bytes) {
  const parts = [];
  let length = 0;
  for (let n = 0; length < bytes; n += 1) {
    const part = `${n % 6 === 0 ? `<h2>Section ${n}</h2>` : ''}<p>${paragraph()}</p>`;
    parts.push(part);
    length += part.length;
  }
  return htmlPage(parts.join(''));
}
/** Subtrees nested `depth` deep, each holding a sentence, repeated up to `bytes`. */
function nestedHtml(bytes, depth) {
  const subtree = () => `${'<div>'.repeat(depth)}<p>${sentence()}</p>${'</div>'.repeat(depth)}`;
  const parts = [];
  let length = 0;
  while (length < bytes) {
    const part = subtree();
    parts.push(part);
    length += part.length;
  }
  return htmlPage(parts.join(''));
}
/** Lines of about 90 characters of prose, 45 to a page, until the PDF is `bytes` long. */
function ordinaryPdf(bytes) {
  const lines = prose(bytes * 2).match(/.{1,90}(\s|$)/g).map((line) => line.trim());
  let pages = Math.max(1, Math.round(bytes / 4_500));
  for (;;) {
    const pdf = buildPdf(Array.from({ length: pages }, (_, n) => lines.slice((n * 45) % (lines.length - 45), ((n * 45) % (lines.length - 45)) + 45)));
    if (pdf.length >= bytes) return pdf;
    pages = Math.ceil(pages * (bytes / pdf.length)) + 1;
  }
}

/** Uploads one document alone and waits for it, measuring wall time, the worker's CPU and its worst /health answer meanwhile. */
async function ingestAlone(document) {
  let probing = true;
  let worstHealthMs = 0;
  const probes = (async () => {
    while (probing) {
      const started = performance.now();
      await fetch(`${worker.url}/health`, { signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
      worstHealthMs = Math.max(worstHealthMs, performance.now() - started);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const cpuBefore = cpuSeconds(worker.child.pid);
  const started = performance.now();
  const id = await upload(document);
  let row;
  for (;;) {
    row = await prisma.document.findUnique({ where: { id }, select: { status: true, chunksTotal: true, error: true } });
    if (row.status === 'indexed' || row.status === 'failed') break;
    if (Date.now() > deadline) throw new Error(`time limit reached while ${document.filename} was ${row.status}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  const seconds = (performance.now() - started) / 1_000;
  const cpu = cpuSeconds(worker.child.pid) - cpuBefore;
  probing = false;
  await probes;
  return { bytes: document.bytes.length, status: row.status, error: row.error, chunks: row.chunksTotal, seconds, cpu, worst_health_ms: worstHealthMs };
}

async function pathologicalPhase() {
  const size = PATHOLOGICAL_BYTES;
  const tinyPages = buildPdf(Array.from({ length: 10_000 }, (_, n) => [`Page ${n + 1}.`]));
  const cases = [
    { name: 'one giant word: a run of "a" (the issue\'s reproduction)', filename: 'word.txt', bytes: Buffer.alloc(size, 'a'), ordinary: () => Buffer.from(prose(size)) },
    { name: 'one giant word: random letters', filename: 'random.txt', bytes: randomLetters(size), ordinary: () => Buffer.from(prose(size)) },
    { name: 'one huge line: words, no sentence end, no newline', filename: 'line.txt', bytes: Buffer.from(prose(size, { oneLine: true }).replace(/[.]/g, '')), ordinary: () => Buffer.from(prose(size)) },
    { name: 'HTML nested 500 deep, repeated', filename: 'nested.html', bytes: Buffer.from(nestedHtml(size, 500)), ordinary: () => Buffer.from(ordinaryHtml(size)) },
    { name: 'HTML nested past MAX_HTML_DEPTH (refused)', filename: 'deep.html', bytes: Buffer.from(nestedHtml(size, Math.floor(size / 11))), ordinary: () => Buffer.from(ordinaryHtml(size)) },
    { name: 'PDF with 10,000 tiny pages', filename: 'pages.pdf', bytes: tinyPages, ordinary: () => ordinaryPdf(tinyPages.length) },
  ];
  const results = [];
  for (const testCase of cases) {
    console.log(`  ${testCase.name}…`);
    const ordinaryBytes = testCase.ordinary();
    const ordinary = await ingestAlone({ filename: `ordinary-${testCase.filename}`, bytes: ordinaryBytes });
    const pathological = await ingestAlone({ filename: testCase.filename, bytes: testCase.bytes });
    results.push({ case: testCase.name, pathological, ordinary, wall_ratio: pathological.seconds / ordinary.seconds, cpu_ratio: pathological.cpu / Math.max(0.01, ordinary.cpu) });
  }
  return results;
}

const retriever = new Retriever(prisma, vectors, embedder);
const phases = [];
let pathological = [];
let nextIndex = 0;
try {
  for (const target of PHASES.has('throughput') ? TARGET_CHUNKS : []) {
    console.log(`ingesting up to ~${target} chunks…`);
    const ingest = await ingestUntil(target, nextIndex);
    nextIndex = ingest.nextIndex;
    const totalChunks = await prisma.documentChunk.count({ where: { tenantId: key.tenant_id } });
    const totalDocuments = await prisma.document.count({ where: { tenantId: key.tenant_id } });
    console.log(`  ${ingest.documents} documents, ${ingest.chunks} chunks in ${fmt(ingest.seconds, 1)} s; measuring ${QUERIES} queries at ${totalChunks} chunks…`);
    const fresh = await queryLatency(retriever);
    // Right after a bulk load Postgres' statistics are stale and the planner may prefer the btree
    // filter index over HNSW; autovacuum's ANALYZE fixes that later. Measure both.
    await prisma.$executeRawUnsafe(`ANALYZE "vector_space_${space.name}"`);
    phases.push({ target, ingest, totalChunks, totalDocuments, query: fresh, analyzed: await queryLatency(retriever) });
  }
  if (PHASES.has('pathological')) {
    console.log(`pathological documents of ~${fmt(PATHOLOGICAL_BYTES / 2 ** 20, 1)} MiB, each against an ordinary one of the same format and size, one at a time…`);
    pathological = await pathologicalPhase();
  }
} finally {
  await Promise.all(services.map((service) => service.stop()));
  await prisma.$disconnect();
  await vectors.close();
  rmSync(blobDir, { recursive: true, force: true });
}

const date = new Date().toISOString();
const all = phases.reduce((sum, p) => ({ documents: sum.documents + p.ingest.documents, chunks: sum.chunks + p.ingest.chunks, bytes: sum.bytes + p.ingest.bytes, seconds: sum.seconds + p.ingest.seconds }), { documents: 0, chunks: 0, bytes: 0, seconds: 0 });
console.log(`\nConduit ingestion benchmark — ${date}\nmachine: ${machine()}`);
console.log(`path: multipart upload → api-gateway → BullMQ → ingestion-worker (concurrency ${WORKER_CONCURRENCY}; parse, clean, chunk ${CHUNK_TOKENS} tokens, hashing-v2/384 embedder, pgvector HNSW) → indexed\n`);
if (phases.length > 0) {
  console.log(
    table(
      ['phase', 'documents', 'chunks', 'MB', 'seconds', 'docs/s', 'chunks/s'],
      [
        ...phases.map((p) => [`to ~${p.target} chunks`, p.ingest.documents, p.ingest.chunks, fmt(p.ingest.bytes / 1e6, 1), fmt(p.ingest.seconds, 1), fmt(p.ingest.documents / p.ingest.seconds, 1), fmt(p.ingest.chunks / p.ingest.seconds, 0)]),
        ['total', all.documents, all.chunks, fmt(all.bytes / 1e6, 1), fmt(all.seconds, 1), fmt(all.documents / all.seconds, 1), fmt(all.chunks / all.seconds, 0)],
      ],
    ),
  );
  console.log(`\nretrieval (Retriever.retrieve: collection lookup, query embedding, tenant-filtered pgvector search top-5, file names), ${QUERIES} sequential queries:\n`);
  console.log(
    table(
      ['chunks in space', 'documents', 'statistics', 'p50 ms', 'p99 ms', 'mean ms', 'hits/query'],
      phases.flatMap((p) => [
        [p.totalChunks, p.totalDocuments, 'right after load', fmt(p.query.p50), fmt(p.query.p99), fmt(p.query.mean), fmt(p.query.mean_hits, 1)],
        [p.totalChunks, p.totalDocuments, 'after ANALYZE', fmt(p.analyzed.p50), fmt(p.analyzed.p99), fmt(p.analyzed.mean), fmt(p.analyzed.mean_hits, 1)],
      ]),
    ),
  );
}
if (pathological.length > 0) {
  console.log(`\npathological documents (alone, upload → indexed or failed; worker CPU from /proc; ratio = pathological / ordinary of the same format and size):\n`);
  console.log(
    table(
      ['case', 'MB', 'outcome', 'chunks', 'seconds', 'worker CPU s', 'worst /health ms', 'ordinary chunks', 'ordinary s', 'ordinary CPU s', 'ratio (wall)', 'ratio (CPU)'],
      pathological.map((r) => [
        r.case,
        fmt(r.pathological.bytes / 1e6, 1),
        r.pathological.status === 'failed' ? `failed: ${(r.pathological.error ?? '').split(':')[0]}` : r.pathological.status,
        r.pathological.chunks,
        fmt(r.pathological.seconds),
        fmt(r.pathological.cpu),
        fmt(r.pathological.worst_health_ms, 0),
        r.ordinary.chunks,
        fmt(r.ordinary.seconds),
        fmt(r.ordinary.cpu),
        fmt(r.wall_ratio),
        fmt(r.cpu_ratio),
      ]),
    ),
  );
}
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(
  join(root, 'bench', 'results', `ingest-${date.replace(/[:.]/g, '-')}.json`),
  JSON.stringify({ date, machine: machine(), chunk_tokens: CHUNK_TOKENS, worker_concurrency: WORKER_CONCURRENCY, phases, total: all, pathological }, null, 2),
);
