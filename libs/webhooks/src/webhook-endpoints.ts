import { Injectable } from '@nestjs/common';
import { PrismaService, WebhookEndpoint } from '@conduit/db';

const CACHE_TTL_MS = 5_000;
const CACHE_MAX_ENTRIES = 10_000;

/**
 * A tenant's receiver URLs. Endpoints are created on first delivery; a `410 Gone` disables one
 * (deliveries to it stop, and new jobs naming it are refused) until it is enabled again.
 */
@Injectable()
export class WebhookEndpoints {
  private readonly cache = new Map<string, { endpoint: WebhookEndpoint; expires: number }>();
  private readonly disabled = new Map<string, { endpoint: WebhookEndpoint | null; expires: number }>();

  constructor(private readonly prisma: PrismaService) {}

  /** The endpoint row for a URL, created when missing (cached for a few seconds). */
  async ensure(tenantId: string, url: string, now = Date.now()): Promise<WebhookEndpoint> {
    const key = `${tenantId}\n${url}`;
    const cached = this.cache.get(key);
    if (cached && cached.expires > now) return cached.endpoint;
    let endpoint = await this.prisma.webhookEndpoint.findUnique({ where: { tenantId_url: { tenantId, url } } });
    if (!endpoint) {
      await this.prisma.webhookEndpoint.createMany({ data: [{ tenantId, url }], skipDuplicates: true });
      endpoint = await this.prisma.webhookEndpoint.findUniqueOrThrow({ where: { tenantId_url: { tenantId, url } } });
    }
    if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
    this.cache.set(key, { endpoint, expires: now + CACHE_TTL_MS });
    return endpoint;
  }

  /**
   * The endpoint for a URL when it exists and is disabled (checked when a job is submitted; the
   * answer is cached for a few seconds, so it is not a query on every submission).
   */
  async findDisabled(tenantId: string, url: string, now = Date.now()): Promise<WebhookEndpoint | null> {
    const key = `${tenantId}\n${url}`;
    const cached = this.disabled.get(key);
    if (cached && cached.expires > now) return cached.endpoint;
    const endpoint = await this.prisma.webhookEndpoint.findFirst({ where: { tenantId, url, disabledAt: { not: null } } });
    if (this.disabled.size >= CACHE_MAX_ENTRIES) this.disabled.clear();
    this.disabled.set(key, { endpoint, expires: now + CACHE_TTL_MS });
    return endpoint;
  }

  /** The tenant's endpoints, newest first, at most `limit + 1` (the extra one says there is more). */
  list(tenantId: string, limit: number): Promise<WebhookEndpoint[]> {
    return this.prisma.webhookEndpoint.findMany({ where: { tenantId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: limit + 1 });
  }

  /** The tenant's endpoints that are not disabled (where tenant-wide events such as cost alerts go). */
  listEnabled(tenantId: string): Promise<Pick<WebhookEndpoint, 'id' | 'url'>[]> {
    return this.prisma.webhookEndpoint.findMany({ where: { tenantId, disabledAt: null }, select: { id: true, url: true }, orderBy: { createdAt: 'asc' } });
  }

  async disable(tenantId: string, url: string, reason: string): Promise<void> {
    await this.prisma.webhookEndpoint.updateMany({ where: { tenantId, url, disabledAt: null }, data: { disabledAt: new Date(), disabledReason: reason } });
    this.cache.delete(`${tenantId}\n${url}`);
    this.disabled.delete(`${tenantId}\n${url}`);
  }

  /** Re-enables a disabled endpoint of the tenant; null when there is no such endpoint. */
  async enable(tenantId: string, id: string): Promise<WebhookEndpoint | null> {
    const { count } = await this.prisma.webhookEndpoint.updateMany({ where: { tenantId, id }, data: { disabledAt: null, disabledReason: null } });
    if (count === 0) return null;
    const endpoint = await this.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id } });
    this.cache.delete(`${tenantId}\n${endpoint.url}`);
    this.disabled.delete(`${tenantId}\n${endpoint.url}`);
    return endpoint;
  }
}
