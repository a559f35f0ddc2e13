import { Inject, Injectable } from '@nestjs/common';
import type { EmbeddingUsage } from '@conduit/embeddings';
import type { MemoryKind } from './memory-content';
import { MEMORY_VECTORS } from './memory.constants';
import { memoryCountPerUser, memoryWritesTotal } from './memory.metrics';
import { type ExtractionWrite, type MemoryOwner, type MemoryRecord, MemoryStore } from './memory.store';
import type { MemoryVectors } from './memory-vectors';
import type { MemoryOperation } from './reconcile';

/**
 * A user's long-term memories, rows and vectors together. Postgres is written first (in one
 * transaction), then {@link sync} brings the vector store in line: pending contents are embedded
 * and upserted, forgotten memories' vectors deleted and their tombstones purged. A sync that fails
 * leaves the rows as they are — hidden, or waiting for their vector — and the next write's sync
 * finishes it; a recall only ever returns rows that are live in Postgres.
 */
@Injectable()
export class Memories {
  constructor(
    readonly store: MemoryStore,
    @Inject(MEMORY_VECTORS) readonly vectors: MemoryVectors,
  ) {}

  /** Brings the user's vectors in line with their rows; what embedding it consumed. */
  async sync(owner: MemoryOwner): Promise<EmbeddingUsage[]> {
    const pending = await this.store.unembedded(owner);
    const at = new Date();
    const usage = await this.vectors.upsert(owner, pending);
    if (pending.length > 0) await this.store.markEmbedded(owner, pending, at);
    const tombstones = await this.store.tombstones(owner);
    if (tombstones.length > 0) {
      await this.vectors.delete(owner, tombstones);
      await this.store.purge(owner, tombstones);
    }
    return usage;
  }

  /** Writes an extraction's operations (see `MemoryStore.applyExtraction`), then syncs the vectors. */
  async applyExtraction(owner: MemoryOwner, messageId: string, operations: readonly MemoryOperation[]): Promise<{ write: ExtractionWrite; usage: EmbeddingUsage[] }> {
    const write = await this.store.applyExtraction(owner, messageId, operations);
    if (write.outcome !== 'duplicate') {
      memoryWritesTotal.inc({ op: 'add', origin: 'extracted' }, write.plan.adds.length);
      memoryWritesTotal.inc({ op: 'update', origin: 'extracted' }, write.plan.updates.length);
      memoryWritesTotal.inc({ op: 'delete', origin: 'extracted' }, write.plan.deletes.length);
    }
    // A duplicate run still finishes the vectors of the run that wrote (it may have died before).
    const usage = await this.sync(owner);
    if (write.outcome === 'applied') memoryCountPerUser.observe(await this.store.count(owner));
    return { write, usage };
  }

  /** A memory the user states (deduplicated); null when they have too many. */
  async addStated(owner: MemoryOwner, content: string, kind: MemoryKind): Promise<{ memory: MemoryRecord; created: boolean; usage: EmbeddingUsage[] } | null> {
    const added = await this.store.addStated(owner, content, kind);
    if (!added) return null;
    if (added.created) memoryWritesTotal.inc({ op: 'add', origin: 'stated' });
    const usage = await this.sync(owner);
    if (added.created) memoryCountPerUser.observe(await this.store.count(owner));
    return { ...added, usage };
  }

  /** Forgets one memory, its vector included; false when the user has no such memory. */
  async forget(owner: MemoryOwner, id: string): Promise<boolean> {
    if (!(await this.store.forget(owner, id))) return false;
    memoryWritesTotal.inc({ op: 'delete', origin: 'stated' });
    await this.sync(owner);
    return true;
  }

  /** Forgets every memory of the user, vectors included; how many there were. */
  async forgetAll(owner: MemoryOwner): Promise<number> {
    const count = await this.store.forgetAll(owner);
    memoryWritesTotal.inc({ op: 'delete', origin: 'forget_all' }, count);
    await this.sync(owner);
    return count;
  }

  /** User erasure: every vector, then every row (forgotten ones and extraction records included). */
  async erase(owner: MemoryOwner): Promise<number> {
    const ids = await this.store.allIds(owner);
    await this.vectors.delete(owner, ids);
    return this.store.deleteAllOf(owner);
  }
}
