import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks (https://www.standardwebhooks.com) signing and verification.
 *
 * - `webhook-id`: the message id, the same for every retry of one message (receivers dedupe on it);
 * - `webhook-timestamp`: unix seconds of this attempt;
 * - `webhook-signature`: space-separated `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`,
 *   one per valid secret, so a receiver holding either secret verifies during a rotation.
 *
 * A secret is `whsec_` followed by the base64 of 24..64 random bytes; the HMAC key is those bytes.
 */

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
export const WEBHOOK_HEADERS = { id: 'webhook-id', timestamp: 'webhook-timestamp', signature: 'webhook-signature' } as const;
/** How far a timestamp may be from the receiver's clock (either way) before it is refused. */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export class WebhookSecretError extends Error {
  override name = 'WebhookSecretError';
}

export type WebhookVerificationFailure =
  | 'missing_headers'
  | 'invalid_timestamp'
  | 'timestamp_too_old'
  | 'timestamp_too_new'
  | 'no_matching_signature';

export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError';

  constructor(
    readonly reason: WebhookVerificationFailure,
    message: string,
  ) {
    super(message);
  }
}

/** A new `whsec_` secret with 32 random bytes. */
export function generateWebhookSecret(bytes = 32): string {
  if (bytes < MIN_KEY_BYTES || bytes > MAX_KEY_BYTES) throw new WebhookSecretError(`secrets have ${MIN_KEY_BYTES}..${MAX_KEY_BYTES} bytes`);
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(bytes).toString('base64')}`;
}

/** The HMAC key of a `whsec_` secret; throws {@link WebhookSecretError} for anything else. */
export function webhookSecretKey(secret: string): Buffer {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) throw new WebhookSecretError(`a webhook secret starts with "${WEBHOOK_SECRET_PREFIX}"`);
  const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (!BASE64.test(encoded)) throw new WebhookSecretError('a webhook secret is whsec_ followed by base64');
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
    throw new WebhookSecretError(`a webhook secret decodes to ${MIN_KEY_BYTES}..${MAX_KEY_BYTES} bytes, not ${key.length}`);
  }
  return key;
}

export interface WebhookMessage {
  /** `webhook-id`: stable across retries of one message. */
  id: string;
  /** `webhook-timestamp`: unix seconds of the attempt. */
  timestamp: number;
  /** The exact bytes sent as the request body. */
  body: string;
}

/** One `v1,<base64>` signature of a message with one secret. */
export function signWebhook(secret: string, message: WebhookMessage): string {
  const mac = createHmac('sha256', webhookSecretKey(secret)).update(`${message.id}.${message.timestamp}.${message.body}`, 'utf8').digest('base64');
  return `v1,${mac}`;
}

/** The three Standard Webhooks headers, signed with every given secret (current first). */
export function webhookHeaders(message: WebhookMessage, secrets: readonly string[]): Record<string, string> {
  if (secrets.length === 0) throw new WebhookSecretError('at least one secret is needed to sign a webhook');
  return {
    [WEBHOOK_HEADERS.id]: message.id,
    [WEBHOOK_HEADERS.timestamp]: String(message.timestamp),
    [WEBHOOK_HEADERS.signature]: secrets.map((secret) => signWebhook(secret, message)).join(' '),
  };
}

export interface VerifyOptions {
  toleranceSeconds?: number;
  /** Unix seconds; defaults to the clock. */
  now?: number;
}

type HeaderBag = Record<string, string | string[] | undefined> | Headers;

function header(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const bag = headers as Record<string, string | string[] | undefined>;
  const value = bag[name] ?? Object.entries(bag).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Verifies a received webhook against one or more secrets (a receiver mid-rotation passes both).
 * Throws {@link WebhookVerificationError} naming the reason; returns the message id otherwise.
 */
export function verifyWebhook(body: string, headers: HeaderBag, secrets: string | readonly string[], options: VerifyOptions = {}): string {
  const id = header(headers, WEBHOOK_HEADERS.id);
  const timestamp = header(headers, WEBHOOK_HEADERS.timestamp);
  const signatures = header(headers, WEBHOOK_HEADERS.signature);
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError('missing_headers', 'webhook-id, webhook-timestamp and webhook-signature are required');
  if (!/^\d{1,12}$/.test(timestamp)) throw new WebhookVerificationError('invalid_timestamp', 'webhook-timestamp is not unix seconds');
  const sent = Number(timestamp);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (sent < now - tolerance) throw new WebhookVerificationError('timestamp_too_old', 'webhook-timestamp is too old');
  if (sent > now + tolerance) throw new WebhookVerificationError('timestamp_too_new', 'webhook-timestamp is in the future');

  const presented = signatures
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => Buffer.from(entry.slice(3), 'base64'));
  for (const secret of [secrets].flat()) {
    const expected = Buffer.from(signWebhook(secret, { id, timestamp: sent, body }).slice(3), 'base64');
    if (presented.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected))) return id;
  }
  throw new WebhookVerificationError('no_matching_signature', 'no webhook-signature matches the secret(s)');
}
