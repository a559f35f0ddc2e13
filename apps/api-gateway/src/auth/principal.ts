import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

export type Tier = 'free' | 'pro' | 'enterprise';
/** `tenant_admin` also manages the tenant's settings (webhook endpoints, policies, shared collections). */
export type UserRole = 'member' | 'tenant_admin';

/** Who is calling: resolved from the API key on every authenticated request. */
export interface Principal {
  tenantId: string;
  userId: string;
  apiKeyId: string;
  /** The user's tier (limits and budgets default by tier). */
  tier: Tier;
  tenantTier: Tier;
  /** The user's role in the tenant (absent in principals cached before roles existed: a member). */
  role?: UserRole;
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
