/** The API key format every issuer (admin CLI, seed, test fixtures) and the gateway's guard agree on. */
import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_PREFIX = 'cdt_';
/** Characters of the key kept in clear so people can tell their keys apart. */
export const VISIBLE_PREFIX_LENGTH = 12;

export interface MintedApiKey {
  key: string;
  prefix: string;
  hash: string;
}

/** SHA-256 of the whole key: keys are long random strings, so a fast hash is enough. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function visiblePrefix(key: string): string {
  return key.slice(0, VISIBLE_PREFIX_LENGTH);
}

/** A new key: `cdt_` + 32 bytes of randomness, base64url. Only its hash is ever stored. */
export function mintApiKey(): MintedApiKey {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return describeApiKey(key);
}

export function describeApiKey(key: string): MintedApiKey {
  return { key, prefix: visiblePrefix(key), hash: hashApiKey(key) };
}

/**
 * What an API key may call. `chat` (chat completions, sessions, messages), `jobs` (async jobs and
 * webhooks), `documents`, `usage` (the caller's usage and budget), `admin` (the admin API for the
 * key's tenant, when its user is a tenant admin) and `act_for_users` (name an end user per request).
 */
export const API_KEY_SCOPES = ['chat', 'jobs', 'documents', 'usage', 'admin', 'act_for_users'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
/** Scopes of a key created without a list (and of every key created before scopes existed). */
export const DEFAULT_API_KEY_SCOPES: readonly ApiKeyScope[] = ['chat', 'jobs', 'documents', 'usage'];
