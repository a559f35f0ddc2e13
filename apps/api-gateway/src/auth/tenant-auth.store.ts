import { Injectable } from '@nestjs/common';
import { PrismaService, type Tier } from '@conduit/db';
import type { TenantJwtSettings } from './tenant-auth.schema';

/** How long a gateway keeps a tenant's JWT settings: a change takes effect within this. */
export const TENANT_AUTH_CACHE_MS = 30_000;
const LOCAL_MAX_ENTRIES = 10_000;

/** A tenant that signs its users in with JWTs from an issuer. */
export interface TenantJwtIssuer extends TenantJwtSettings {
  tenantId: string;
  tenantTier: Tier;
}

/** The owner of `tenant_auth`: each tenant's JWT settings (issuer, audience, JWKS, user claim). */
@Injectable()
export class TenantAuthStore {
  private readonly byIssuerCache = new Map<string, { tenants: TenantJwtIssuer[]; expires: number }>();

  constructor(private readonly prisma: PrismaService) {}

  /** Tenants whose tokens come from `issuer` (at most one per audience); cached for {@link TENANT_AUTH_CACHE_MS}. */
  async tenantsOfIssuer(issuer: string): Promise<TenantJwtIssuer[]> {
    const now = Date.now();
    const cached = this.byIssuerCache.get(issuer);
    if (cached && cached.expires > now) return cached.tenants;
    const rows = await this.prisma.tenantAuth.findMany({ where: { issuer }, include: { tenant: { select: { tier: true } } } });
    const tenants = rows.map((row) => ({ ...toSettings(row), tenantId: row.tenantId, tenantTier: row.tenant.tier }));
    if (this.byIssuerCache.size >= LOCAL_MAX_ENTRIES) this.byIssuerCache.clear();
    this.byIssuerCache.set(issuer, { tenants, expires: now + TENANT_AUTH_CACHE_MS });
    return tenants;
  }

  async get(tenantId: string): Promise<TenantJwtSettings | null> {
    const row = await this.prisma.tenantAuth.findUnique({ where: { tenantId } });
    return row ? toSettings(row) : null;
  }

  /** Sets (or replaces) the tenant's JWT settings. Fails with Prisma's P2002 if another tenant has the same issuer and audience. */
  async set(tenantId: string, settings: TenantJwtSettings): Promise<void> {
    const data = { jwksUrl: settings.jwks_url, issuer: settings.issuer, audience: settings.audience, userClaim: settings.user_claim };
    await this.prisma.tenantAuth.upsert({ where: { tenantId }, create: { tenantId, ...data }, update: data });
  }

  /** Turns JWT sign-in off for the tenant; whether there was anything to remove. */
  async clear(tenantId: string): Promise<boolean> {
    const { count } = await this.prisma.tenantAuth.deleteMany({ where: { tenantId } });
    return count > 0;
  }
}

function toSettings(row: { jwksUrl: string; issuer: string; audience: string; userClaim: string }): TenantJwtSettings {
  return { jwks_url: row.jwksUrl, issuer: row.issuer, audience: row.audience, user_claim: row.userClaim };
}
