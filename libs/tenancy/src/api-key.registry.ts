import { Injectable } from '@nestjs/common';
import { ApiKeyScope, DEFAULT_API_KEY_SCOPES, mintApiKey } from '@conduit/contracts';
import { PrismaService, Tier, UserRole } from '@conduit/db';
import { AuthAnnouncer } from './auth-announcer';

/** An API key as admins see it: never its secret. */
export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  userId: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  /** Model globs the key may call; empty: every model. */
  allowedModels: string[];
  rpm: number | null;
  tpm: number | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** What the gateway needs to authenticate a key (read on a cache miss). */
export interface ApiKeyAuthRow {
  id: string;
  tenantId: string;
  userId: string;
  scopes: ApiKeyScope[];
  allowedModels: string[];
  rpm: number | null;
  tpm: number | null;
  revokedAt: Date | null;
  expiresAt: Date | null;
  user: { tier: Tier; role: UserRole; suspendedAt: Date | null };
  tenant: { tier: Tier; suspendedAt: Date | null };
}

export interface ApiKeySettings {
  name?: string;
  scopes?: readonly ApiKeyScope[];
  allowedModels?: readonly string[];
  rpm?: number | null;
  tpm?: number | null;
  expiresAt?: Date | null;
}

const SELECT = {
  id: true,
  tenantId: true,
  userId: true,
  name: true,
  prefix: true,
  scopes: true,
  allowedModels: true,
  rpm: true,
  tpm: true,
  createdAt: true,
  lastUsedAt: true,
  expiresAt: true,
  revokedAt: true,
} as const;

const toRecord = (row: Omit<ApiKeyRecord, 'scopes'> & { scopes: string[] }): ApiKeyRecord => ({ ...row, scopes: row.scopes as ApiKeyScope[] });

/**
 * The one owner of writes to `api_keys`. A key's secret exists only in the answer to
 * {@link create}; only its SHA-256 is stored. Every change that affects what a key may do
 * (revocation, expiry, scopes, allow-list, limits) is announced to every gateway, which drops its
 * cached copy at once.
 */
@Injectable()
export class ApiKeyRegistry {
  constructor(
    private readonly prisma: PrismaService,
    private readonly announcer: AuthAnnouncer,
  ) {}

  /** A new key for a user of the tenant; `secret` is shown once and never stored. */
  async create(tenantId: string, userId: string, settings: ApiKeySettings = {}, secret = mintApiKey()): Promise<{ record: ApiKeyRecord; secret: string }> {
    const row = await this.prisma.apiKey.create({
      data: {
        tenantId,
        userId,
        name: settings.name ?? 'default',
        prefix: secret.prefix,
        keyHash: secret.hash,
        scopes: [...(settings.scopes ?? DEFAULT_API_KEY_SCOPES)],
        allowedModels: [...(settings.allowedModels ?? [])],
        rpm: settings.rpm ?? null,
        tpm: settings.tpm ?? null,
        expiresAt: settings.expiresAt ?? null,
      },
      select: SELECT,
    });
    return { record: toRecord(row), secret: secret.key };
  }

  async get(tenantId: string, id: string): Promise<ApiKeyRecord | null> {
    const row = await this.prisma.apiKey.findFirst({ where: { id, tenantId }, select: SELECT });
    return row ? toRecord(row) : null;
  }

  /** Up to `limit + 1` keys of the tenant (or of one of its users) after `after` (by id). */
  async list(tenantId: string, options: { userId?: string; limit: number; after?: string }): Promise<ApiKeyRecord[]> {
    const rows = await this.prisma.apiKey.findMany({
      where: { tenantId, ...(options.userId ? { userId: options.userId } : {}), ...(options.after ? { id: { gt: options.after } } : {}) },
      orderBy: { id: 'asc' },
      take: options.limit + 1,
      select: SELECT,
    });
    return rows.map(toRecord);
  }

  /** Changes a key's name, scopes, allow-list, limits or expiry; null when the tenant has no such key. */
  async update(tenantId: string, id: string, settings: ApiKeySettings): Promise<ApiKeyRecord | null> {
    const data = {
      ...(settings.name !== undefined ? { name: settings.name } : {}),
      ...(settings.scopes !== undefined ? { scopes: [...settings.scopes] } : {}),
      ...(settings.allowedModels !== undefined ? { allowedModels: [...settings.allowedModels] } : {}),
      ...(settings.rpm !== undefined ? { rpm: settings.rpm } : {}),
      ...(settings.tpm !== undefined ? { tpm: settings.tpm } : {}),
      ...(settings.expiresAt !== undefined ? { expiresAt: settings.expiresAt } : {}),
    };
    return this.changed(tenantId, id, await this.prisma.apiKey.updateMany({ where: { id, tenantId }, data }));
  }

  /** Revokes a key for good (idempotent); null when the tenant has no such key. */
  async revoke(tenantId: string, id: string): Promise<ApiKeyRecord | null> {
    await this.prisma.apiKey.updateMany({ where: { id, tenantId, revokedAt: null }, data: { revokedAt: new Date() } });
    return this.changed(tenantId, id, { count: 1 });
  }

  /** Revokes every live key of a user (erasure). */
  async revokeAllOf(tenantId: string, userId: string): Promise<number> {
    const { count } = await this.prisma.apiKey.updateMany({ where: { tenantId, userId, revokedAt: null }, data: { revokedAt: new Date() } });
    await this.announcer.announce({ kind: 'user', id: userId });
    return count;
  }

  /** Revokes every live key with this visible prefix (the CLI's handle on a key). */
  async revokeByPrefix(prefix: string): Promise<number> {
    const keys = await this.prisma.apiKey.findMany({ where: { prefix, revokedAt: null }, select: { keyHash: true } });
    const { count } = await this.prisma.apiKey.updateMany({ where: { prefix, revokedAt: null }, data: { revokedAt: new Date() } });
    await this.announcer.announce(...keys.map((key) => ({ kind: 'key' as const, hash: key.keyHash })));
    return count;
  }

  /** Un-revokes a key whose secret is known (the development seed's fixed key). */
  async ensure(tenantId: string, userId: string, secret: { key: string; prefix: string; hash: string }, name: string): Promise<void> {
    await this.prisma.apiKey.upsert({
      where: { keyHash: secret.hash },
      create: { tenantId, userId, name, prefix: secret.prefix, keyHash: secret.hash },
      update: { revokedAt: null },
    });
    await this.announcer.announce({ kind: 'key', hash: secret.hash });
  }

  /** The key's authentication view, or null for an unknown hash. */
  async authRow(hash: string): Promise<ApiKeyAuthRow | null> {
    const row = await this.prisma.apiKey.findUnique({
      where: { keyHash: hash },
      select: {
        id: true,
        tenantId: true,
        userId: true,
        scopes: true,
        allowedModels: true,
        rpm: true,
        tpm: true,
        revokedAt: true,
        expiresAt: true,
        user: { select: { tier: true, role: true, suspendedAt: true } },
        tenant: { select: { tier: true, suspendedAt: true } },
      },
    });
    return row ? { ...row, scopes: row.scopes as ApiKeyScope[] } : null;
  }

  /** Records a key's last use (the gateway calls it at most once a minute per key). */
  async touch(id: string, at: Date): Promise<void> {
    await this.prisma.apiKey.updateMany({ where: { id }, data: { lastUsedAt: at } });
  }

  private async changed(tenantId: string, id: string, result: { count: number }): Promise<ApiKeyRecord | null> {
    if (result.count === 0) return null;
    const row = await this.prisma.apiKey.findFirst({ where: { id, tenantId }, select: { ...SELECT, keyHash: true } });
    if (!row) return null;
    const { keyHash, ...record } = row;
    await this.announcer.announce({ kind: 'key', hash: keyHash });
    return toRecord(record);
  }
}
