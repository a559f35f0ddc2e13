import { Injectable } from '@nestjs/common';
import { hashApiKey, mintApiKey } from '@conduit/contracts';
import { PrismaService } from '@conduit/db';

export interface AdminKeyRecord {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  createdBy: string | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const SELECT = { id: true, name: true, prefix: true, createdAt: true, createdBy: true, lastUsedAt: true, revokedAt: true } as const;

/**
 * The one owner of `admin_keys`: platform admin credentials, stored as SHA-256 hashes like API keys
 * (same `cdt_` format). Looked up in Postgres on every admin call: admin calls are rare, and a
 * revoked admin key stops working at once on every replica.
 */
@Injectable()
export class AdminKeyStore {
  constructor(private readonly prisma: PrismaService) {}

  async create(name: string, createdBy: string): Promise<{ record: AdminKeyRecord; secret: string }> {
    const minted = mintApiKey();
    const record = await this.prisma.adminKey.create({ data: { name, createdBy, prefix: minted.prefix, keyHash: minted.hash }, select: SELECT });
    return { record, secret: minted.key };
  }

  list(): Promise<AdminKeyRecord[]> {
    return this.prisma.adminKey.findMany({ orderBy: { createdAt: 'asc' }, select: SELECT });
  }

  async revoke(id: string): Promise<AdminKeyRecord | null> {
    await this.prisma.adminKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
    return this.prisma.adminKey.findUnique({ where: { id }, select: SELECT });
  }

  /** The live admin key presented as `key`, or null. */
  async verify(key: string): Promise<AdminKeyRecord | null> {
    const row = await this.prisma.adminKey.findUnique({ where: { keyHash: hashApiKey(key) }, select: SELECT });
    if (!row || row.revokedAt) return null;
    if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
      await this.prisma.adminKey.updateMany({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
    }
    return row;
  }
}
