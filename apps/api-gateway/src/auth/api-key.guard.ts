import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PinoLogger } from 'nestjs-pino';
import { PUBLIC_ROUTE } from '@conduit/observability';
import { ApiKeyScope, hashApiKey } from '@conduit/contracts';
import { ApiKeyStore } from './api-key.store';
import { AuthErrorCode, AuthException } from './auth.exception';
import { AuthenticatedRequest, hasScope } from './principal';
import { REQUIRED_SCOPE } from './required-scope';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Global guard: every route needs `Authorization: Bearer <key>` unless marked @Public(). A key of a
 * suspended tenant or user gets 403 `tenant_suspended` / `user_suspended`; a key without the
 * route's scope ({@link RequireScope}) 403 `insufficient_scope`.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly store: ApiKeyStore,
    private readonly logger: PinoLogger,
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
    const resolution = await this.store.resolve(hashApiKey(match[1]));
    if (!resolution) throw new AuthException(AuthErrorCode.InvalidApiKey, 'Incorrect, revoked or expired API key.');
    const { principal } = resolution;
    this.logger.assign({ tenant_id: principal.tenantId, user_id: principal.userId });
    if ('refused' in resolution) {
      throw resolution.refused === 'tenant_suspended'
        ? new AuthException(AuthErrorCode.TenantSuspended, 'This organization is suspended; an administrator must resume it.')
        : new AuthException(AuthErrorCode.UserSuspended, 'This user is suspended; ask an administrator of your organization.');
    }
    const scope = this.reflector.getAllAndOverride<ApiKeyScope | undefined>(REQUIRED_SCOPE, targets);
    if (scope && !hasScope(principal, scope)) {
      throw new AuthException(AuthErrorCode.ScopeRequired, `This API key lacks the "${scope}" scope needed here.`);
    }
    request.principal = principal;
    return true;
  }
}
