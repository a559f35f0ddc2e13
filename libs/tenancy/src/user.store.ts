import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, Tier, UserRole } from '@conduit/db';
import { AuthAnnouncer } from './auth-announcer';

export interface UserRecord {
  id: string;
  tenantId: string;
  email: string | null;
  name: string | null;
  tier: Tier;
  role: UserRole;
  suspendedAt: Date | null;
  erasedAt: Date | null;
  createdAt: Date;
}

/** An email already used in the tenant. */
export class UserEmailTakenError extends Error {
  constructor(readonly email: string) {
    super(`A user with email "${email}" already exists in this tenant.`);
    this.name = 'UserEmailTakenError';
  }
}

/** An end user of a tenant's application, with what the gateway needs to admit them. */
export interface EndUserRecord {
  id: string;
  tier: Tier;
  suspendedAt: Date | null;
  tenant: { tier: Tier; suspendedAt: Date | null };
}

const END_USER_SELECT = { id: true, tier: true, suspendedAt: true, tenant: { select: { tier: true, suspendedAt: true } } } as const;

const SELECT = { id: true, tenantId: true, email: true, name: true, tier: true, role: true, suspendedAt: true, erasedAt: true, createdAt: true } as const;

/**
 * The one owner of writes to `users`. Every read and write is scoped by tenant: a user id of
 * another tenant is never found. Changes that cached principals carry (tier, role, suspension)
 * are announced to every gateway.
 */
@Injectable()
export class UserStore {
  constructor(
    private readonly prisma: PrismaService,
    private readonly announcer: AuthAnnouncer,
  ) {}

  async create(tenantId: string, input: { email?: string; name?: string; tier: Tier; role: UserRole }): Promise<UserRecord> {
    try {
      return await this.prisma.user.create({ data: { tenantId, ...input }, select: SELECT });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') throw new UserEmailTakenError(input.email ?? '');
      throw error;
    }
  }

  get(tenantId: string, id: string): Promise<UserRecord | null> {
    return this.prisma.user.findFirst({ where: { id, tenantId }, select: SELECT });
  }

  byEmail(tenantId: string, email: string): Promise<UserRecord | null> {
    return this.prisma.user.findFirst({ where: { tenantId, email }, select: SELECT });
  }

  /** Up to `limit + 1` users of the tenant after `after` (by id). */
  list(tenantId: string, limit: number, after?: string): Promise<UserRecord[]> {
    return this.prisma.user.findMany({
      where: { tenantId, ...(after ? { id: { gt: after } } : {}) },
      orderBy: { id: 'asc' },
      take: limit + 1,
      select: SELECT,
    });
  }

  async update(tenantId: string, id: string, changes: { tier?: Tier; role?: UserRole; name?: string }): Promise<UserRecord | null> {
    const { count } = await this.prisma.user.updateMany({ where: { id, tenantId }, data: changes });
    if (count === 0) return null;
    await this.announcer.announce({ kind: 'user', id });
    return this.get(tenantId, id);
  }

  /** Refuses the user's keys until resumed (an erased user cannot be resumed). */
  async setSuspended(tenantId: string, id: string, suspended: boolean): Promise<UserRecord | null> {
    const { count } = await this.prisma.user.updateMany({
      where: { id, tenantId, ...(suspended ? {} : { erasedAt: null }) },
      data: { suspendedAt: suspended ? new Date() : null },
    });
    if (count === 0) return null;
    await this.announcer.announce({ kind: 'user', id });
    return this.get(tenantId, id);
  }

  /**
   * Marks an erasure started (suspended for good; email, name and an end user's external id
   * cleared, so the address can be used again and an application that names the same end user
   * again starts a new one); the content itself is deleted by the erasure. Idempotent.
   */
  async markErased(tenantId: string, id: string): Promise<UserRecord | null> {
    const { count } = await this.prisma.user.updateMany({
      where: { id, tenantId, erasedAt: null },
      data: { email: null, name: null, externalId: null, suspendedAt: new Date(), erasedAt: new Date() },
    });
    if (count > 0) await this.announcer.announce({ kind: 'user', id });
    return this.get(tenantId, id);
  }

  /**
   * The end user `externalId` of the tenant's application (`users.external_id`, unique per
   * tenant), created with `tier` on first sight. Two first requests at once find the same row.
   */
  async endUser(tenantId: string, externalId: string, tier: Tier): Promise<EndUserRecord> {
    const found = await this.findEndUser(tenantId, externalId);
    if (found) return found;
    try {
      return await this.prisma.user.create({ data: { tenantId, externalId, tier }, select: END_USER_SELECT });
    } catch (error) {
      // Two first requests of the same end user at once: the other one created it.
      if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error;
      const row = await this.findEndUser(tenantId, externalId);
      if (!row) throw error;
      return row;
    }
  }

  private findEndUser(tenantId: string, externalId: string): Promise<EndUserRecord | null> {
    return this.prisma.user.findUnique({ where: { tenantId_externalId: { tenantId, externalId } }, select: END_USER_SELECT });
  }
}
