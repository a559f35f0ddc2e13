/**
 * Stores opaque bytes under a key (uploaded documents, later exports). Keys are relative,
 * `/`-separated paths of [A-Za-z0-9._-] segments, e.g. `documents/<tenant>/<id>`; see {@link assertBlobKey}.
 */
export interface BlobStore {
  /** Writes the whole value atomically: a reader sees the old bytes or the new ones, never a part. */
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** The stored bytes; rejects with {@link BlobNotFoundError} when nothing is stored under the key. */
  get(key: string): Promise<Buffer>;
  /** Removes the value; a missing key is not an error (deletes are idempotent). */
  delete(key: string): Promise<void>;
}

export class BlobStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class BlobNotFoundError extends BlobStoreError {
  constructor(readonly key: string) {
    super(`no blob stored under "${key}"`);
  }
}

export class InvalidBlobKeyError extends BlobStoreError {}

export const MAX_BLOB_KEY_LENGTH = 512;
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * Refuses any key that could escape the store or be ambiguous: absolute paths, `.`/`..` and empty
 * segments, backslashes, control or other characters outside [A-Za-z0-9._-], over-long keys.
 * Segments may not start with a dot, so keys can never collide with the store's temp files.
 */
export function assertBlobKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_BLOB_KEY_LENGTH) {
    throw new InvalidBlobKeyError(`blob key must be 1..${MAX_BLOB_KEY_LENGTH} characters`);
  }
  for (const segment of key.split('/')) {
    if (!SEGMENT.test(segment)) {
      throw new InvalidBlobKeyError(
        `invalid blob key ${JSON.stringify(key.slice(0, 80))}: use "/"-separated segments of [A-Za-z0-9._-] not starting with "."`,
      );
    }
  }
}
