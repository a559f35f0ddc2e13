import { Prisma, type PrismaClient } from '@conduit/db';

/** Prisma's code for "transaction failed due to a write conflict or a deadlock". */
const WRITE_CONFLICT = 'P2034';
const ATTEMPTS = 8;

function isWriteConflict(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientKnownRequestError) return error.code === WRITE_CONFLICT;
  return /deadlock detected|write conflict/i.test(String((error as Error | undefined)?.message ?? ''));
}

/**
 * Deletes tenants by id and, by cascade, everything they own.
 *
 * Suites delete their tenants while services may still be writing for them (a worker finishing a
 * job, billing recording usage): the cascade and such a write can deadlock, and Postgres then
 * aborts one of them. The delete is idempotent, so it is retried; the loser's write simply fails.
 */
export async function removeTenantIds(prisma: PrismaClient, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await prisma.tenant.deleteMany({ where: { id: { in: [...ids] } } });
      return;
    } catch (error) {
      if (!isWriteConflict(error) || attempt >= ATTEMPTS) throw error;
    }
  }
}
