import { VectorStoreReadiness } from './vector-store.readiness';
import type { VectorStore } from './vector-store';

function storeWith(ping: () => Promise<void>): VectorStore {
  return { kind: 'qdrant', ping } as unknown as VectorStore;
}

describe('VectorStoreReadiness', () => {
  afterEach(() => jest.useRealTimers());

  it('is named vector-store and passes when the store answers', async () => {
    const readiness = new VectorStoreReadiness(storeWith(async () => undefined));
    expect(readiness.name).toBe('vector-store');
    await expect(readiness.check()).resolves.toBeUndefined();
  });

  it("passes the store's own reason through", async () => {
    const readiness = new VectorStoreReadiness(storeWith(async () => Promise.reject(new Error('qdrant did not answer: ECONNREFUSED'))));
    await expect(readiness.check()).rejects.toThrow('qdrant did not answer: ECONNREFUSED');
  });

  it('fails after two seconds when the store hangs', async () => {
    jest.useFakeTimers();
    const readiness = new VectorStoreReadiness(storeWith(() => new Promise<void>(() => undefined)));
    const check = readiness.check();
    jest.advanceTimersByTime(2_000);
    await expect(check).rejects.toThrow('qdrant vector store did not answer within 2000 ms');
  });
});
