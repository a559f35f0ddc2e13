import { randomUUID } from 'node:crypto';
import { createColleague, useTestDatabase } from '@conduit/testing';
import { MAX_MEMORIES_PER_USER, MemoryStore } from './memory.store';

describe('MemoryStore against real Postgres', () => {
  const db = useTestDatabase('memory-store');
  let store: MemoryStore;

  beforeAll(() => {
    store = new MemoryStore(db.prisma);
  });

  it('scopes every read and write to one user of one tenant', async () => {
    const owner = await db.newOwner();
    const colleague = await createColleague(db.prisma, owner);
    const stranger = await db.newOwner();
    const added = await store.addStated(owner, 'Prefers tea', 'preference');
    const id = added?.memory.id as string;
    for (const other of [colleague, stranger, { tenantId: stranger.tenantId, userId: owner.userId }]) {
      expect(await store.find(other, id)).toBeNull();
      expect(await store.list(other, { limit: 10 })).toEqual([]);
      expect(await store.liveAmong(other, [id])).toEqual([]);
      expect(await store.forget(other, id)).toBe(false);
    }
    expect(await store.liveAmong(owner, [id, randomUUID()])).toEqual([{ id, kind: 'preference', content: 'Prefers tea' }]);
    expect(await store.forget(owner, id)).toBe(true);
    // Forgotten: hidden at once, kept as a tombstone until its vector is gone.
    expect(await store.find(owner, id)).toBeNull();
    expect(await store.liveAmong(owner, [id])).toEqual([]);
    expect(await store.tombstones(owner)).toEqual([id]);
    await store.purge(owner, [id]);
    expect(await store.allIds(owner)).toEqual([]);
  });

  it('pages newest first; an unknown cursor is null', async () => {
    const owner = await db.newOwner();
    const ids: string[] = [];
    for (const fact of ['A one', 'B two', 'C three']) ids.push((await store.addStated(owner, fact, 'other'))?.memory.id as string);
    const first = (await store.list(owner, { limit: 2 })) ?? [];
    expect(first).toHaveLength(3); // limit + 1: the extra row says there is more
    const rest = (await store.list(owner, { limit: 2, after: first[1]?.id })) ?? [];
    expect([...first.slice(0, 2), ...rest].map((m) => m.id).sort()).toEqual([...ids].sort());
    expect(await store.list(owner, { limit: 2, after: randomUUID() })).toBeNull();
  });

  it('claims an extraction once: a second run of the same turn writes nothing', async () => {
    const owner = await db.newOwner();
    const messageId = randomUUID();
    const operations = [{ op: 'add' as const, kind: 'project' as const, content: 'Working on a boat' }];
    const [a, b] = await Promise.all([store.applyExtraction(owner, messageId, operations), store.applyExtraction(owner, messageId, operations)]);
    expect([a.outcome, b.outcome].sort()).toEqual(['applied', 'duplicate']);
    expect(await store.count(owner)).toBe(1);
    expect(await store.extracted(messageId)).toBe(true);
    expect(await store.rejectExtraction(owner, messageId)).toBe(false);
    const [memory] = await store.live(owner);
    expect((await store.find(owner, memory?.id as string))?.sourceMessageIds).toEqual([messageId]);
  });

  it('refuses stated memories past the per-user limit and skips extracted adds beyond it', async () => {
    const owner = await db.newOwner();
    await db.prisma.memory.createMany({
      data: Array.from({ length: MAX_MEMORIES_PER_USER }, (_, i) => ({ id: randomUUID(), ...owner, kind: 'other', content: `Fact ${i}`, contentHash: `h${i}`, origin: 'stated' })),
    });
    expect(await store.addStated(owner, 'One more', 'other')).toBeNull();
    const write = await store.applyExtraction(owner, randomUUID(), [{ op: 'add', kind: 'other', content: 'Another one' }]);
    expect(write).toMatchObject({ outcome: 'no_change' });
    expect(await store.count(owner)).toBe(MAX_MEMORIES_PER_USER);
  });
});
