import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { PUBLIC_ROUTE } from '@conduit/observability';
import { ApiKeyScope, hashApiKey } from '@conduit/contracts';
import { PolicyStore } from '@conduit/policies';
import { applyTenantOrigins } from '../http/browser-edge';
import { ApiKeyStore } from './api-key.store';
import { AuthErrorCode, AuthException, suspendedRefusal } from './auth.exception';
import { EndUserResolver } from './end-user.resolver';
import { JwtVerifier, looksLikeJwt } from './jwt.verifier';
import { AuthenticatedRequest, hasScope, Principal } from './principal';
import { REQUIRED_SCOPE } from './required-scope';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Global guard: every route needs `Authorization: Bearer <key>` (or a tenant's JWT) unless marked
 * @Public(). A key (or JWT caller, or end user) of a suspended tenant or user gets 403
 * `tenant_suspended` / `user_suspended`; a caller without the route's scope ({@link RequireScope})
 * 403 `insufficient_scope` (JWT callers have {@link JWT_SCOPES}: never `admin`). A key scoped
 * `act_for_users` then acts for the end user the request names. A browser's request then gets
 * the CORS headers only if the tenant's own origin list (policy `cors`) allows its origin too.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly store: ApiKeyStore,
    private readonly logger: PinoLogger,
    private readonly jwt: JwtVerifier,
    private readonly endUsers: EndUserResolver,
    private readonly policies: PolicyStore,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    if (!header) {
      throw new AuthException(AuthErrorCode.MissingApiKey, 'No API key provided: send it as "Authorization: Bearer <key>".');
    }
    const match = BEARER.exec(header);
    if (!match) throw new AuthException(AuthErrorCode.InvalidApiKey, 'Malformed Authorization header: expected "Bearer <key>".');
    const token = match[1];
    const principal = looksLikeJwt(token) ? await this.jwt.principalFor(token) : await this.keyPrincipal(token);
    this.logger.assign({ tenant_id: principal.tenantId, user_id: principal.userId });
    const scope = this.reflector.getAllAndOverride<ApiKeyScope | undefined>(REQUIRED_SCOPE, targets);
    if (scope && !hasScope(principal, scope)) {
      throw new AuthException(AuthErrorCode.ScopeRequired, `This API key lacks the "${scope}" scope needed here.`);
    }
    request.principal = await this.endUsers.resolve(principal, request);
    if (request.principal !== principal) this.logger.assign({ user_id: request.principal.userId });
    if (request.headers.origin !== undefined) await this.tenantCors(principal.tenantId, request.headers.origin, context.switchToHttp().getResponse<FastifyReply>());
    return true;
  }

  /** Narrows the deployment's CORS answer to the tenant's own origins, if it lists any. */
  private async tenantCors(tenantId: string, origin: string, reply: FastifyReply): Promise<void> {
    if (reply.getHeader('access-control-allow-origin') === undefined) return;
    const origins = await this.policies.get(tenantId).then(
      (policy) => policy.document.cors?.allowed_origins,
      (error: unknown) => {
        // Unknown list: fail closed (no CORS headers); the call itself goes on.
        this.logger.warn({ err: error }, 'tenant policy unavailable: CORS headers withheld');
        return [];
      },
    );
    applyTenantOrigins(reply, origin, origins);
  }

  private async keyPrincipal(key: string): Promise<Principal> {
    const resolution = await this.store.resolve(hashApiKey(key));
    if (!resolution) throw new AuthException(AuthErrorCode.InvalidApiKey, 'Incorrect, revoked or expired API key.');
    if ('refused' in resolution) {
      this.logger.assign({ tenant_id: resolution.principal.tenantId, user_id: resolution.principal.userId });
      throw suspendedRefusal(resolution.refused);
    }
    return resolution.principal;
  }
}
