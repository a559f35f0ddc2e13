import { Injectable, Logger } from '@nestjs/common';
import { guardrailsPolicyFor } from '@conduit/contracts';
import { MAX_MEMORIES_PER_USER, Memories, type MemoryOwner, memoryPiiGuard } from '@conduit/memory';
import { PolicyStore } from '@conduit/policies';
import type { Principal } from '../auth/principal';
import { isUuid, type ListPage, toListPage } from '../sessions/list-page';
import { type CreateMemoryBody, type DeletedMemoryObject, type ForgottenMemoriesObject, type ListMemoriesQuery, type MemoryObject, toMemoryObject } from './memories.dto';
import { MemoriesException } from './memories.exception';

/**
 * The caller's long-term memories: listed, stated, forgotten one by one or all at once. Rows are
 * written first; a vector store that is down answers 503 `dependency_unavailable` with the row
 * change kept (a forgotten memory is hidden at once, its vector deleted at the next write).
 */
@Injectable()
export class MemoriesService {
  private readonly logger = new Logger(MemoriesService.name);

  constructor(
    private readonly memories: Memories,
    private readonly policies: PolicyStore,
  ) {}

  async list(principal: Principal, query: ListMemoriesQuery): Promise<ListPage<MemoryObject>> {
    const rows = await this.memories.store.list(owner(principal), query);
    if (!rows) throw MemoriesException.invalidCursor();
    return toListPage(rows, query.limit, toMemoryObject);
  }

  /** Adds the fact (through the tenant's PII guard); the same fact again returns the memory already kept. */
  async create(principal: Principal, body: CreateMemoryBody): Promise<{ memory: MemoryObject; created: boolean }> {
    const guard = memoryPiiGuard(guardrailsPolicyFor(await this.policies.get(principal.tenantId), principal.apiKeyId));
    const content = guard ? guard(body.content) : body.content;
    const added = await this.vectorsUp(() => this.memories.addStated(owner(principal), content, body.kind));
    if (!added) throw MemoriesException.limitReached(MAX_MEMORIES_PER_USER);
    return { memory: toMemoryObject(added.memory), created: added.created };
  }

  async delete(principal: Principal, id: string): Promise<DeletedMemoryObject> {
    if (!isUuid(id)) throw MemoriesException.notFound(id);
    if (!(await this.vectorsUp(() => this.memories.forget(owner(principal), id)))) throw MemoriesException.notFound(id);
    return { id, object: 'memory.deleted', deleted: true };
  }

  async deleteAll(principal: Principal): Promise<ForgottenMemoriesObject> {
    const deleted = await this.vectorsUp(() => this.memories.forgetAll(owner(principal)));
    return { object: 'memory.forgotten', deleted };
  }

  private async vectorsUp<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof MemoriesException) throw error;
      this.logger.error({ err: error }, 'memory vectors could not be written');
      throw MemoriesException.unavailable();
    }
  }
}

function owner(principal: Principal): MemoryOwner {
  return { tenantId: principal.tenantId, userId: principal.userId };
}
