/**
 * The behaviour every {@link VectorStore} adapter must have, as one jest suite. Each adapter's
 * int-spec calls {@link describeVectorStoreContract} with a factory for a store connected to a real
 * backend. The suite works in its own uniquely named spaces and drops them afterwards.
 */
import { randomUUID } from 'node:crypto';
import {
  InvalidVectorInputError,
  VectorDimensionError,
  VectorSpaceNotFoundError,
  VectorTenantConflictError,
} from './vector-store.exception';
import { chunkPointId } from './validation';
import type { ChunkPayload, ManagedVectorStore, VectorPoint, VectorSpace } from './vector-store';

export type VectorStoreFactory = () => ManagedVectorStore | Promise<ManagedVectorStore>;

const DIMENSION = 8;

/** Unit vector along axis `i`. */
function axis(i: number, dimension = DIMENSION): number[] {
  const v = new Array<number>(dimension).fill(0);
  v[i] = 1;
  return v;
}

/** Normalised weighted sum of axis vectors, e.g. blend([0, 1], [1, 0.5]). */
function blend(axes: number[], weights: number[], dimension = DIMENSION): number[] {
  const v = new Array<number>(dimension).fill(0);
  axes.forEach((a, k) => (v[a] += weights[k]));
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

interface ChunkSpec {
  tenant: string;
  document: string;
  chunk: number;
  vector: number[];
  collection?: string;
  text?: string;
}

function point(spec: ChunkSpec): VectorPoint {
  const text = spec.text ?? `chunk ${spec.chunk} of ${spec.document}`;
  const payload: ChunkPayload = {
    tenant_id: spec.tenant,
    document_id: spec.document,
    collection: spec.collection ?? 'default',
    chunk_index: spec.chunk,
    text,
    start_offset: spec.chunk * 100,
    end_offset: spec.chunk * 100 + text.length,
  };
  return { id: chunkPointId(spec.tenant, spec.document, spec.chunk), vector: spec.vector, payload };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

export function describeVectorStoreContract(name: string, factory: VectorStoreFactory): void {
  describe(`VectorStore contract: ${name}`, () => {
    const run = randomUUID().slice(0, 8);
    const space: VectorSpace = { name: `contract-${run}-${DIMENSION}`, dimension: DIMENSION };
    const extraSpaces: VectorSpace[] = [];
    let store: ManagedVectorStore;

    beforeAll(async () => {
      store = await factory();
      await store.ensureSpace(space);
    });

    afterAll(async () => {
      if (!store) return;
      for (const s of [space, ...extraSpaces]) await store.dropSpace(s).catch(() => undefined);
      await store.close();
    });

    it('pings', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('returns the nearest points first, with cosine scores and the payload', async () => {
      const tenant = randomUUID();
      const document = randomUUID();
      const points = [
        point({ tenant, document, chunk: 0, vector: axis(0), text: 'exact' }),
        point({ tenant, document, chunk: 1, vector: blend([0, 1], [1, 0.5]), text: 'close' }),
        point({ tenant, document, chunk: 2, vector: axis(1), text: 'orthogonal' }),
        point({ tenant, document, chunk: 3, vector: blend([0, 2], [-1, 0.1]), text: 'opposite' }),
      ];
      await store.upsert(space, points);

      const hits = await store.search(space, axis(0), { tenantId: tenant, limit: 3 });
      expect(hits.map((h) => h.payload.text)).toEqual(['exact', 'close', 'orthogonal']);
      expect(hits[0].score).toBeCloseTo(1, 4);
      expect(hits[1].score).toBeCloseTo(1 / Math.sqrt(1.25), 4);
      expect(hits[2].score).toBeCloseTo(0, 4);
      expect(hits[0].id).toBe(points[0].id);
      expect(hits[0].payload).toEqual(points[0].payload);

      const all = await store.search(space, axis(0), { tenantId: tenant, limit: 10 });
      expect(all).toHaveLength(4);
      expect(all[3].payload.text).toBe('opposite');
      expect(all[3].score).toBeLessThan(-0.9);
      for (let i = 1; i < all.length; i++) expect(all[i - 1].score).toBeGreaterThanOrEqual(all[i].score);
    });

    it('upserting the same ids again replaces the points instead of duplicating them', async () => {
      const tenant = randomUUID();
      const document = randomUUID();
      const make = (text: string) => [0, 1, 2].map((chunk) => point({ tenant, document, chunk, vector: axis(chunk), text: `${text} ${chunk}` }));
      await store.upsert(space, make('first'));
      await store.upsert(space, make('second'));
      // the same id twice in one call keeps the last one
      await store.upsert(space, [...make('third'), point({ tenant, document, chunk: 0, vector: axis(0), text: 'last wins' })]);
      expect(await store.countDocument(space, tenant, document)).toBe(3);
      const hits = await store.search(space, axis(0), { tenantId: tenant, limit: 10 });
      expect(hits).toHaveLength(3);
      expect(hits[0].payload.text).toBe('last wins');
      expect(hits.map((h) => h.payload.text).sort()).toEqual(['last wins', 'third 1', 'third 2']);
    });

    it('drops hits below the score threshold', async () => {
      const tenant = randomUUID();
      const document = randomUUID();
      await store.upsert(space, [
        point({ tenant, document, chunk: 0, vector: axis(3), text: 'near' }),
        point({ tenant, document, chunk: 1, vector: blend([3, 4], [1, 0.3]), text: 'fairly near' }),
        point({ tenant, document, chunk: 2, vector: blend([3, 4], [0.2, 1]), text: 'far' }),
        point({ tenant, document, chunk: 3, vector: axis(5), text: 'unrelated' }),
      ]);
      const hits = await store.search(space, axis(3), { tenantId: tenant, limit: 10, scoreThreshold: 0.5 });
      expect(hits.map((h) => h.payload.text)).toEqual(['near', 'fairly near']);
      for (const hit of hits) expect(hit.score).toBeGreaterThanOrEqual(0.5);
      expect(await store.search(space, axis(3), { tenantId: tenant, limit: 10, scoreThreshold: 1.01 })).toEqual([]);
    });

    it('filters by collection and by document ids', async () => {
      const tenant = randomUUID();
      const [docA, docB, docC] = [randomUUID(), randomUUID(), randomUUID()];
      await store.upsert(space, [
        point({ tenant, document: docA, chunk: 0, vector: axis(0), collection: 'manuals' }),
        point({ tenant, document: docA, chunk: 1, vector: blend([0, 1], [1, 1]), collection: 'manuals' }),
        point({ tenant, document: docB, chunk: 0, vector: blend([0, 1], [1, 0.2]), collection: 'faq' }),
        point({ tenant, document: docC, chunk: 0, vector: blend([0, 2], [1, 0.4]), collection: 'faq' }),
      ]);
      const manuals = await store.search(space, axis(0), { tenantId: tenant, collection: 'manuals', limit: 10 });
      expect(manuals.map((h) => [h.payload.document_id, h.payload.chunk_index])).toEqual([
        [docA, 0],
        [docA, 1],
      ]);
      const faq = await store.search(space, axis(0), { tenantId: tenant, collection: 'faq', limit: 10 });
      expect(faq.map((h) => h.payload.document_id)).toEqual([docB, docC]);

      const byDocs = await store.search(space, axis(0), { tenantId: tenant, documentIds: [docA, docC], limit: 10 });
      expect(byDocs.map((h) => h.payload.document_id)).toEqual([docA, docC, docA]);

      const both = await store.search(space, axis(0), { tenantId: tenant, collection: 'faq', documentIds: [docA, docC], limit: 10 });
      expect(both.map((h) => h.payload.document_id)).toEqual([docC]);
      expect(await store.search(space, axis(0), { tenantId: tenant, documentIds: [], limit: 10 })).toEqual([]);
      expect(await store.search(space, axis(0), { tenantId: tenant, collection: 'nothing-here', limit: 10 })).toEqual([]);
    });

    describe('tenant isolation', () => {
      it("never returns another tenant's points, even closer or identical ones", async () => {
        const [tenantA, tenantB, tenantC] = [randomUUID(), randomUUID(), randomUUID()];
        const document = randomUUID(); // the same document id in both tenants
        // B holds the exact query vector many times over; A only has far points.
        const bPoints = Array.from({ length: 40 }, (_, chunk) => point({ tenant: tenantB, document, chunk, vector: axis(0), text: 'B secret' }));
        await store.upsert(space, bPoints);
        await store.upsert(space, [
          point({ tenant: tenantA, document, chunk: 0, vector: blend([0, 6], [0.1, 1]), text: 'A far' }),
          point({ tenant: tenantA, document, chunk: 1, vector: axis(7), text: 'A farther' }),
        ]);

        for (const limit of [1, 2, 10, 100]) {
          const hits = await store.search(space, axis(0), { tenantId: tenantA, limit });
          expect(hits.length).toBe(Math.min(limit, 2));
          for (const hit of hits) {
            expect(hit.payload.tenant_id).toBe(tenantA);
            expect(hit.payload.text).not.toBe('B secret');
          }
        }
        const filtered = await store.search(space, axis(0), { tenantId: tenantA, documentIds: [document], collection: 'default', limit: 5 });
        expect(filtered.map((h) => h.payload.text)).toEqual(['A far', 'A farther']);
        expect(await store.search(space, axis(0), { tenantId: tenantC, limit: 10 })).toEqual([]);
        const ofB = await store.search(space, axis(0), { tenantId: tenantB, limit: 100 });
        expect(ofB).toHaveLength(40);
        expect(ofB.every((h) => h.payload.tenant_id === tenantB)).toBe(true);
      });

      it("deleteDocument and countDocument of one tenant never touch another tenant's same document id", async () => {
        const [tenantA, tenantB] = [randomUUID(), randomUUID()];
        const document = randomUUID();
        await store.upsert(space, [0, 1].map((chunk) => point({ tenant: tenantA, document, chunk, vector: axis(chunk) })));
        await store.upsert(space, [0, 1, 2].map((chunk) => point({ tenant: tenantB, document, chunk, vector: axis(chunk) })));
        expect(await store.countDocument(space, tenantA, document)).toBe(2);
        expect(await store.countDocument(space, tenantB, document)).toBe(3);

        await store.deleteDocument(space, tenantA, document);
        expect(await store.countDocument(space, tenantA, document)).toBe(0);
        expect(await store.countDocument(space, tenantB, document)).toBe(3);
        expect(await store.search(space, axis(0), { tenantId: tenantB, documentIds: [document], limit: 10 })).toHaveLength(3);
        // deleting a document the tenant does not have is a no-op
        await store.deleteDocument(space, randomUUID(), document);
        expect(await store.countDocument(space, tenantB, document)).toBe(3);
      });

      it("rejects an upsert that would overwrite another tenant's point id, writing nothing", async () => {
        const [tenantA, tenantB] = [randomUUID(), randomUUID()];
        const document = randomUUID();
        const original = point({ tenant: tenantA, document, chunk: 0, vector: axis(2), text: 'A original' });
        await store.upsert(space, [original]);
        const hijack: VectorPoint = { ...original, payload: { ...original.payload, tenant_id: tenantB, text: 'B hijack' } };
        const innocent = point({ tenant: tenantB, document, chunk: 5, vector: axis(3) });
        const error = await rejection(store.upsert(space, [innocent, hijack]));
        expect(error).toBeInstanceOf(VectorTenantConflictError);
        expect((error as VectorTenantConflictError).ids).toEqual([original.id]);
        const [hit] = await store.search(space, axis(2), { tenantId: tenantA, limit: 1 });
        expect(hit.payload.text).toBe('A original');
        expect(await store.search(space, axis(2), { tenantId: tenantB, limit: 10 })).toEqual([]);
      });

      it('rejects ids that are not uuids instead of guessing', async () => {
        await expect(store.search(space, axis(0), { tenantId: 'tenant-a', limit: 1 })).rejects.toBeInstanceOf(InvalidVectorInputError);
        await expect(store.countDocument(space, randomUUID(), 'doc-1')).rejects.toBeInstanceOf(InvalidVectorInputError);
      });
    });

    it('deleteDocument removes every point of the document and nothing else', async () => {
      const tenant = randomUUID();
      const [big, other] = [randomUUID(), randomUUID()];
      // more points than one upsert batch of either adapter
      const points = Array.from({ length: 600 }, (_, chunk) => point({ tenant, document: big, chunk, vector: blend([chunk % DIMENSION, (chunk + 1) % DIMENSION], [1, (chunk % 7) / 7]) }));
      await store.upsert(space, points);
      await store.upsert(space, [point({ tenant, document: other, chunk: 0, vector: axis(0) })]);
      expect(await store.countDocument(space, tenant, big)).toBe(600);

      await store.deleteDocument(space, tenant, big);
      expect(await store.countDocument(space, tenant, big)).toBe(0);
      expect(await store.search(space, axis(0), { tenantId: tenant, documentIds: [big], limit: 100 })).toEqual([]);
      expect(await store.countDocument(space, tenant, other)).toBe(1);
    });

    it('ensureSpace is idempotent, also concurrently and from several store instances', async () => {
      const fresh: VectorSpace = { name: `contract-${run}-fresh-4`, dimension: 4 };
      extraSpaces.push(fresh);
      const second = await factory();
      try {
        await Promise.all([store.ensureSpace(fresh), store.ensureSpace(fresh), second.ensureSpace(fresh), second.ensureSpace(fresh)]);
        await store.ensureSpace(fresh);
        await store.ensureSpace(space);
        const tenant = randomUUID();
        const document = randomUUID();
        await second.upsert(fresh, [point({ tenant, document, chunk: 0, vector: axis(1, 4) })]);
        await store.ensureSpace(fresh);
        expect(await store.countDocument(fresh, tenant, document)).toBe(1);
      } finally {
        await second.close();
      }
    });

    describe('dimension checks', () => {
      it('rejects an upsert whose vectors do not match the space dimension, writing nothing', async () => {
        const tenant = randomUUID();
        const document = randomUUID();
        const good = point({ tenant, document, chunk: 0, vector: axis(0) });
        const bad = point({ tenant, document, chunk: 1, vector: [1, 0, 0] });
        const error = await rejection(store.upsert(space, [good, bad]));
        expect(error).toBeInstanceOf(VectorDimensionError);
        expect(error.message).toMatch(/3 dimensions .*has 8/);
        expect(await store.countDocument(space, tenant, document)).toBe(0);
      });

      it('rejects a query vector of the wrong dimension', async () => {
        await expect(store.search(space, [1, 0], { tenantId: randomUUID(), limit: 1 })).rejects.toBeInstanceOf(VectorDimensionError);
      });

      it('rejects ensureSpace of an existing space with another dimension, and writes sized for it', async () => {
        const other: VectorSpace = { name: space.name, dimension: DIMENSION * 2 };
        const error = await rejection(store.ensureSpace(other));
        expect(error).toBeInstanceOf(VectorDimensionError);
        expect(error.message).toContain(space.name);
        const fresh = await factory();
        try {
          const tenant = randomUUID();
          const sixteen = point({ tenant, document: randomUUID(), chunk: 0, vector: axis(0, DIMENSION * 2) });
          await expect(fresh.upsert(other, [sixteen])).rejects.toBeInstanceOf(VectorDimensionError);
        } finally {
          await fresh.close();
        }
      });
    });

    it('reports a missing space as VectorSpaceNotFoundError', async () => {
      const missing: VectorSpace = { name: `contract-${run}-missing-8`, dimension: DIMENSION };
      const tenant = randomUUID();
      await expect(store.search(missing, axis(0), { tenantId: tenant, limit: 1 })).rejects.toBeInstanceOf(VectorSpaceNotFoundError);
      await expect(store.upsert(missing, [point({ tenant, document: randomUUID(), chunk: 0, vector: axis(0) })])).rejects.toBeInstanceOf(
        VectorSpaceNotFoundError,
      );
      await expect(store.countDocument(missing, tenant, randomUUID())).rejects.toBeInstanceOf(VectorSpaceNotFoundError);
      await store.dropSpace(missing); // dropping a missing space is fine
    });
  });
}
