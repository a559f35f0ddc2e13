import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { SecretKeyring } from '@conduit/config';
import { Prisma, PrismaService, WebhookEndpoint } from '@conduit/db';
import { SECRET_KEYRING } from './secret-keyring.module';
import { generateWebhookSecret } from './signing';

const CACHE_TTL_MS = 5_000;
const CACHE_MAX_ENTRIES = 10_000;

/** What a tenant admin registers or changes. */
export interface EndpointSettings {
  url: string;
  eventTypes: string[];
  description: string | null;
}

/** A registered endpoint together with a secret that is shown once (registration, rotation). */
export interface EndpointWithSecret {
  endpoint: WebhookEndpoint;
  secret: string;
}

/** Associated data binding a sealed endpoint secret to its row and column. */
const context = (endpointId: string, column: 'secret' | 'previous_secret') => `webhook_endpoints:${endpointId}:${column}`;

const isUniqueViolation = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';

/**
 * The one owner of `webhook_endpoints`, a tenant's receiver URLs. Registered endpoints are managed
 * by tenant admins: they subscribe to event types and have their own `whsec_` secret, sealed with
 * the keyring (AES-256-GCM, key id beside the ciphertext) and shown once. Implicit endpoints are
 * created on a job's first delivery to its `webhook_url` (signed with the tenant's key). A `410
 * Gone` disables either kind (deliveries to it stop, and new jobs naming it are refused) until it
 * is enabled again. Lookups by URL are cached for a few seconds per process.
 */
@Injectable()
export class WebhookEndpoints {
  private readonly cache = new Map<string, { endpoint: WebhookEndpoint; expires: number }>();
  private readonly disabled = new Map<string, { endpoint: WebhookEndpoint | null; expires: number }>();

  constructor(
    private readonly prisma: PrismaService,
    @Inject(SECRET_KEYRING) private readonly keyring: SecretKeyring,
  ) {}

  /** The endpoint row for a URL, created (implicit) when missing (cached for a few seconds). */
  async ensure(tenantId: string, url: string, now = Date.now()): Promise<WebhookEndpoint> {
    const found = await this.find(tenantId, url, now);
    if (found) return found;
    await this.prisma.webhookEndpoint.createMany({ data: [{ tenantId, url }], skipDuplicates: true });
    const endpoint = await this.prisma.webhookEndpoint.findUniqueOrThrow({ where: { tenantId_url: { tenantId, url } } });
    this.remember(endpoint, now);
    return endpoint;
  }

  /** The endpoint row for a URL, null when there is none (cached for a few seconds). */
  async find(tenantId: string, url: string, now = Date.now()): Promise<WebhookEndpoint | null> {
    const cached = this.cache.get(`${tenantId}\n${url}`);
    if (cached && cached.expires > now) return cached.endpoint;
    const endpoint = await this.prisma.webhookEndpoint.findUnique({ where: { tenantId_url: { tenantId, url } } });
    if (endpoint) this.remember(endpoint, now);
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

  /** The tenant's endpoints (registered or not, or all), newest first, at most `limit + 1` (the extra one says there is more). */
  list(tenantId: string, limit: number, registered?: boolean): Promise<WebhookEndpoint[]> {
    return this.prisma.webhookEndpoint.findMany({
      where: { tenantId, ...(registered === undefined ? {} : { registered }) },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
    });
  }

  /** The tenant's enabled registered endpoints subscribed to `eventType` (where tenant-wide events go). */
  listSubscribed(tenantId: string, eventType: string): Promise<Pick<WebhookEndpoint, 'id' | 'url'>[]> {
    return this.prisma.webhookEndpoint.findMany({
      where: { tenantId, registered: true, disabledAt: null, eventTypes: { has: eventType } },
      select: { id: true, url: true },
      orderBy: { createdAt: 'asc' },
    });
  }

  /** A registered endpoint of the tenant; null when there is none. */
  getRegistered(tenantId: string, id: string): Promise<WebhookEndpoint | null> {
    return this.prisma.webhookEndpoint.findFirst({ where: { id, tenantId, registered: true } });
  }

  /**
   * Registers an endpoint with a new secret (returned once, stored sealed). An implicit endpoint of
   * the same URL (a job's `webhook_url`) becomes registered; `null` when the URL is registered already.
   */
  async register(tenantId: string, settings: EndpointSettings): Promise<EndpointWithSecret | null> {
    const secret = generateWebhookSecret();
    const implicit = await this.prisma.webhookEndpoint.findFirst({ where: { tenantId, url: settings.url, registered: false } });
    const id = implicit?.id ?? randomUUID();
    const sealed = this.keyring.seal(secret, context(id, 'secret'));
    const data = {
      registered: true,
      eventTypes: settings.eventTypes,
      description: settings.description,
      secretCiphertext: sealed.ciphertext,
      secretKeyId: sealed.keyId,
    };
    if (implicit) {
      const [endpoint] = await this.prisma.webhookEndpoint.updateManyAndReturn({ where: { id, registered: false }, data });
      if (!endpoint) return null;
      this.forget(endpoint);
      return { endpoint, secret };
    }
    try {
      const endpoint = await this.prisma.webhookEndpoint.create({ data: { id, tenantId, url: settings.url, ...data } });
      return { endpoint, secret };
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  /**
   * Changes a registered endpoint (enabling it again clears a `410` disable). `'not_found'` when
   * there is no such endpoint, `'url_taken'` when another endpoint of the tenant has the new URL.
   */
  async update(
    tenantId: string,
    id: string,
    patch: Partial<EndpointSettings> & { enabled?: boolean },
  ): Promise<WebhookEndpoint | 'not_found' | 'url_taken'> {
    const before = await this.getRegistered(tenantId, id);
    if (!before) return 'not_found';
    const data: Prisma.WebhookEndpointUpdateManyMutationInput = {};
    if (patch.url !== undefined) data.url = patch.url;
    if (patch.eventTypes !== undefined) data.eventTypes = patch.eventTypes;
    if (patch.description !== undefined) data.description = patch.description;
    if (patch.enabled === true) Object.assign(data, { disabledAt: null, disabledReason: null });
    if (patch.enabled === false) Object.assign(data, { disabledAt: before.disabledAt ?? new Date(), disabledReason: before.disabledReason ?? 'disabled by a tenant admin' });
    try {
      const [endpoint] = await this.prisma.webhookEndpoint.updateManyAndReturn({ where: { id, tenantId, registered: true }, data });
      if (!endpoint) return 'not_found';
      this.forget(before);
      this.forget(endpoint);
      return endpoint;
    } catch (error) {
      if (isUniqueViolation(error)) return 'url_taken';
      throw error;
    }
  }

  /** Deletes a registered endpoint; returns it, or null when there was none (the caller drops its pending deliveries). */
  async remove(tenantId: string, id: string): Promise<WebhookEndpoint | null> {
    const [endpoint] = await this.prisma.webhookEndpoint.findMany({ where: { id, tenantId, registered: true }, take: 1 });
    if (!endpoint) return null;
    const { count } = await this.prisma.webhookEndpoint.deleteMany({ where: { id, tenantId, registered: true } });
    this.forget(endpoint);
    return count === 1 ? endpoint : null;
  }

  /**
   * A new secret for a registered endpoint (returned once); the old one keeps signing, as a second
   * `v1,` signature, for `graceMs` (0: invalid at once). Null when there is no such endpoint.
   */
  async rotate(tenantId: string, id: string, graceMs: number, now = new Date()): Promise<EndpointWithSecret | null> {
    const before = await this.getRegistered(tenantId, id);
    if (!before) return null;
    const current = this.openSecrets(before, 0)[0];
    const secret = generateWebhookSecret();
    const next = this.keyring.seal(secret, context(id, 'secret'));
    const previous = graceMs > 0 ? this.keyring.seal(current, context(id, 'previous_secret')) : null;
    const [endpoint] = await this.prisma.webhookEndpoint.updateManyAndReturn({
      where: { id, tenantId, registered: true, secretCiphertext: before.secretCiphertext },
      data: {
        secretCiphertext: next.ciphertext,
        secretKeyId: next.keyId,
        previousSecretCiphertext: previous?.ciphertext ?? null,
        previousSecretKeyId: previous?.keyId ?? null,
        previousExpiresAt: previous ? new Date(now.getTime() + graceMs) : null,
        rotatedAt: now,
      },
    });
    if (!endpoint) return null;
    this.forget(endpoint);
    return { endpoint, secret };
  }

  /**
   * The secrets an endpoint's deliveries are signed with now — its current one, then the previous
   * one during a rotation's overlap — or null when it has none of its own (implicit endpoints: the
   * tenant's key signs).
   */
  signingSecrets(endpoint: WebhookEndpoint, now = Date.now()): string[] | null {
    if (!endpoint.registered || endpoint.secretCiphertext === null) return null;
    return this.openSecrets(endpoint, now);
  }

  /** Re-encrypts every sealed endpoint secret not under the keyring's current key; returns the rows changed. */
  async resealAll(batch = 500): Promise<number> {
    let changed = 0;
    for (;;) {
      const rows = await this.prisma.webhookEndpoint.findMany({
        where: { OR: [{ secretKeyId: { not: this.keyring.currentKeyId } }, { previousSecretKeyId: { not: this.keyring.currentKeyId } }] },
        take: batch,
      });
      for (const row of rows) {
        const reseal = (ciphertext: string | null, keyId: string | null, column: 'secret' | 'previous_secret') =>
          ciphertext === null || keyId === null ? null : this.keyring.seal(this.keyring.open({ keyId, ciphertext }, context(row.id, column)), context(row.id, column));
        const current = reseal(row.secretCiphertext, row.secretKeyId, 'secret');
        const previous = reseal(row.previousSecretCiphertext, row.previousSecretKeyId, 'previous_secret');
        await this.prisma.webhookEndpoint.updateMany({
          where: { id: row.id, secretCiphertext: row.secretCiphertext, previousSecretCiphertext: row.previousSecretCiphertext },
          data: {
            secretCiphertext: current?.ciphertext ?? null,
            secretKeyId: current?.keyId ?? null,
            previousSecretCiphertext: previous?.ciphertext ?? null,
            previousSecretKeyId: previous?.keyId ?? null,
          },
        });
        this.forget(row);
      }
      changed += rows.length;
      if (rows.length < batch) return changed;
    }
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
    this.forget(endpoint);
    return endpoint;
  }

  private openSecrets(endpoint: WebhookEndpoint, now: number): string[] {
    if (endpoint.secretCiphertext === null || endpoint.secretKeyId === null) throw new Error(`webhook endpoint ${endpoint.id} has no secret`);
    const secrets = [this.keyring.open({ keyId: endpoint.secretKeyId, ciphertext: endpoint.secretCiphertext }, context(endpoint.id, 'secret'))];
    const previousValid = endpoint.previousExpiresAt !== null && endpoint.previousExpiresAt.getTime() > now;
    if (previousValid && endpoint.previousSecretCiphertext !== null && endpoint.previousSecretKeyId !== null) {
      secrets.push(this.keyring.open({ keyId: endpoint.previousSecretKeyId, ciphertext: endpoint.previousSecretCiphertext }, context(endpoint.id, 'previous_secret')));
    }
    return secrets;
  }

  private remember(endpoint: WebhookEndpoint, now: number): void {
    if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
    this.cache.set(`${endpoint.tenantId}\n${endpoint.url}`, { endpoint, expires: now + CACHE_TTL_MS });
  }

  private forget(endpoint: Pick<WebhookEndpoint, 'tenantId' | 'url'>): void {
    this.cache.delete(`${endpoint.tenantId}\n${endpoint.url}`);
    this.disabled.delete(`${endpoint.tenantId}\n${endpoint.url}`);
  }
}
