import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

export type Tier = 'free' | 'pro' | 'enterprise';

/** Who is calling: resolved from the API key on every authenticated request. */
export interface Principal {
  tenantId: string;
  userId: string;
  apiKeyId: string;
  /** The user's tier (limits and budgets default by tier). */
  tier: Tier;
  tenantTier: Tier;
}

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/** Injects the caller's principal into a handler parameter. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.principal) throw new Error('CurrentPrincipal used on a route without authentication');
  return request.principal;
});
