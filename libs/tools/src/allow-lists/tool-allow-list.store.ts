import { Injectable } from '@nestjs/common';
import { PrismaService, ToolAllowList } from '@conduit/db';
import { ToolException } from '../tool.exception';

/**
 * The one owner of `tool_allow_lists`: which tools (names as the model sees them) one API key may
 * use. A key without a row may use every enabled tool of its tenant; a row with an empty list
 * allows none. Deleting the API key deletes its list (cascade).
 */
@Injectable()
export class ToolAllowListStore {
  constructor(private readonly prisma: PrismaService) {}

  /** The key's list, null when none is configured (every tool allowed). */
  async get(tenantId: string, apiKeyId: string): Promise<string[] | null> {
    const row = await this.prisma.toolAllowList.findFirst({ where: { apiKeyId, tenantId }, select: { tools: true } });
    return row?.tools ?? null;
  }

  /** Whether the API key is one of the tenant's (another tenant's answers false). */
  async keyBelongs(tenantId: string, apiKeyId: string): Promise<boolean> {
    return (await this.prisma.apiKey.count({ where: { id: apiKeyId, tenantId } })) === 1;
  }

  list(tenantId: string): Promise<ToolAllowList[]> {
    return this.prisma.toolAllowList.findMany({ where: { tenantId }, orderBy: { updatedAt: 'desc' }, take: 1_000 });
  }

  /** Sets the key's list; `tool_allow_list_key_not_found` when the key is not the tenant's. */
  async set(tenantId: string, apiKeyId: string, tools: readonly string[]): Promise<ToolAllowList> {
    if (!(await this.keyBelongs(tenantId, apiKeyId))) throw ToolException.apiKeyNotFound(apiKeyId);
    const unique = [...new Set(tools)].sort();
    return this.prisma.toolAllowList.upsert({
      where: { apiKeyId },
      create: { apiKeyId, tenantId, tools: unique },
      update: { tools: unique },
    });
  }

  /** Removes the key's list (the key may use every tool again); false when it had none. */
  async remove(tenantId: string, apiKeyId: string): Promise<boolean> {
    const { count } = await this.prisma.toolAllowList.deleteMany({ where: { apiKeyId, tenantId } });
    return count === 1;
  }
}
