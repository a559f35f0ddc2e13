import { createHash } from 'node:crypto';
import { InvalidVectorInputError, VectorDimensionError } from './vector-store.exception';
import type { ChunkPayload, VectorPoint, VectorQuery, VectorSpace } from './vector-store';

/** Largest `limit` a search may ask for. */
export const MAX_SEARCH_LIMIT = 1_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Lower-cased uuid, or an {@link InvalidVectorInputError} naming the field. */
export function uuidOf(value: unknown, what: string): string {
  if (typeof value !== 'string' || !UUID.test(value)) {
    throw new InvalidVectorInputError(`${what} must be a uuid, got ${JSON.stringify(value)}`);
  }
  return value.toLowerCase();
}

export function assertVector(vector: readonly number[], space: VectorSpace, what: string): void {
  if (!Array.isArray(vector)) throw new InvalidVectorInputError(`${what} is not an array of numbers`);
  if (vector.length !== space.dimension) {
    throw new VectorDimensionError(
      `${what} has ${vector.length} dimensions but vector space "${space.name}" has ${space.dimension}`,
    );
  }
  for (let i = 0; i < vector.length; i++) {
    const value = vector[i];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new InvalidVectorInputError(`${what}[${i}] is not a finite number (${String(value)})`);
    }
  }
}

/**
 * Validates points against the space and returns them with ids and payload uuids lower-cased.
 * A repeated id keeps its last occurrence (one write per id, as a sequence of upserts would).
 */
export function preparePoints(space: VectorSpace, points: readonly VectorPoint[]): VectorPoint[] {
  if (!Array.isArray(points)) throw new InvalidVectorInputError('points must be an array');
  const byId = new Map<string, VectorPoint>();
  points.forEach((point, index) => {
    const id = uuidOf(point?.id, `points[${index}].id`);
    assertVector(point.vector, space, `points[${index}] (${id}) vector`);
    byId.delete(id);
    byId.set(id, { id, vector: point.vector, payload: preparePayload(point.payload, `points[${index}].payload`) });
  });
  return [...byId.values()];
}

function preparePayload(payload: ChunkPayload, what: string): ChunkPayload {
  if (payload === null || typeof payload !== 'object') throw new InvalidVectorInputError(`${what} is missing`);
  if (typeof payload.collection !== 'string' || payload.collection === '') {
    throw new InvalidVectorInputError(`${what}.collection must be a non-empty string`);
  }
  if (!Number.isInteger(payload.chunk_index) || payload.chunk_index < 0 || payload.chunk_index > 2_147_483_647) {
    throw new InvalidVectorInputError(`${what}.chunk_index must be a non-negative integer`);
  }
  return {
    ...payload,
    tenant_id: uuidOf(payload.tenant_id, `${what}.tenant_id`),
    ...(payload.user_id !== undefined ? { user_id: uuidOf(payload.user_id, `${what}.user_id`) } : {}),
    document_id: uuidOf(payload.document_id, `${what}.document_id`),
  };
}

export interface PreparedQuery {
  tenantId: string;
  userId?: string;
  collection?: string;
  documentIds?: string[];
  limit: number;
  scoreThreshold?: number;
}

export function prepareQuery(space: VectorSpace, vector: readonly number[], query: VectorQuery): PreparedQuery {
  assertVector(vector, space, 'query vector');
  if (query === null || typeof query !== 'object') throw new InvalidVectorInputError('query is missing');
  const tenantId = uuidOf(query.tenantId, 'query.tenantId');
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_SEARCH_LIMIT) {
    throw new InvalidVectorInputError(`query.limit must be an integer in [1, ${MAX_SEARCH_LIMIT}], got ${query.limit}`);
  }
  const prepared: PreparedQuery = { tenantId, limit: query.limit };
  if (query.userId !== undefined) prepared.userId = uuidOf(query.userId, 'query.userId');
  if (query.collection !== undefined) {
    if (typeof query.collection !== 'string' || query.collection === '') {
      throw new InvalidVectorInputError('query.collection must be a non-empty string when set');
    }
    prepared.collection = query.collection;
  }
  if (query.documentIds !== undefined) {
    if (!Array.isArray(query.documentIds)) throw new InvalidVectorInputError('query.documentIds must be an array');
    prepared.documentIds = [...new Set(query.documentIds.map((id, i) => uuidOf(id, `query.documentIds[${i}]`)))];
  }
  if (query.scoreThreshold !== undefined) {
    if (typeof query.scoreThreshold !== 'number' || !Number.isFinite(query.scoreThreshold)) {
      throw new InvalidVectorInputError('query.scoreThreshold must be a finite number when set');
    }
    prepared.scoreThreshold = query.scoreThreshold;
  }
  return prepared;
}

const POINT_ID_NAMESPACE = 'conduit:vector-point:v1';

/**
 * A deterministic point id (a name-based, version 5 style uuid) for one chunk of a tenant's document,
 * so re-ingesting a document overwrites its points instead of duplicating them. The tenant is part
 * of the name: two tenants' documents never share point ids, even with the same document id.
 */
export function chunkPointId(tenantId: string, documentId: string, chunkIndex: number): string {
  if (!Number.isInteger(chunkIndex) || chunkIndex < 0) {
    throw new InvalidVectorInputError(`chunkIndex must be a non-negative integer, got ${chunkIndex}`);
  }
  const name = `${POINT_ID_NAMESPACE}:${uuidOf(tenantId, 'tenantId')}:${uuidOf(documentId, 'documentId')}:${chunkIndex}`;
  const bytes = createHash('sha1').update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
