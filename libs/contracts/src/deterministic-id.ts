import { createHash } from 'node:crypto';

/** Conduit's fixed namespace for name-based ids. */
const NAMESPACE = Buffer.from('6f1c2b9e8a3d4e5f9b0c1d2e3f405162', 'hex');

/**
 * A name-based UUID (RFC 9562 version 5: SHA-1 of a fixed namespace and the name). The same name
 * always gives the same id, so work that is re-run (a retried job, a replayed message) writes the
 * same rows and emits the same events instead of new ones: e.g. `uuidFromName('job:<id>:assistant:0')`.
 */
export function uuidFromName(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
