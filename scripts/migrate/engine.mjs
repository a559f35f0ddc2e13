// Prisma's schema engine, compiled to WebAssembly, over the driver adapter (adapter.mjs).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { CharAsTextClient, patchAdapter } from './adapter.mjs';
import { SCHEMA_PATH } from './migrations.mjs';
import { openShadowDatabase } from './shadow-database.mjs';

const require = createRequire(import.meta.url);
const { PrismaPg } = require('@prisma/adapter-pg');
const { bindMigrationAwareSqlAdapterFactory } = require('@prisma/driver-adapter-utils');

const verbose = process.env.MIGRATE_VERBOSE === '1' || process.argv.includes('--verbose');

/** PrismaPg with the adapter tweaks (adapter.mjs) and a shadow-database connector that cleans up after itself. */
class MigrationPg extends PrismaPg {
  constructor(conn) {
    const poolConfig = { ...conn.config, max: 4, Client: CharAsTextClient };
    super(poolConfig, conn.schema !== 'public' ? { schema: conn.schema } : undefined);
    this.conn = conn;
    this.poolConfig = poolConfig;
    /** @type {Array<{ dispose(): Promise<void> }>} */
    this.opened = [];
  }

  async connect() {
    const adapter = patchAdapter(await super.connect());
    this.opened.push(adapter);
    return adapter;
  }

  async connectToShadowDb() {
    const adapter = await openShadowDatabase(this.conn, this.poolConfig);
    this.opened.push(adapter);
    return adapter;
  }

  async closeAll() {
    await Promise.allSettled(this.opened.map((a) => a.dispose()));
  }
}

let wasmModulePromise;

/**
 * Loads @prisma/schema-engine-wasm. Its entry point imports the .wasm file as
 * an ES module, which Node 20 cannot do without a flag, so the module is
 * instantiated here from the package's JS glue instead.
 */
function loadSchemaEngine() {
  wasmModulePromise ??= (async () => {
    globalThis.PRISMA_WASM_PANIC_REGISTRY ??= {
      message: '',
      set_message(message) {
        this.message = `RuntimeError: ${message}`;
      },
    };
    const glue = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const wasmPath = path.join(path.dirname(require.resolve('@prisma/schema-engine-wasm')), 'schema_engine_bg.wasm');
    const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), { './schema_engine_bg.js': glue });
    glue.__wbg_set_wasm(instance.exports);
    instance.exports.__wbindgen_start();
    return glue;
  })();
  return wasmModulePromise;
}

function engineLog(line) {
  let level = 'INFO';
  let message = line;
  try {
    const parsed = JSON.parse(line);
    level = parsed.level ?? level;
    message = parsed.fields?.message ?? line;
  } catch {
    // not JSON: print as is
  }
  if (verbose || level === 'WARN' || level === 'ERROR') process.stderr.write(`[schema-engine] ${level} ${message}\n`);
}

/** Runs `fn(engine, schemaText)` with a schema engine on the database, and frees everything after. */
export async function withEngine(conn, fn) {
  const { SchemaEngine } = await loadSchemaEngine();
  const schema = await readFile(SCHEMA_PATH, 'utf8');
  const factory = new MigrationPg(conn);
  let engine;
  try {
    engine = await SchemaEngine.new({ datamodels: [[SCHEMA_PATH, schema]] }, engineLog, bindMigrationAwareSqlAdapterFactory(factory));
    return await fn(engine, schema);
  } catch (err) {
    const panic = globalThis.PRISMA_WASM_PANIC_REGISTRY?.message;
    if (panic && err instanceof WebAssembly.RuntimeError) throw new Error(`schema engine panicked: ${panic}`);
    throw err;
  } finally {
    try {
      engine?.free();
    } catch {
      // already freed
    }
    await factory.closeAll();
  }
}

/** Engine errors end with a Rust span trace ("   0: module::fn ... at file.rs:12"); keep the message only. */
export function cleanEngineMessage(message) {
  const lines = String(message).split('\n');
  const traceStart = lines.findIndex((l) => /^\s+0: \S/.test(l));
  return (traceStart >= 0 ? lines.slice(0, traceStart) : lines).join('\n').trim();
}
