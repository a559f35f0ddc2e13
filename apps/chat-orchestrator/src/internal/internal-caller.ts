import { timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ConduitHeader } from '@conduit/contracts';
import { INTERNAL_SETTINGS, InternalSettings } from './internal.constants';
import { InternalErrorCode, InternalException } from './internal.exception';

/**
 * Refuses (401) a caller that does not present the internal token — always: a service without
 * `INTERNAL_TOKEN` refuses every internal call rather than trusting the tenant headers it gets.
 */
export function assertInternalCaller(request: FastifyRequest, expected: string | undefined): void {
  if (!expected) {
    throw new InternalException(InternalErrorCode.Unauthorized, 'internal calls are refused: this service has no INTERNAL_TOKEN');
  }
  const presented = request.headers[ConduitHeader.InternalToken];
  const a = Buffer.from(typeof presented === 'string' ? presented : '');
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new InternalException(InternalErrorCode.Unauthorized, 'missing or wrong internal token');
  }
}

/**
 * Guards every `/internal/*` controller (chat, models, price quotes): only the gateway, which
 * holds `INTERNAL_TOKEN`, gets past it. Runs before body parsing pipes and handlers, so a refused
 * call reads nothing, writes nothing and ends no budget reservation.
 */
@Injectable()
export class InternalCallerGuard implements CanActivate {
  constructor(@Inject(INTERNAL_SETTINGS) private readonly settings: InternalSettings) {}

  canActivate(context: ExecutionContext): boolean {
    assertInternalCaller(context.switchToHttp().getRequest<FastifyRequest>(), this.settings.internalToken);
    return true;
  }
}
