import { Injectable } from '@nestjs/common';
import { PrismaService, WebhookSigningKey } from '@conduit/db';
import { generateWebhookSecret } from './signing';

const CACHE_TTL_MS = 5_000;
const CACHE_MAX_ENTRIES = 10_000;

/**
 * Per-tenant `whsec_` secrets. A tenant gets one on first use; rotating keeps the old one valid
 * (and signed with, next to the new one) for a grace period, so receivers can switch without
 * missing a delivery. Signers cache a tenant's secrets for a few seconds.
 */
@Injectable()
export class WebhookSigningKeys {
  private readonly cache = new Map<string, { secrets: string[]; expires: number }>();

  constructor(private readonly prisma: PrismaService) {}

  /** The tenant's key row, created on first use. */
  async get(tenantId: string): Promise<WebhookSigningKey> {
    const existing = await this.prisma.webhookSigningKey.findUnique({ where: { tenantId } });
    if (existing) return existing;
    await this.prisma.webhookSigningKey.createMany({ data: [{ tenantId, secret: generateWebhookSecret() }], skipDuplicates: true });
    return this.prisma.webhookSigningKey.findUniqueOrThrow({ where: { tenantId } });
  }

  /** Secrets to sign with now: the current one first, then the previous one while it is still valid. */
  async signingSecrets(tenantId: string, now = Date.now()): Promise<string[]> {
    const cached = this.cache.get(tenantId);
    if (cached && cached.expires > now) return cached.secrets;
    const key = await this.get(tenantId);
    const secrets = validSecrets(key, now);
    if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
    this.cache.set(tenantId, { secrets, expires: now + CACHE_TTL_MS });
    return secrets;
  }

  /**
   * A new current secret; the old one stays valid for `graceMs` (0: invalid at once). Returns the
   * updated row.
   */
  async rotate(tenantId: string, graceMs: number, now = new Date()): Promise<WebhookSigningKey> {
    const key = await this.get(tenantId);
    const rotated = await this.prisma.webhookSigningKey.update({
      where: { tenantId },
      data: {
        secret: generateWebhookSecret(),
        previousSecret: graceMs > 0 ? key.secret : null,
        previousExpiresAt: graceMs > 0 ? new Date(now.getTime() + graceMs) : null,
        rotatedAt: now,
      },
    });
    this.cache.delete(tenantId);
    return rotated;
  }
}

/** The secrets of a key row that verify at `now`. */
export function validSecrets(key: Pick<WebhookSigningKey, 'secret' | 'previousSecret' | 'previousExpiresAt'>, now = Date.now()): string[] {
  const previousValid = key.previousSecret && key.previousExpiresAt && key.previousExpiresAt.getTime() > now;
  return previousValid ? [key.secret, key.previousSecret as string] : [key.secret];
}
