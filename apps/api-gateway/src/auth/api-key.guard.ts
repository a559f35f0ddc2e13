import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PinoLogger } from 'nestjs-pino';
import { PUBLIC_ROUTE } from '@conduit/observability';
import { hashApiKey } from '@conduit/contracts';
import { ApiKeyStore } from './api-key.store';
import { AuthErrorCode, AuthException } from './auth.exception';
import { EndUserResolver } from './end-user.resolver';
import { JwtVerifier, looksLikeJwt } from './jwt.verifier';
import { AuthenticatedRequest } from './principal';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Global guard: every route needs `Authorization: Bearer <key>` (or a tenant's JWT) unless marked
 * @Public(). A key scoped `act_for_users` then acts for the end user the request names.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly store: ApiKeyStore,
    private readonly logger: PinoLogger,
    private readonly jwt: JwtVerifier,
    private readonly endUsers: EndUserResolver,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    if (!header) {
      throw new AuthException(AuthErrorCode.MissingApiKey, 'No API key provided: send it as "Authorization: Bearer <key>".');
    }
    const match = BEARER.exec(header);
    if (!match) throw new AuthException(AuthErrorCode.InvalidApiKey, 'Malformed Authorization header: expected "Bearer <key>".');
    const token = match[1];
    const authenticated = looksLikeJwt(token) ? await this.jwt.principalFor(token) : await this.store.principalFor(hashApiKey(token));
    if (!authenticated) throw new AuthException(AuthErrorCode.InvalidApiKey, 'Incorrect, revoked or expired API key.');
    const principal = await this.endUsers.resolve(authenticated, request);
    request.principal = principal;
    this.logger.assign({ tenant_id: principal.tenantId, user_id: principal.userId });
    return true;
  }
}
