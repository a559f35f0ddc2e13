import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BlobNotFoundError, InvalidBlobKeyError } from './blob-store';
import { FsBlobStore } from './fs-blob.store';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

describe('FsBlobStore (real filesystem)', () => {
  let sandbox: string;
  let root: string;
  let store: FsBlobStore;

  beforeEach(async () => {
    sandbox = await mkdtemp(path.join(tmpdir(), 'conduit-blobs-'));
    root = path.join(sandbox, 'root');
    store = new FsBlobStore(root);
  });

  afterEach(async () => {
    await rm(sandbox, { recursive: true, force: true });
  });

  it('round-trips bytes under nested keys, creating directories', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 254]);
    await store.put('documents/tenant-a/doc-1', bytes);
    expect(await store.get('documents/tenant-a/doc-1')).toEqual(bytes);
    expect(await filesUnder(root)).toEqual(['documents/tenant-a/doc-1']);
  });

  it('replaces a value whole and leaves no temp files behind', async () => {
    await store.put('k', Buffer.from('old value'));
    await store.put('k', Buffer.from('new'));
    expect((await store.get('k')).toString()).toBe('new');
    expect(await filesUnder(root)).toEqual(['k']);
  });

  it('never exposes a partially written value to concurrent readers', async () => {
    const big = (fill: number) => Buffer.alloc(4 * 1024 * 1024, fill);
    await store.put('big', big(1));
    const writes = [store.put('big', big(2)), store.put('big', big(3))];
    const reads: Buffer[] = [];
    for (let i = 0; i < 20; i += 1) reads.push(await store.get('big'));
    await Promise.all(writes);
    for (const read of reads) {
      expect(read.length).toBe(4 * 1024 * 1024);
      expect(read.every((byte) => byte === read[0])).toBe(true);
    }
    expect(await filesUnder(root)).toEqual(['big']);
  });

  it('keeps the old value and cleans up when a write fails', async () => {
    await store.put('a/b', Buffer.from('kept'));
    // A directory where the file should go makes the final rename fail.
    await store.put('a/dir/x', Buffer.from('x'));
    await expect(store.put('a/dir', Buffer.from('nope'))).rejects.toThrow();
    expect((await store.get('a/b')).toString()).toBe('kept');
    expect(await filesUnder(root)).toEqual(['a/b', 'a/dir/x']);
  });

  it('answers BlobNotFoundError for a missing key, and deletes idempotently', async () => {
    await expect(store.get('missing/key')).rejects.toBeInstanceOf(BlobNotFoundError);
    await store.put('gone', Buffer.from('x'));
    await store.delete('gone');
    await store.delete('gone');
    await expect(store.get('gone')).rejects.toBeInstanceOf(BlobNotFoundError);
  });

  it('cannot read, write or delete outside its root', async () => {
    const outside = path.join(sandbox, 'outside.txt');
    await writeFile(outside, 'secret');
    for (const key of ['../outside.txt', '/etc/passwd', 'a/../../outside.txt', '..', '.']) {
      await expect(store.get(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
      await expect(store.put(key, Buffer.from('pwned'))).rejects.toBeInstanceOf(InvalidBlobKeyError);
      await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
    }
    expect(await readFile(outside, 'utf8')).toBe('secret');
    await expect(stat(root)).rejects.toThrow();
  });

  it('resolves a relative root against the working directory', () => {
    expect(new FsBlobStore('./tmp/blobs').root).toBe(path.resolve('tmp/blobs'));
  });
});
