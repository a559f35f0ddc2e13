import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, Tier } from '@conduit/db';

const LOCAL_TTL_MS = 5_000;
const LOCAL_MAX_ENTRIES = 10_000;

/** The user row an end user of a tenant's application is known by. */
export interface EndUserRow {
  id: string;
  tier: Tier;
}

/**
 * End users: rows of `users` named by the tenant's application (`external_id`, unique per tenant),
 * created on first sight so that sessions, limits, budgets, private documents and isolation apply
 * to them as to any user. A few seconds in process, then Postgres.
 */
@Injectable()
export class EndUserStore {
  private readonly local = new Map<string, { row: EndUserRow; expires: number }>();

  constructor(private readonly prisma: PrismaService) {}

  /** The end user `externalId` of the tenant, created with `tier` if it is new. */
  async userFor(tenantId: string, externalId: string, tier: Tier): Promise<EndUserRow> {
    const cacheKey = `${tenantId}\u0000${externalId}`;
    const now = Date.now();
    const cached = this.local.get(cacheKey);
    if (cached && cached.expires > now) return cached.row;

    const row = (await this.find(tenantId, externalId)) ?? (await this.create(tenantId, externalId, tier));
    if (this.local.size >= LOCAL_MAX_ENTRIES) this.local.clear();
    this.local.set(cacheKey, { row, expires: now + LOCAL_TTL_MS });
    return row;
  }

  private find(tenantId: string, externalId: string): Promise<EndUserRow | null> {
    return this.prisma.user.findUnique({ where: { tenantId_externalId: { tenantId, externalId } }, select: { id: true, tier: true } });
  }

  private async create(tenantId: string, externalId: string, tier: Tier): Promise<EndUserRow> {
    try {
      return await this.prisma.user.create({ data: { tenantId, externalId, tier }, select: { id: true, tier: true } });
    } catch (error) {
      // Two first requests of the same end user at once: the other one created it.
      if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error;
      const row = await this.find(tenantId, externalId);
      if (!row) throw error;
      return row;
    }
  }
}
