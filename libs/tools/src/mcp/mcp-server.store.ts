import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { SecretKeyring } from '@conduit/config';
import { McpServer, Prisma, PrismaService } from '@conduit/db';
import { SECRET_KEYRING } from '@conduit/webhooks';
import type { ToolDanger } from '../tools.types';
import { ToolException } from '../tool.exception';
import { MCP_SERVER_NAME, MCP_SERVER_NAME_RULE } from '../tool-names';
import { signingSecretOrNew, ToolSecrets, ToolSecretSealer } from '../tool-secrets';

/** One tool as the MCP server listed it at discovery. */
export interface DiscoveredMcpTool {
  name: string;
  description: string;
  input_schema: Record<string, unknown>;
  /** The server's own hints (`readOnlyHint`, `destructiveHint`...): shown, never trusted for marking. */
  annotations?: Record<string, unknown>;
}

export interface McpServerInput {
  name: string;
  description: string;
  url: string;
  timeoutMs: number;
  enabled: boolean;
  secret?: string;
  authToken?: string | null;
}

export interface McpServerPatch {
  description?: string;
  url?: string;
  timeoutMs?: number;
  enabled?: boolean;
  secret?: string;
  authToken?: string | null;
  /** Marks tools by their name on the server (merged into the existing marks; unmarked tools are `dangerous`). */
  toolDanger?: Record<string, ToolDanger>;
}

const isUniqueViolation = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';

/** The cached tools of a row. */
export function discoveredTools(server: Pick<McpServer, 'tools'>): DiscoveredMcpTool[] {
  return Array.isArray(server.tools) ? (server.tools as unknown as DiscoveredMcpTool[]) : [];
}

/** The marks of a row (tool name → danger). */
export function toolDangerOf(server: Pick<McpServer, 'toolDanger'>): Record<string, ToolDanger> {
  const marks = server.toolDanger;
  return marks && typeof marks === 'object' && !Array.isArray(marks) ? (marks as Record<string, ToolDanger>) : {};
}

/**
 * The one owner of `mcp_servers`: a tenant's MCP servers (Streamable HTTP), their discovered tools
 * (cached JSON with `discovered_at`, refreshed on demand) and the danger marks of those tools
 * (default `dangerous`). Secrets sealed as in `tools`.
 */
@Injectable()
export class McpServerStore {
  private readonly sealer: ToolSecretSealer;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(SECRET_KEYRING) keyring: SecretKeyring,
  ) {
    this.sealer = new ToolSecretSealer(keyring, 'mcp_servers');
  }

  async create(tenantId: string, input: McpServerInput): Promise<{ server: McpServer; secret: string }> {
    if (!MCP_SERVER_NAME.test(input.name)) throw ToolException.invalidName(`name must be ${MCP_SERVER_NAME_RULE}`);
    const secret = signingSecretOrNew(input.secret);
    const id = randomUUID();
    try {
      const server = await this.prisma.mcpServer.create({
        data: {
          id,
          tenantId,
          name: input.name,
          description: input.description,
          url: input.url,
          timeoutMs: input.timeoutMs,
          enabled: input.enabled,
          ...this.sealer.sealSecret(id, secret),
          ...this.sealer.sealAuthToken(id, input.authToken ?? null),
        },
      });
      return { server, secret };
    } catch (error) {
      if (isUniqueViolation(error)) throw ToolException.serverExists(input.name);
      throw error;
    }
  }

  list(tenantId: string, take = 100): Promise<McpServer[]> {
    return this.prisma.mcpServer.findMany({ where: { tenantId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take });
  }

  listEnabled(tenantId: string): Promise<McpServer[]> {
    return this.prisma.mcpServer.findMany({ where: { tenantId, enabled: true }, orderBy: { name: 'asc' } });
  }

  get(tenantId: string, id: string): Promise<McpServer | null> {
    return this.prisma.mcpServer.findFirst({ where: { id, tenantId } });
  }

  async update(tenantId: string, id: string, patch: McpServerPatch): Promise<McpServer> {
    const before = await this.get(tenantId, id);
    if (!before) throw ToolException.serverNotFound(id);
    const data: Prisma.McpServerUpdateManyMutationInput = {};
    if (patch.description !== undefined) data.description = patch.description;
    if (patch.url !== undefined) data.url = patch.url;
    if (patch.timeoutMs !== undefined) data.timeoutMs = patch.timeoutMs;
    if (patch.enabled !== undefined) data.enabled = patch.enabled;
    if (patch.secret !== undefined) Object.assign(data, this.sealer.sealSecret(id, signingSecretOrNew(patch.secret)));
    if (patch.authToken !== undefined) Object.assign(data, this.sealer.sealAuthToken(id, patch.authToken));
    if (patch.toolDanger !== undefined) data.toolDanger = { ...toolDangerOf(before), ...patch.toolDanger };
    const [server] = await this.prisma.mcpServer.updateManyAndReturn({ where: { id, tenantId }, data });
    if (!server) throw ToolException.serverNotFound(id);
    return server;
  }

  /** Stores what discovery found (replacing the cache) or why it failed (keeping the last good list). */
  async saveDiscovery(tenantId: string, id: string, result: { tools: DiscoveredMcpTool[] } | { error: string }, now = new Date()): Promise<McpServer> {
    const data: Prisma.McpServerUpdateManyMutationInput =
      'tools' in result ? { tools: result.tools as unknown as Prisma.InputJsonArray, discoveredAt: now, discoveryError: null } : { discoveryError: result.error };
    const [server] = await this.prisma.mcpServer.updateManyAndReturn({ where: { id, tenantId }, data });
    if (!server) throw ToolException.serverNotFound(id);
    return server;
  }

  async remove(tenantId: string, id: string): Promise<boolean> {
    const { count } = await this.prisma.mcpServer.deleteMany({ where: { id, tenantId } });
    return count === 1;
  }

  /** Re-encrypts every sealed value not under the keyring's current key (`admin rotate-secrets-key`, gateway start-up; one tenant's with `tenantId`); returns the rows changed. */
  async resealAll(options: { batch?: number; tenantId?: string } = {}): Promise<number> {
    const batch = options.batch ?? 500;
    const where = { ...this.sealer.staleWhere(), ...(options.tenantId ? { tenantId: options.tenantId } : {}) };
    let changed = 0;
    for (;;) {
      const rows = await this.prisma.mcpServer.findMany({ where, take: batch });
      for (const row of rows) {
        await this.prisma.mcpServer.updateMany({ where: { id: row.id, secretCiphertext: row.secretCiphertext }, data: this.sealer.reseal(row.id, row) });
      }
      changed += rows.length;
      if (rows.length < batch) return changed;
    }
  }

  secrets(server: McpServer): ToolSecrets {
    return this.sealer.open(server.id, server);
  }
}
