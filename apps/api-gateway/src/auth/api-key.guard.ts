import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PinoLogger } from 'nestjs-pino';
import { PUBLIC_ROUTE } from '@conduit/observability';
import { hashApiKey } from '@conduit/contracts';
import { ApiKeyStore } from './api-key.store';
import { AuthErrorCode, AuthException } from './auth.exception';
import { AuthenticatedRequest } from './principal';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Global guard: every route needs `Authorization: Bearer <key>` unless marked @Public(). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly store: ApiKeyStore,
    private readonly logger: PinoLogger,
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
    const principal = await this.store.principalFor(hashApiKey(match[1]));
    if (!principal) throw new AuthException(AuthErrorCode.InvalidApiKey, 'Incorrect, revoked or expired API key.');
    request.principal = principal;
    this.logger.assign({ tenant_id: principal.tenantId, user_id: principal.userId });
    return true;
  }
}
