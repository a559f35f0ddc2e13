import { createHash } from 'node:crypto';
import { InvalidVectorInputError } from './vector-store.exception';
import type { VectorSpace } from './vector-store';

/** Longest space name: keeps `vector_space_<name>_hnsw` inside Postgres' 63-byte identifier limit. */
export const MAX_SPACE_NAME_LENGTH = 40;
/** pgvector's `vector` type stores at most 16,000 dimensions. */
export const MAX_DIMENSION = 16_000;

const SPACE_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/**
 * The vector space of an embedding model at a dimension, e.g. `vectorSpaceFor('text-embedding-3-small', 1536)`
 * → `{ name: 'text-embedding-3-small-1536', dimension: 1536 }`. The model id is lower-cased, every run of
 * characters outside [a-z0-9_-] becomes `-`, and ids too long for {@link MAX_SPACE_NAME_LENGTH} are cut
 * and suffixed with a hash of the full id, so distinct models never share a space.
 */
export function vectorSpaceFor(model: string, dimension: number): VectorSpace {
  assertDimension(dimension);
  const suffix = `-${dimension}`;
  let base = model
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '') // accents dropped: é → e
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
  if (base === '') base = 'model';
  if (base.length + suffix.length > MAX_SPACE_NAME_LENGTH) {
    const hash = createHash('sha256').update(model).digest('hex').slice(0, 8);
    const room = MAX_SPACE_NAME_LENGTH - suffix.length - hash.length - 1;
    base = `${base.slice(0, room).replace(/[-_]+$/, '')}-${hash}`;
  }
  return { name: `${base}${suffix}`, dimension };
}

export function assertDimension(dimension: number): void {
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > MAX_DIMENSION) {
    throw new InvalidVectorInputError(`vector dimension must be an integer in [1, ${MAX_DIMENSION}], got ${dimension}`);
  }
}

/** Throws unless the space has a valid name ([a-z0-9_-], at most 40 characters) and dimension. */
export function assertSpace(space: VectorSpace): void {
  if (typeof space?.name !== 'string' || !SPACE_NAME.test(space.name) || space.name.length > MAX_SPACE_NAME_LENGTH) {
    throw new InvalidVectorInputError(
      `invalid vector space name ${JSON.stringify(space?.name)}: use [a-z0-9_-], start with a letter or digit, at most ${MAX_SPACE_NAME_LENGTH} characters (see vectorSpaceFor)`,
    );
  }
  assertDimension(space.dimension);
}
