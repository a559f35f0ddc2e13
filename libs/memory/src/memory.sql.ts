import { Prisma } from '@conduit/db';

/** Serialises every write to one user's memories (extraction, stated memories, forgetting) for the transaction. */
export function lockUserSql(tenantId: string, userId: string): Prisma.Sql {
  return Prisma.sql`SELECT pg_advisory_xact_lock(hashtext(${`memory:${tenantId}:${userId}`}))`;
}

/** Claims an extraction: no row comes back when a run of the same turn has already written its result. */
export function claimExtractionSql(row: { messageId: string; tenantId: string; userId: string; outcome: string; added: number; updated: number; deleted: number }): Prisma.Sql {
  return Prisma.sql`INSERT INTO memory_extractions (message_id, tenant_id, user_id, outcome, added, updated, deleted)
    VALUES (${row.messageId}::uuid, ${row.tenantId}::uuid, ${row.userId}::uuid, ${row.outcome}, ${row.added}, ${row.updated}, ${row.deleted})
    ON CONFLICT (message_id) DO NOTHING
    RETURNING message_id`;
}

/**
 * The recall's one read (hot path, plain SQL on the pg pool): the live memories among the vector
 * hits — hits of a forgotten memory, or of anyone else's, are dropped. $1 tenant, $2 user, $3 ids.
 */
export const LIVE_MEMORIES_SQL = `SELECT id, kind, content FROM memories
  WHERE tenant_id = $1::uuid AND user_id = $2::uuid AND id = ANY($3::uuid[]) AND deleted_at IS NULL`;
