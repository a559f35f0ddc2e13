import type { Embedder, EmbeddingUsage } from '@conduit/embeddings';
import { EmbeddingUsageTally } from '@conduit/embeddings';
import { VectorSpaceNotFoundError, vectorSpaceFor, type VectorSpace, type VectorStore } from '@conduit/vector-store';
import type { MemoryOwner } from './memory.store';

export interface MemoryHit {
  id: string;
  score: number;
}

/**
 * Memories in the vector store: their own space per embedding model (`memories-<model>-<dimension>`,
 * apart from document chunks), one point per memory (point id = memory id = `document_id`), the
 * user as the point's `collection` and `user_id`, and no text in the payload (the content stays in
 * Postgres). Every search is filtered on tenant and user.
 */
export class MemoryVectors {
  readonly space: VectorSpace;
  private ensured = false;

  constructor(
    private readonly vectors: VectorStore,
    private readonly embedder: Embedder,
  ) {
    this.space = vectorSpaceFor(`memories-${embedder.model}`, embedder.dimension);
  }

  /** Embeds and upserts memories (one call to the embedder); what the embedding consumed. */
  async upsert(owner: MemoryOwner, memories: readonly { id: string; content: string }[]): Promise<EmbeddingUsage[]> {
    if (memories.length === 0) return [];
    const tally = new EmbeddingUsageTally();
    const vectors = await this.embedder.embed(
      memories.map((memory) => memory.content),
      { onUsage: tally.add },
    );
    await this.ensure();
    await this.vectors.upsert(
      this.space,
      memories.map((memory, i) => ({
        id: memory.id,
        vector: vectors[i] as number[],
        payload: { tenant_id: owner.tenantId, user_id: owner.userId, document_id: memory.id, collection: owner.userId, chunk_index: 0, text: '', start_offset: 0, end_offset: 0 },
      })),
    );
    return tally.usages();
  }

  /** The query's embedding. */
  async embed(query: string): Promise<{ vector: number[]; usage: EmbeddingUsage[] }> {
    const tally = new EmbeddingUsageTally();
    const [vector] = await this.embedder.embed([query], { onUsage: tally.add });
    return { vector: vector as number[], usage: tally.usages() };
  }

  /** The user's nearest memories at or above `minScore`; none when nothing was ever stored. */
  async search(owner: MemoryOwner, vector: number[], limit: number, minScore: number): Promise<MemoryHit[]> {
    try {
      const hits = await this.vectors.search(this.space, vector, { tenantId: owner.tenantId, userId: owner.userId, collection: owner.userId, limit, scoreThreshold: minScore });
      return hits.map((hit) => ({ id: hit.id, score: hit.score }));
    } catch (error) {
      if (error instanceof VectorSpaceNotFoundError) return [];
      throw error;
    }
  }

  /** Deletes the memories' vectors (idempotent). */
  async delete(owner: MemoryOwner, ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      try {
        await this.vectors.deleteDocument(this.space, owner.tenantId, id);
      } catch (error) {
        if (error instanceof VectorSpaceNotFoundError) return;
        throw error;
      }
    }
  }

  /** How many of these memories have a vector (tests, checks). */
  async count(owner: MemoryOwner, ids: readonly string[]): Promise<number> {
    let total = 0;
    for (const id of ids) {
      try {
        total += await this.vectors.countDocument(this.space, owner.tenantId, id);
      } catch (error) {
        if (error instanceof VectorSpaceNotFoundError) return 0;
        throw error;
      }
    }
    return total;
  }

  private async ensure(): Promise<void> {
    if (this.ensured) return;
    await this.vectors.ensureSpace(this.space);
    this.ensured = true;
  }
}
