import { InvalidVectorInputError } from './vector-store.exception';
import { assertSpace, MAX_SPACE_NAME_LENGTH, vectorSpaceFor } from './vector-space';
import { chunkPointId } from './validation';

describe('vectorSpaceFor', () => {
  it('keeps valid model ids and appends the dimension', () => {
    expect(vectorSpaceFor('text-embedding-3-small', 1536)).toEqual({ name: 'text-embedding-3-small-1536', dimension: 1536 });
    expect(vectorSpaceFor('hashing-v2', 384)).toEqual({ name: 'hashing-v2-384', dimension: 384 });
  });

  it('lower-cases and replaces other characters with single dashes', () => {
    expect(vectorSpaceFor('BAAI/bge-small-en-v1.5', 384).name).toBe('baai-bge-small-en-v1-5-384');
    expect(vectorSpaceFor('  Nomic Embed: Text!! ', 768).name).toBe('nomic-embed-text-768');
    expect(vectorSpaceFor('Ünïcödé_mödel', 8).name).toBe('unicode_model-8');
    expect(vectorSpaceFor('///', 8).name).toBe('model-8');
  });

  it('cuts long ids to the limit with a hash so distinct long ids stay distinct', () => {
    const a = vectorSpaceFor('organisation/some-very-long-embedding-model-name-variant-a', 3072);
    const b = vectorSpaceFor('organisation/some-very-long-embedding-model-name-variant-b', 3072);
    expect(a.name.length).toBeLessThanOrEqual(MAX_SPACE_NAME_LENGTH);
    expect(a.name).toMatch(/^organisation-some-very-lon-[0-9a-f]{8}-3072$/);
    expect(a.name).toHaveLength(MAX_SPACE_NAME_LENGTH);
    expect(a.name).not.toBe(b.name);
    expect(() => assertSpace(a)).not.toThrow();
  });

  it('produces names every adapter accepts', () => {
    for (const model of ['x', 'A.B.C', 'model:latest', 'a'.repeat(200), '--x--']) {
      expect(() => assertSpace(vectorSpaceFor(model, 16))).not.toThrow();
    }
  });

  it('rejects invalid dimensions', () => {
    expect(() => vectorSpaceFor('m', 0)).toThrow(InvalidVectorInputError);
    expect(() => vectorSpaceFor('m', 1.5)).toThrow(InvalidVectorInputError);
    expect(() => vectorSpaceFor('m', 16_001)).toThrow(InvalidVectorInputError);
  });
});

describe('assertSpace', () => {
  it('rejects names that could break out of an identifier or path', () => {
    for (const name of ['', 'Upper', 'a b', 'a"b', 'a;drop', '../x', '-lead', 'a'.repeat(41)]) {
      expect(() => assertSpace({ name, dimension: 4 })).toThrow(InvalidVectorInputError);
    }
  });
});

describe('chunkPointId', () => {
  const tenant = '7d1b8c2e-1f0a-4c55-9d0e-2b7c3a9e4f10';
  const document = '0b6f3d7a-5e21-4b8c-a1d4-9e8f7c6b5a43';

  it('is a deterministic version 5 uuid', () => {
    const id = chunkPointId(tenant, document, 3);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(chunkPointId(tenant.toUpperCase(), document, 3)).toBe(id);
  });

  it('differs per tenant, document and chunk', () => {
    const other = 'aaaaaaaa-1f0a-4c55-9d0e-2b7c3a9e4f10';
    const ids = new Set([chunkPointId(tenant, document, 0), chunkPointId(tenant, document, 1), chunkPointId(other, document, 0), chunkPointId(tenant, other, 0)]);
    expect(ids.size).toBe(4);
  });

  it('rejects non-uuid ids and bad chunk indexes', () => {
    expect(() => chunkPointId('t', document, 0)).toThrow(InvalidVectorInputError);
    expect(() => chunkPointId(tenant, document, -1)).toThrow(InvalidVectorInputError);
  });
});
