import { randomUUID } from 'node:crypto';
import { BlobNotFoundError, InvalidBlobKeyError } from './blob-store';
import { PgBlobStore } from './pg-blob.store';

describe('PgBlobStore (real Postgres)', () => {
  const store = new PgBlobStore(process.env.DATABASE_URL ?? '');
  const prefix = `test/${randomUUID()}`;

  afterAll(() => store.close());

  it('stores, overwrites and returns bytes exactly', async () => {
    const key = `${prefix}/doc.pdf`;
    const first = Buffer.from([0, 1, 2, 255, 254]);
    await store.put(key, first);
    expect(await store.get(key)).toEqual(first);
    const second = Buffer.from('%PDF-1.7 replaced');
    await store.put(key, second);
    expect(await store.get(key)).toEqual(second);
  });

  it('deletes idempotently and reports a missing key', async () => {
    const key = `${prefix}/gone.txt`;
    await store.put(key, Buffer.from('bye'));
    await store.delete(key);
    await store.delete(key);
    await expect(store.get(key)).rejects.toBeInstanceOf(BlobNotFoundError);
  });

  it('refuses keys that could be ambiguous', async () => {
    await expect(store.put('../escape', Buffer.from('x'))).rejects.toBeInstanceOf(InvalidBlobKeyError);
  });
});
