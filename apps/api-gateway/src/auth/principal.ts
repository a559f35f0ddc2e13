import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

export type Tier = 'free' | 'pro' | 'enterprise';
/** `tenant_admin` also manages the tenant's settings (webhook endpoints, policies, shared collections). */
export type UserRole = 'member' | 'tenant_admin';

/** Who is calling: resolved from the API key (or a tenant's JWT) on every authenticated request. */
export interface Principal {
  tenantId: string;
  userId: string;
  /** The API key used; null for a caller signed in with a tenant's JWT. */
  apiKeyId: string | null;
  /** The user's tier (limits and budgets default by tier). */
  tier: Tier;
  tenantTier: Tier;
  /** The user's role in the tenant (absent in principals cached before roles existed: a member). */
  role?: UserRole;
  /** What the key may do (`act_for_users`: name end users); absent in principals cached before scopes existed. */
  scopes?: string[];
  /** Set when the caller is an end user of the tenant's application: the id the application names them by. */
  externalUserId?: string;
}

/** Whether the caller may manage the tenant's settings. */
export function isTenantAdmin(principal: Principal): boolean {
  return principal.role === 'tenant_admin';
}

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/** Injects the caller's principal into a handler parameter. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return request.principal;
});
