import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ConduitHeader } from '@conduit/contracts';
import { InternalErrorCode, InternalException } from './internal.exception';

/** Refuses a caller that does not present the internal token (when one is configured). */
export function assertInternalCaller(request: FastifyRequest, expected: string | undefined): void {
  if (!expected) return;
  const presented = request.headers[ConduitHeader.InternalToken];
  const a = Buffer.from(typeof presented === 'string' ? presented : '');
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new InternalException(InternalErrorCode.Unauthorized, 'missing or wrong internal token');
  }
}
