import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { DEFAULT_TENANT_POLICY, policyErrorOf, resolveTenantPolicy, TenantPolicy } from '@conduit/contracts';
import { PrismaService } from '@conduit/db';
import { InvalidationChannel, QUEUE_OPTIONS, QueueModuleOptions, REDIS_CONNECTION } from '@conduit/queue';
import { POLICIES_OPTIONS, PoliciesModuleOptions, policyChannel } from './policies.constants';
import { PolicyCache } from './policy-cache';
import { PolicyDocumentError } from './policy-document.exception';

interface PolicyRow {
  document: unknown;
  version: number;
}

/**
 * The one owner of `tenant_policies`. Reads are served from process memory: a change is announced
 * on a Redis channel and every process drops its copy as soon as it hears it (well within a
 * second), with a TTL as the safety net should an announcement be missed (the subscription was
 * down: the whole cache is dropped when it comes back). A tenant with no stored document gets the
 * defaults. Only documents that pass `tenantPolicyDocumentSchema` are ever stored.
 */
@Injectable()
export class PolicyStore implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PolicyStore.name);
  private readonly cache: PolicyCache<TenantPolicy>;
  private readonly announcements: InvalidationChannel;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(REDIS_CONNECTION) redis: Redis,
    @Inject(QUEUE_OPTIONS) queue: QueueModuleOptions,
    @Inject(POLICIES_OPTIONS) options: PoliciesModuleOptions,
  ) {
    this.cache = new PolicyCache(options.cacheTtlMs);
    this.announcements = new InvalidationChannel(redis, policyChannel(queue.prefix));
  }

  onModuleInit(): void {
    this.announcements.listen(
      { onMessage: (tenantId) => this.cache.invalidate(tenantId), onResubscribed: () => this.cache.invalidateAll() },
      'conduit-policies',
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.announcements.close();
  }

  /** The tenant's resolved policy (defaults when none is stored). */
  get(tenantId: string): Promise<TenantPolicy> {
    return this.cache.get(tenantId, () => this.load(tenantId));
  }

  /**
   * Validates and stores a tenant's whole document (it replaces the previous one), then announces
   * the change. Throws {@link PolicyDocumentError} naming the bad field; stores nothing then.
   */
  async put(tenantId: string, document: unknown, updatedBy: string): Promise<TenantPolicy> {
    let resolved: TenantPolicy;
    try {
      resolved = resolveTenantPolicy(document, 0);
    } catch (error) {
      if (error instanceof z.ZodError) {
        const { param, message } = policyErrorOf(error);
        throw new PolicyDocumentError(param, message);
      }
      throw error;
    }
    const rows = await this.prisma.pg.query<{ version: number }>(
      `INSERT INTO tenant_policies (tenant_id, document, version, updated_at, updated_by)
       VALUES ($1, $2::jsonb, 1, now(), $3)
       ON CONFLICT (tenant_id) DO UPDATE
         SET document = EXCLUDED.document, version = tenant_policies.version + 1, updated_at = now(), updated_by = EXCLUDED.updated_by
       RETURNING version`,
      [tenantId, JSON.stringify(resolved.document), updatedBy],
    );
    this.cache.invalidate(tenantId);
    await this.announcements.announce(tenantId);
    return { ...resolved, version: rows.rows[0]?.version ?? 1 };
  }

  /** The stored policy, read from Postgres (for showing it; the request path uses {@link get}). */
  async show(tenantId: string): Promise<TenantPolicy> {
    return this.load(tenantId);
  }

  private async load(tenantId: string): Promise<TenantPolicy> {
    const rows = await this.prisma.pg.query<PolicyRow>('SELECT document, version FROM tenant_policies WHERE tenant_id = $1', [tenantId]);
    const row = rows.rows[0];
    if (!row) return DEFAULT_TENANT_POLICY;
    try {
      return resolveTenantPolicy(row.document, row.version);
    } catch (error) {
      // Only validated documents are stored; one that no longer parses (a schema change that
      // forgot a migration) must not take the tenant down: defaults, loudly.
      this.logger.error({ err: error, tenant_id: tenantId }, 'stored tenant policy no longer validates; using defaults');
      return { ...DEFAULT_TENANT_POLICY, version: row.version };
    }
  }
}
