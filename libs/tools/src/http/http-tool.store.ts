import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { SecretKeyring } from '@conduit/config';
import { Prisma, PrismaService, Tool, ToolDanger } from '@conduit/db';
import { SECRET_KEYRING } from '@conduit/webhooks';
import { checkToolSchema } from '../arguments.validator';
import { ToolException } from '../tool.exception';
import { HTTP_TOOL_NAME, HTTP_TOOL_NAME_RULE } from '../tool-names';
import { signingSecretOrNew, ToolSecrets, ToolSecretSealer } from '../tool-secrets';

export const HTTP_TOOL_METHODS = ['POST', 'PUT', 'PATCH'] as const;
export type HttpToolMethod = (typeof HTTP_TOOL_METHODS)[number];

/** What a tenant admin registers. `secret` absent: a new `whsec_` one is generated (and shown once). */
export interface HttpToolInput {
  name: string;
  description: string;
  url: string;
  method: HttpToolMethod;
  parameters: Record<string, unknown>;
  timeoutMs: number;
  danger: ToolDanger;
  enabled: boolean;
  secret?: string;
  authToken?: string | null;
}

export type HttpToolPatch = Partial<Omit<HttpToolInput, 'secret'>> & { secret?: string };

const isUniqueViolation = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';

function checkName(name: string): void {
  if (!HTTP_TOOL_NAME.test(name)) throw ToolException.invalidName(`name must be ${HTTP_TOOL_NAME_RULE}`);
}

/**
 * The one owner of `tools`, a tenant's registered HTTP tools. Their signing secret (`whsec_`,
 * generated unless given, shown once) and optional bearer token are sealed with the keyring, like
 * webhook endpoint secrets. URL safety is the caller's (`assertToolUrlAllowed`), at registration
 * and again at every call.
 */
@Injectable()
export class HttpToolStore {
  private readonly sealer: ToolSecretSealer;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(SECRET_KEYRING) keyring: SecretKeyring,
  ) {
    this.sealer = new ToolSecretSealer(keyring, 'tools');
  }

  /** Registers a tool; returns it with its signing secret (shown once). `tool_exists` when the name is taken. */
  async create(tenantId: string, input: HttpToolInput): Promise<{ tool: Tool; secret: string }> {
    checkName(input.name);
    const parameters = checkToolSchema(input.parameters);
    const secret = signingSecretOrNew(input.secret);
    const id = randomUUID();
    try {
      const tool = await this.prisma.tool.create({
        data: {
          id,
          tenantId,
          name: input.name,
          description: input.description,
          url: input.url,
          method: input.method,
          parameters: parameters as Prisma.InputJsonObject,
          timeoutMs: input.timeoutMs,
          danger: input.danger,
          enabled: input.enabled,
          ...this.sealer.sealSecret(id, secret),
          ...this.sealer.sealAuthToken(id, input.authToken ?? null),
        },
      });
      return { tool, secret };
    } catch (error) {
      if (isUniqueViolation(error)) throw ToolException.toolExists(input.name);
      throw error;
    }
  }

  list(tenantId: string, take = 500): Promise<Tool[]> {
    return this.prisma.tool.findMany({ where: { tenantId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take });
  }

  /** The tenant's enabled tools (what `resolve` offers). */
  listEnabled(tenantId: string): Promise<Tool[]> {
    return this.prisma.tool.findMany({ where: { tenantId, enabled: true }, orderBy: { name: 'asc' } });
  }

  get(tenantId: string, id: string): Promise<Tool | null> {
    return this.prisma.tool.findFirst({ where: { id, tenantId } });
  }

  /** Changes a tool; `tool_not_found` for another tenant's or a missing one, `tool_exists` for a taken name. */
  async update(tenantId: string, id: string, patch: HttpToolPatch): Promise<Tool> {
    const data: Prisma.ToolUpdateManyMutationInput = {};
    if (patch.name !== undefined) {
      checkName(patch.name);
      data.name = patch.name;
    }
    if (patch.parameters !== undefined) data.parameters = checkToolSchema(patch.parameters) as Prisma.InputJsonObject;
    if (patch.description !== undefined) data.description = patch.description;
    if (patch.url !== undefined) data.url = patch.url;
    if (patch.method !== undefined) data.method = patch.method;
    if (patch.timeoutMs !== undefined) data.timeoutMs = patch.timeoutMs;
    if (patch.danger !== undefined) data.danger = patch.danger;
    if (patch.enabled !== undefined) data.enabled = patch.enabled;
    if (patch.secret !== undefined) Object.assign(data, this.sealer.sealSecret(id, signingSecretOrNew(patch.secret)));
    if (patch.authToken !== undefined) Object.assign(data, this.sealer.sealAuthToken(id, patch.authToken));
    try {
      const [tool] = await this.prisma.tool.updateManyAndReturn({ where: { id, tenantId }, data });
      if (!tool) throw ToolException.toolNotFound(id);
      return tool;
    } catch (error) {
      if (isUniqueViolation(error)) throw ToolException.toolExists(patch.name ?? '');
      throw error;
    }
  }

  /** Deletes a tool; false when the tenant has no such tool. */
  async remove(tenantId: string, id: string): Promise<boolean> {
    const { count } = await this.prisma.tool.deleteMany({ where: { id, tenantId } });
    return count === 1;
  }

  /** Re-encrypts every sealed value not under the keyring's current key (`admin rotate-secrets-key`, gateway start-up; one tenant's with `tenantId`); returns the rows changed. */
  async resealAll(options: { batch?: number; tenantId?: string } = {}): Promise<number> {
    const batch = options.batch ?? 500;
    const where = { ...this.sealer.staleWhere(), ...(options.tenantId ? { tenantId: options.tenantId } : {}) };
    let changed = 0;
    for (;;) {
      const rows = await this.prisma.tool.findMany({ where, take: batch });
      for (const row of rows) {
        await this.prisma.tool.updateMany({ where: { id: row.id, secretCiphertext: row.secretCiphertext }, data: this.sealer.reseal(row.id, row) });
      }
      changed += rows.length;
      if (rows.length < batch) return changed;
    }
  }

  secrets(tool: Tool): ToolSecrets {
    return this.sealer.open(tool.id, tool);
  }
}
