import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '@conduit/db';
import { cleanMemory, memoryHash, type MemoryKind } from './memory-content';
import { claimExtractionSql, LIVE_MEMORIES_SQL, lockUserSql } from './memory.sql';
import { type ExistingMemory, type MemoryOperation, planChanges, type ReconcilePlan, reconcile } from './reconcile';

/** Whose memories: every read and write is scoped to one user of one tenant. */
export interface MemoryOwner {
  tenantId: string;
  userId: string;
}

export interface MemoryRecord {
  id: string;
  tenantId: string;
  userId: string;
  kind: string;
  content: string;
  sourceMessageIds: string[];
  origin: string;
  createdAt: Date;
  updatedAt: Date;
}

/** What an extraction did. `duplicate`: a run of the same turn had already written its result. */
export type ExtractionWrite = { outcome: 'duplicate' } | { outcome: 'applied' | 'no_change'; plan: ReconcilePlan };

/** The most memories one user keeps live; beyond it, stated memories are refused and extracted ones skipped. */
export const MAX_MEMORIES_PER_USER = 1_000;

const LIVE = { deletedAt: null } as const;

const RECORD_SELECT = {
  id: true,
  tenantId: true,
  userId: true,
  kind: true,
  content: true,
  sourceMessageIds: true,
  origin: true,
  createdAt: true,
  updatedAt: true,
} as const;

/**
 * The one owner of `memories` and `memory_extractions`. Writes to one user's memories are
 * serialised (a transaction-scoped advisory lock per user) and deduplicated on the normalised
 * content hash. Forgetting tombstones a memory (`deleted_at`): it is hidden at once, and deleted
 * for good by {@link purge} once its vector is gone (see `Memories.sync`).
 */
@Injectable()
export class MemoryStore {
  constructor(private readonly prisma: PrismaService) {}

  /** The user's live memories, newest first, in keyset pages; null when `after` names none of them. */
  async list(owner: MemoryOwner, page: { limit: number; after?: string }): Promise<MemoryRecord[] | null> {
    const where = { tenantId: owner.tenantId, userId: owner.userId, ...LIVE };
    let cursor: { createdAt: Date; id: string } | undefined;
    if (page.after) {
      const found = await this.prisma.memory.findFirst({ where: { ...where, id: page.after }, select: { createdAt: true, id: true } });
      if (!found) return null;
      cursor = found;
    }
    return this.prisma.memory.findMany({
      where: cursor ? { ...where, OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] } : where,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: page.limit + 1,
      select: RECORD_SELECT,
    });
  }

  find(owner: MemoryOwner, id: string): Promise<MemoryRecord | null> {
    return this.prisma.memory.findFirst({ where: { id, tenantId: owner.tenantId, userId: owner.userId, ...LIVE }, select: RECORD_SELECT });
  }

  /** The user's live memories (oldest first, at most `limit`): what an extractor reconciles against. */
  live(owner: MemoryOwner, limit = MAX_MEMORIES_PER_USER): Promise<ExistingMemory[]> {
    return this.prisma.memory.findMany({
      where: { tenantId: owner.tenantId, userId: owner.userId, ...LIVE },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: limit,
      select: { id: true, kind: true, content: true },
    });
  }

  /** Live memories of the user among `ids` (the recall's check of its vector hits). */
  async liveAmong(owner: MemoryOwner, ids: readonly string[]): Promise<ExistingMemory[]> {
    if (ids.length === 0) return [];
    return (await this.prisma.pg.query<ExistingMemory>(LIVE_MEMORIES_SQL, [owner.tenantId, owner.userId, ids])).rows;
  }

  count(owner: MemoryOwner): Promise<number> {
    return this.prisma.memory.count({ where: { tenantId: owner.tenantId, userId: owner.userId, ...LIVE } });
  }

  /** Whether an extraction of this turn has already written its result. */
  async extracted(messageId: string): Promise<boolean> {
    return (await this.prisma.memoryExtraction.count({ where: { messageId } })) > 0;
  }

  /**
   * Reconciles an extractor's operations with the user's memories as they are inside the
   * transaction, and writes the plan together with the extraction's claim: all of it or nothing,
   * once per turn (a second run finds the claim and writes nothing).
   */
  async applyExtraction(owner: MemoryOwner, messageId: string, operations: readonly MemoryOperation[]): Promise<ExtractionWrite> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw(lockUserSql(owner.tenantId, owner.userId));
      const existing = await tx.memory.findMany({ where: { tenantId: owner.tenantId, userId: owner.userId, ...LIVE }, select: { id: true, kind: true, content: true } });
      const plan = reconcile(existing, operations);
      const room = MAX_MEMORIES_PER_USER - existing.length + plan.deletes.length;
      if (plan.adds.length > room) {
        plan.noops += plan.adds.length - Math.max(0, room);
        plan.adds = plan.adds.slice(0, Math.max(0, room));
      }
      const outcome = planChanges(plan) ? 'applied' : 'no_change';
      const claimed = await tx.$queryRaw<{ message_id: string }[]>(
        claimExtractionSql({ messageId, ...owner, outcome, added: plan.adds.length, updated: plan.updates.length, deleted: plan.deletes.length }),
      );
      if (claimed.length === 0) return { outcome: 'duplicate' as const };
      const now = new Date();
      if (plan.adds.length > 0) {
        await tx.memory.createMany({
          data: plan.adds.map((add) => ({
            id: randomUUID(),
            ...owner,
            kind: add.kind,
            content: add.content,
            contentHash: add.hash,
            sourceMessageIds: [messageId],
            origin: 'extracted',
          })),
        });
      }
      for (const update of plan.updates) {
        await tx.$executeRaw(Prisma.sql`UPDATE memories SET kind = ${update.kind}, content = ${update.content}, content_hash = ${update.hash},
          source_message_ids = array_append(array_remove(source_message_ids, ${messageId}::uuid), ${messageId}::uuid), updated_at = ${now}
          WHERE id = ${update.id}::uuid AND tenant_id = ${owner.tenantId}::uuid AND user_id = ${owner.userId}::uuid AND deleted_at IS NULL`);
      }
      if (plan.deletes.length > 0) {
        await tx.memory.updateMany({ where: { id: { in: plan.deletes }, tenantId: owner.tenantId, userId: owner.userId, ...LIVE }, data: { deletedAt: now } });
      }
      return { outcome, plan };
    });
  }

  /** Records a rejected extraction (bad answer) so a re-run does not call the extractor again; false when one was recorded already. */
  async rejectExtraction(owner: MemoryOwner, messageId: string): Promise<boolean> {
    const claimed = await this.prisma.$queryRaw<{ message_id: string }[]>(claimExtractionSql({ messageId, ...owner, outcome: 'rejected', added: 0, updated: 0, deleted: 0 }));
    return claimed.length > 0;
  }

  /**
   * A memory the user states: added unless they already have the same fact (then that one is
   * returned, `created: false`). Null when they have {@link MAX_MEMORIES_PER_USER} already.
   */
  async addStated(owner: MemoryOwner, content: string, kind: MemoryKind): Promise<{ memory: MemoryRecord; created: boolean } | null> {
    const text = cleanMemory(content);
    const hash = memoryHash(text);
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw(lockUserSql(owner.tenantId, owner.userId));
      const same = await tx.memory.findFirst({ where: { tenantId: owner.tenantId, userId: owner.userId, contentHash: hash, ...LIVE }, select: RECORD_SELECT });
      if (same) return { memory: same, created: false };
      const count = await tx.memory.count({ where: { tenantId: owner.tenantId, userId: owner.userId, ...LIVE } });
      if (count >= MAX_MEMORIES_PER_USER) return null;
      const memory = await tx.memory.create({
        data: { id: randomUUID(), ...owner, kind, content: text, contentHash: hash, sourceMessageIds: [], origin: 'stated' },
        select: RECORD_SELECT,
      });
      return { memory, created: true };
    });
  }

  /** Forgets one memory (tombstone); false when the user has no such live memory. */
  async forget(owner: MemoryOwner, id: string): Promise<boolean> {
    const { count } = await this.prisma.memory.updateMany({ where: { id, tenantId: owner.tenantId, userId: owner.userId, ...LIVE }, data: { deletedAt: new Date() } });
    return count > 0;
  }

  /** Forgets every memory of the user (tombstones); how many were live. */
  async forgetAll(owner: MemoryOwner): Promise<number> {
    const { count } = await this.prisma.memory.updateMany({ where: { tenantId: owner.tenantId, userId: owner.userId, ...LIVE }, data: { deletedAt: new Date() } });
    return count;
  }

  /** Live memories whose current content is not in the vector store yet. */
  unembedded(owner: MemoryOwner): Promise<{ id: string; content: string; updatedAt: Date }[]> {
    return this.prisma.$queryRaw(Prisma.sql`SELECT id, content, updated_at AS "updatedAt" FROM memories
      WHERE tenant_id = ${owner.tenantId}::uuid AND user_id = ${owner.userId}::uuid AND deleted_at IS NULL
        AND (embedded_at IS NULL OR embedded_at < updated_at)`);
  }

  /** Marks memories embedded as of the content they had at `updatedAt` (a later update stays pending). */
  async markEmbedded(owner: MemoryOwner, rows: readonly { id: string; updatedAt: Date }[], at: Date): Promise<void> {
    for (const row of rows) {
      await this.prisma.memory.updateMany({ where: { id: row.id, tenantId: owner.tenantId, userId: owner.userId, updatedAt: row.updatedAt }, data: { embeddedAt: at } });
    }
  }

  /** Ids of the user's forgotten memories (tombstones) whose vectors are still to be deleted. */
  async tombstones(owner: MemoryOwner): Promise<string[]> {
    const rows = await this.prisma.memory.findMany({ where: { tenantId: owner.tenantId, userId: owner.userId, deletedAt: { not: null } }, select: { id: true } });
    return rows.map((row) => row.id);
  }

  /** Deletes tombstoned memories for good (their vectors are gone). */
  async purge(owner: MemoryOwner, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.prisma.memory.deleteMany({ where: { id: { in: [...ids] }, tenantId: owner.tenantId, userId: owner.userId, deletedAt: { not: null } } });
  }

  /** Every memory id of the user, forgotten ones included (erasure). */
  async allIds(owner: MemoryOwner): Promise<string[]> {
    const rows = await this.prisma.memory.findMany({ where: { tenantId: owner.tenantId, userId: owner.userId }, select: { id: true } });
    return rows.map((row) => row.id);
  }

  /** Erasure: every memory row and extraction record of the user (after their vectors). */
  async deleteAllOf(owner: MemoryOwner): Promise<number> {
    const [memories] = await this.prisma.$transaction([
      this.prisma.memory.deleteMany({ where: { tenantId: owner.tenantId, userId: owner.userId } }),
      this.prisma.memoryExtraction.deleteMany({ where: { tenantId: owner.tenantId, userId: owner.userId } }),
    ]);
    return memories.count;
  }
}
