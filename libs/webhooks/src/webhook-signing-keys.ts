import { Inject, Injectable } from '@nestjs/common';
import type { SecretKeyring } from '@conduit/config';
import { PrismaService, WebhookSigningKey } from '@conduit/db';
import { SECRET_KEYRING } from './secret-keyring.module';
import { generateWebhookSecret } from './signing';

const CACHE_TTL_MS = 5_000;
const CACHE_MAX_ENTRIES = 10_000;

/** A tenant's signing key with its secrets opened (never stored or logged like this). */
export interface TenantSigningKey {
  tenantId: string;
  secret: string;
  previousSecret: string | null;
  previousExpiresAt: Date | null;
  createdAt: Date;
  rotatedAt: Date | null;
}

/** Associated data binding a sealed tenant secret to its row and column. */
const context = (tenantId: string, column: 'secret' | 'previous_secret') => `webhook_signing_keys:${tenantId}:${column}`;

/**
 * The one owner of `webhook_signing_keys`: per-tenant `whsec_` secrets, signing deliveries to
 * endpoints without a secret of their own (the implicit endpoints of jobs' `webhook_url`s). A tenant
 * gets one on first use; rotating keeps the old one valid (and signed with, next to the new one) for
 * a grace period. Secrets are sealed with the keyring (AES-256-GCM, key id beside the ciphertext);
 * a row stored in plain text before encryption is sealed when read, or by {@link resealAll}.
 * Signers cache a tenant's secrets for a few seconds.
 */
@Injectable()
export class WebhookSigningKeys {
  private readonly cache = new Map<string, { secrets: string[]; expires: number }>();

  constructor(
    private readonly prisma: PrismaService,
    @Inject(SECRET_KEYRING) private readonly keyring: SecretKeyring,
  ) {}

  /** The tenant's key, created on first use. */
  async get(tenantId: string): Promise<TenantSigningKey> {
    let row = await this.prisma.webhookSigningKey.findUnique({ where: { tenantId } });
    if (!row) {
      const sealed = this.keyring.seal(generateWebhookSecret(), context(tenantId, 'secret'));
      await this.prisma.webhookSigningKey.createMany({
        data: [{ tenantId, secretCiphertext: sealed.ciphertext, secretKeyId: sealed.keyId }],
        skipDuplicates: true,
      });
      row = await this.prisma.webhookSigningKey.findUniqueOrThrow({ where: { tenantId } });
    }
    if (this.needsSealing(row)) row = await this.reseal(row);
    return this.open(row);
  }

  /** Secrets to sign with now: the current one first, then the previous one while it is still valid. */
  async signingSecrets(tenantId: string, now = Date.now()): Promise<string[]> {
    const cached = this.cache.get(tenantId);
    if (cached && cached.expires > now) return cached.secrets;
    const secrets = validSecrets(await this.get(tenantId), now);
    if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
    this.cache.set(tenantId, { secrets, expires: now + CACHE_TTL_MS });
    return secrets;
  }

  /** A new current secret; the old one stays valid for `graceMs` (0: invalid at once). */
  async rotate(tenantId: string, graceMs: number, now = new Date()): Promise<TenantSigningKey> {
    const key = await this.get(tenantId);
    const next = this.keyring.seal(generateWebhookSecret(), context(tenantId, 'secret'));
    const previous = graceMs > 0 ? this.keyring.seal(key.secret, context(tenantId, 'previous_secret')) : null;
    const rotated = await this.prisma.webhookSigningKey.update({
      where: { tenantId },
      data: {
        secret: null,
        previousSecret: null,
        secretCiphertext: next.ciphertext,
        secretKeyId: next.keyId,
        previousSecretCiphertext: previous?.ciphertext ?? null,
        previousSecretKeyId: previous?.keyId ?? null,
        previousExpiresAt: graceMs > 0 ? new Date(now.getTime() + graceMs) : null,
        rotatedAt: now,
      },
    });
    this.cache.delete(tenantId);
    return this.open(rotated);
  }

  /**
   * Seals every row still holding plain text and re-encrypts every sealed value not under the
   * keyring's current key (start-up, and `admin rotate-secrets-key`). Returns the rows changed.
   */
  async resealAll(batch = 500): Promise<number> {
    let changed = 0;
    for (;;) {
      const rows = await this.prisma.webhookSigningKey.findMany({
        where: {
          OR: [
            { secret: { not: null } },
            { previousSecret: { not: null } },
            { secretKeyId: { not: this.keyring.currentKeyId } },
            { previousSecretKeyId: { not: this.keyring.currentKeyId } },
          ],
        },
        take: batch,
      });
      for (const row of rows) await this.reseal(row);
      changed += rows.length;
      if (rows.length < batch) return changed;
    }
  }

  private needsSealing(row: WebhookSigningKey): boolean {
    return (
      row.secret !== null ||
      row.previousSecret !== null ||
      (row.secretKeyId !== null && this.keyring.isStale({ keyId: row.secretKeyId })) ||
      (row.previousSecretKeyId !== null && this.keyring.isStale({ keyId: row.previousSecretKeyId }))
    );
  }

  /** Rewrites a row with both secrets sealed under the current key and no plain text left. */
  private async reseal(row: WebhookSigningKey): Promise<WebhookSigningKey> {
    const opened = this.open(row);
    const current = this.keyring.seal(opened.secret, context(row.tenantId, 'secret'));
    const previous = opened.previousSecret === null ? null : this.keyring.seal(opened.previousSecret, context(row.tenantId, 'previous_secret'));
    return this.prisma.webhookSigningKey.update({
      where: { tenantId: row.tenantId },
      data: {
        secret: null,
        previousSecret: null,
        secretCiphertext: current.ciphertext,
        secretKeyId: current.keyId,
        previousSecretCiphertext: previous?.ciphertext ?? null,
        previousSecretKeyId: previous?.keyId ?? null,
      },
    });
  }

  private open(row: WebhookSigningKey): TenantSigningKey {
    const secret =
      row.secretCiphertext !== null && row.secretKeyId !== null
        ? this.keyring.open({ keyId: row.secretKeyId, ciphertext: row.secretCiphertext }, context(row.tenantId, 'secret'))
        : row.secret;
    if (secret === null) throw new Error(`webhook signing key of tenant ${row.tenantId} has no secret`);
    const previousSecret =
      row.previousSecretCiphertext !== null && row.previousSecretKeyId !== null
        ? this.keyring.open({ keyId: row.previousSecretKeyId, ciphertext: row.previousSecretCiphertext }, context(row.tenantId, 'previous_secret'))
        : row.previousSecret;
    return { tenantId: row.tenantId, secret, previousSecret, previousExpiresAt: row.previousExpiresAt, createdAt: row.createdAt, rotatedAt: row.rotatedAt };
  }
}

/** The secrets of an opened key that verify at `now`: the current one, then the previous one until it expires. */
export function validSecrets(key: { secret: string; previousSecret: string | null; previousExpiresAt: Date | null }, now = Date.now()): string[] {
  const previousValid = key.previousSecret && key.previousExpiresAt && key.previousExpiresAt.getTime() > now;
  return previousValid ? [key.secret, key.previousSecret as string] : [key.secret];
}
