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

/** The recall's one read: the live memories among the vector hits (hits of a forgotten memory, or another user's, are dropped). */
export function liveMemoriesSql(tenantId: string, userId: string, ids: readonly string[]): Prisma.Sql {
  return Prisma.sql`SELECT id, kind, content FROM memories
    WHERE tenant_id = ${tenantId}::uuid AND user_id = ${userId}::uuid AND id = ANY(${[...ids]}::uuid[]) AND deleted_at IS NULL`;
}
