// The node-postgres driver adapter as Prisma's schema engine needs it (three quirks of running the
// WebAssembly engine over @prisma/adapter-pg instead of the native engine).
import { pg } from './connection.mjs';

const PG_CHAR_OID = 18; // the internal one-byte "char" type (pg_class.relkind, pg_constraint.contype, ...)
const PG_TEXT_OID = 25;

function charFieldsAsText(result) {
  for (const res of Array.isArray(result) ? result : [result]) {
    if (!res || !Array.isArray(res.fields)) continue;
    for (const field of res.fields) if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
  }
  return result;
}

/**
 * pg.Client that reports columns of type "char" (oid 18) as text: the driver
 * adapter rejects oid 18 as an unsupported type, but the schema engine's
 * introspection queries select such catalog columns. Values are already strings.
 */
export class CharAsTextClient extends pg.Client {
  query(...args) {
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const callback = args[last];
      args[last] = (err, res) => callback(err, err ? res : charFieldsAsText(res));
      return super.query(...args);
    }
    const ret = super.query(...args);
    return ret && typeof ret.then === 'function' ? ret.then(charFieldsAsText) : ret;
  }
}

/**
 * Makes an adapter run migration scripts the way Prisma's native engine does:
 * the whole script in one simple-protocol query. (The stock adapter splits on
 * every `;`, which breaks function bodies and string literals.) Also makes
 * dispose() idempotent so a final cleanup can always call it.
 */
export function patchAdapter(adapter, onDispose) {
  const pool = adapter.underlyingDriver();
  adapter.executeScript = async (script) => {
    try {
      await pool.query(script);
    } catch (err) {
      adapter.onError(err);
    }
  };
  const dispose = adapter.dispose.bind(adapter);
  let disposed;
  adapter.dispose = () => {
    disposed ??= (async () => {
      try {
        await dispose();
      } finally {
        if (onDispose) await onDispose();
      }
    })();
    return disposed;
  };
  return adapter;
}
