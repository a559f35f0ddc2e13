/** The Redis channel that announces changed credentials (keys, users, tenants) to every gateway. */
export const authChannel = (prefix: string) => `${prefix}:auth:changed`;

/**
 * What an announcement names: one API key (by hash), every key of a user, or every key of a
 * tenant. A gateway drops the cached principals it names and reads them again from Postgres.
 */
export type AuthChange = { kind: 'key'; hash: string } | { kind: 'user'; id: string } | { kind: 'tenant'; id: string };

export function encodeAuthChange(change: AuthChange): string {
  return change.kind === 'key' ? `key:${change.hash}` : `${change.kind}:${change.id}`;
}

export function decodeAuthChange(message: string): AuthChange | null {
  const [kind, value] = [message.slice(0, message.indexOf(':')), message.slice(message.indexOf(':') + 1)];
  if (!value) return null;
  if (kind === 'key') return { kind, hash: value };
  if (kind === 'user' || kind === 'tenant') return { kind, id: value };
  return null;
}

/** Why a tenant is suspended. */
export type SuspensionReason = 'admin' | 'cost_spike';
