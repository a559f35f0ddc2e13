import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, Tier } from '@conduit/db';
import { AuthAnnouncer } from './auth-announcer';
import { SuspensionReason } from './tenancy.constants';

export interface TenantRecord {
  id: string;
  name: string;
  slug: string;
  tier: Tier;
  allowUnpricedModels: boolean;
  suspendedAt: Date | null;
  suspendedReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A tenant slug already taken. */
export class TenantSlugTakenError extends Error {
  constructor(readonly slug: string) {
    super(`A tenant with slug "${slug}" already exists.`);
    this.name = 'TenantSlugTakenError';
  }
}

const SELECT = {
  id: true,
  name: true,
  slug: true,
  tier: true,
  allowUnpricedModels: true,
  suspendedAt: true,
  suspendedReason: true,
  createdAt: true,
  updatedAt: true,
} as const;

/**
 * The one owner of writes to `tenants`. Suspension and resumption are announced to every gateway
 * (the tenant's keys are refused, or admitted again, within the time the announcement takes).
 */
@Injectable()
export class TenantStore {
  constructor(
    private readonly prisma: PrismaService,
    private readonly announcer: AuthAnnouncer,
  ) {}

  async create(input: { name: string; slug: string; tier: Tier }): Promise<TenantRecord> {
    try {
      return await this.prisma.tenant.create({ data: input, select: SELECT });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') throw new TenantSlugTakenError(input.slug);
      throw error;
    }
  }

  get(id: string): Promise<TenantRecord | null> {
    return this.prisma.tenant.findUnique({ where: { id }, select: SELECT });
  }

  bySlug(slug: string): Promise<TenantRecord | null> {
    return this.prisma.tenant.findUnique({ where: { slug }, select: SELECT });
  }

  /** Up to `limit + 1` tenants after `after` (by id): the extra row says there is more. */
  list(limit: number, after?: string): Promise<TenantRecord[]> {
    return this.prisma.tenant.findMany({
      where: after ? { id: { gt: after } } : {},
      orderBy: { id: 'asc' },
      take: limit + 1,
      select: SELECT,
    });
  }

  /** Name, tier and unpriced-model permission; null when there is no such tenant. */
  async update(id: string, changes: { name?: string; tier?: Tier; allowUnpricedModels?: boolean }): Promise<TenantRecord | null> {
    const { count } = await this.prisma.tenant.updateMany({ where: { id }, data: changes });
    if (count === 0) return null;
    // The tier is part of every cached principal of the tenant.
    if (changes.tier !== undefined) await this.announcer.announce({ kind: 'tenant', id });
    return this.get(id);
  }

  /** Stops the tenant's admissions until {@link resume}; true when it was not suspended already. */
  async suspend(id: string, reason: SuspensionReason): Promise<boolean> {
    const { count } = await this.prisma.tenant.updateMany({
      where: { id, suspendedAt: null },
      data: { suspendedAt: new Date(), suspendedReason: reason },
    });
    await this.announcer.announce({ kind: 'tenant', id });
    return count > 0;
  }

  async resume(id: string): Promise<boolean> {
    const { count } = await this.prisma.tenant.updateMany({ where: { id, suspendedAt: { not: null } }, data: { suspendedAt: null, suspendedReason: null } });
    await this.announcer.announce({ kind: 'tenant', id });
    return count > 0;
  }
}
