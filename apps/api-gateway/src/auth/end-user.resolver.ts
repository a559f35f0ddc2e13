import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ConduitHeader } from '@conduit/contracts';
import { ApiKeyStore } from './api-key.store';
import { suspendedRefusal } from './auth.exception';
import { EndUserErrorCode, EndUserException } from './end-user.exception';
import { hasScope, type Principal } from './principal';

/** The key scope that lets a service key name the end users it acts for. */
export const ACT_FOR_USERS_SCOPE = 'act_for_users' as const;
export const END_USER_HEADER = ConduitHeader.EndUser;
export const MAX_END_USER_ID_LENGTH = 256;

/** Routes whose body may name the end user with the OpenAI `user` field: where in the body it is. */
const BODY_USER_FIELDS: Readonly<Record<string, { path: readonly string[]; param: string }>> = {
  'POST /v1/chat/completions': { path: ['user'], param: 'user' },
  'POST /v1/jobs': { path: ['input', 'user'], param: 'input.user' },
};

// Control characters (C0, DEL, C1) never belong in an id.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Whether the caller's key may name end users. */
export function keyMayActForUsers(principal: Pick<Principal, 'scopes'>): boolean {
  return hasScope(principal, ACT_FOR_USERS_SCOPE);
}

/**
 * An end user's id as the application names it: 1 to 256 characters, no control characters, no
 * surrounding whitespace. Anything else is refused with 400 `invalid_end_user`.
 */
export function validEndUserId(value: unknown, param: string): string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > MAX_END_USER_ID_LENGTH ||
    value.trim() !== value ||
    CONTROL.test(value)
  ) {
    throw new EndUserException(
      EndUserErrorCode.InvalidEndUser,
      `${param} must name the end user with 1 to ${MAX_END_USER_ID_LENGTH} characters, without control characters or surrounding spaces.`,
      { param },
    );
  }
  return value;
}

type NamedBy = { value: unknown; param: string; header: boolean };

/** The end user a request names: the `x-conduit-end-user` header wins over the body's `user` field. */
export function endUserNamedBy(request: Pick<FastifyRequest, 'headers' | 'method' | 'body'> & { routeOptions?: { url?: string } }): NamedBy | undefined {
  const header = request.headers[END_USER_HEADER];
  if (header !== undefined) return { value: Array.isArray(header) ? undefined : header, param: END_USER_HEADER, header: true };
  const field = BODY_USER_FIELDS[`${request.method} ${request.routeOptions?.url ?? ''}`];
  if (!field) return undefined;
  let value: unknown = request.body;
  for (const key of field.path) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value === undefined || value === null ? undefined : { value, param: field.param, header: false };
}

/**
 * Turns a service key's principal into the end user it names (created on first sight, inside the
 * key's tenant), so that everything per user applies to that end user. A key without
 * `act_for_users` that names one with the header gets 403 `end_user_not_allowed`; its body `user`
 * field keeps its OpenAI meaning (passed to the provider) and names nobody. A suspended (or
 * erased) end user gets 403 `user_suspended`, and every end user of a suspended tenant 403
 * `tenant_suspended`, exactly as a user with a key.
 */
@Injectable()
export class EndUserResolver {
  constructor(private readonly store: ApiKeyStore) {}

  async resolve(principal: Principal, request: Parameters<typeof endUserNamedBy>[0]): Promise<Principal> {
    const named = endUserNamedBy(request);
    if (!named) return principal;
    if (!keyMayActForUsers(principal)) {
      if (!named.header) return principal;
      throw new EndUserException(
        EndUserErrorCode.EndUserNotAllowed,
        `Only a key with the ${ACT_FOR_USERS_SCOPE} scope may name an end user (${END_USER_HEADER}).`,
        { param: END_USER_HEADER },
      );
    }
    const externalId = validEndUserId(named.value, named.param);
    return this.asEndUser(principal, externalId);
  }

  /** The principal of end user `externalId` of the principal's tenant. */
  async asEndUser(caller: Omit<Principal, 'userId' | 'tier' | 'role' | 'externalUserId'>, externalId: string): Promise<Principal> {
    // A new end user starts at the tenant's tier; an admin may change it like any user's.
    const row = await this.store.endUser(caller.tenantId, externalId, caller.tenantTier);
    if (row.tenant.suspendedAt) throw suspendedRefusal('tenant_suspended');
    if (row.suspendedAt) throw suspendedRefusal('user_suspended');
    return { ...caller, userId: row.id, tier: row.tier, tenantTier: row.tenant.tier, role: 'member', externalUserId: externalId };
  }
}
