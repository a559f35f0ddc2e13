import { timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { GATEWAY_USAGE_SETTINGS, GatewayUsageSettings } from './usage.constants';
import { UsageErrorCode, UsageException } from './usage.exception';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Operator access to `/v1/admin/*`: `Authorization: Bearer <ADMIN_API_KEY>` (a deployment secret,
 * compared in constant time). Tenant API keys never grant it. Without `ADMIN_API_KEY` the admin
 * routes answer 403 `admin_api_disabled`.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(@Inject(GATEWAY_USAGE_SETTINGS) private readonly settings: GatewayUsageSettings) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.settings.adminApiKey;
    if (!expected) {
      throw new UsageException(UsageErrorCode.AdminDisabled, 'The admin API is disabled: set ADMIN_API_KEY on the gateway to enable it.');
    }
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization ?? '';
    const presented = Buffer.from(BEARER.exec(header)?.[1] ?? '');
    const wanted = Buffer.from(expected);
    if (presented.length !== wanted.length || !timingSafeEqual(presented, wanted)) {
      throw new UsageException(UsageErrorCode.InvalidAdminKey, 'Missing or wrong admin key.', undefined, { 'www-authenticate': 'Bearer' });
    }
    return true;
  }
}
