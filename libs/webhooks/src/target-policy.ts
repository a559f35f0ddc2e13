import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ADDRESS_CLASS_DESCRIPTIONS, AddressClass, Cidr, classifyAddress } from './ip-address';

/**
 * Where webhooks may go. In production only https URLs whose host resolves exclusively to public
 * addresses; development and tests may allow plain http and exempt some ranges (a receiver on
 * 127.0.0.1), never cloud metadata addresses.
 */
export interface WebhookTargetPolicy {
  allowHttp: boolean;
  /** Ranges exempt from the address check (development/test only; refused in production by config). */
  allowedCidrs: readonly string[];
}

export const STRICT_TARGET_POLICY: WebhookTargetPolicy = { allowHttp: false, allowedCidrs: [] };

export type WebhookTargetErrorCode =
  | 'invalid_url'
  | 'insecure_scheme'
  | 'credentials_in_url'
  | 'forbidden_host'
  | 'forbidden_address'
  | 'unresolvable_host';

/** A webhook URL that must not be called; `message` is safe to show the URL's owner. */
export class WebhookTargetError extends Error {
  override name = 'WebhookTargetError';

  constructor(
    readonly code: WebhookTargetErrorCode,
    message: string,
    /** True when the same URL might work later (DNS failure); false when it never will. */
    readonly transient = false,
  ) {
    super(message);
  }
}

export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const MAX_WEBHOOK_URL_LENGTH = 2_048;
const RESOLVE_TIMEOUT_MS = 3_000;

/** Names that are never resolved: the local host and well-known metadata endpoints. */
const LOOPBACK_NAMES = /^(localhost|.+\.localhost)$/;
const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal']);

export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** The hostname of a parsed URL without IPv6 brackets or a trailing dot. */
export function bareHostname(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
}

/**
 * Checks everything that can be checked without DNS: syntax, scheme, credentials, forbidden names,
 * and the address itself when the host is an IP literal (the WHATWG parser has already turned
 * `2130706433`, `0x7f.1` or `127.1` into `127.0.0.1`). Returns the parsed URL.
 */
export function checkWebhookUrl(raw: string, policy: WebhookTargetPolicy): URL {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) throw new WebhookTargetError('invalid_url', `webhook_url is longer than ${MAX_WEBHOOK_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookTargetError('invalid_url', 'webhook_url is not a valid absolute URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    throw new WebhookTargetError('insecure_scheme', policy.allowHttp ? 'webhook_url must be an http or https URL' : 'webhook_url must use https');
  }
  if (url.username || url.password) throw new WebhookTargetError('credentials_in_url', 'webhook_url must not contain credentials');
  const host = bareHostname(url);
  if (!host) throw new WebhookTargetError('invalid_url', 'webhook_url has no host');
  if (METADATA_NAMES.has(host)) throw new WebhookTargetError('forbidden_host', `webhook_url host ${host} is a cloud metadata endpoint`);
  if (isIP(host)) {
    checkAddress(host, host, policy);
  } else if (LOOPBACK_NAMES.test(host)) {
    // Never resolved through DNS: allowed only where loopback itself is allowed (tests).
    checkAddress('127.0.0.1', host, policy);
  }
  return url;
}

/** Throws unless `address` is public or inside an allowed range (metadata addresses never are). */
export function checkAddress(address: string, host: string, policy: WebhookTargetPolicy): AddressClass {
  const kind = classifyAddress(address);
  if (kind === 'public') return kind;
  if (kind !== 'metadata' && policy.allowedCidrs.some((cidr) => new Cidr(cidr).contains(address))) return kind;
  const described = ADDRESS_CLASS_DESCRIPTIONS[kind];
  const where = host === address ? `webhook_url points at ${address}` : `webhook_url host ${host} resolves to ${address}`;
  throw new WebhookTargetError('forbidden_address', `${where}, ${described}; webhooks only go to public addresses`);
}

/**
 * Resolves a host and checks every address it resolves to (one bad address is enough to refuse:
 * a resolver could hand out either). Returns the checked addresses, for connecting to exactly them.
 */
export async function resolveWebhookHost(
  host: string,
  policy: WebhookTargetPolicy,
  resolver: Resolver = systemResolver,
): Promise<{ address: string; family: 4 | 6 }[]> {
  if (isIP(host)) {
    checkAddress(host, host, policy);
    return [{ address: host, family: isIP(host) as 4 | 6 }];
  }
  if (LOOPBACK_NAMES.test(host)) {
    checkAddress('127.0.0.1', host, policy);
    return [{ address: '127.0.0.1', family: 4 }];
  }
  let addresses: { address: string; family: number }[];
  try {
    addresses = await withTimeout(resolver(host), RESOLVE_TIMEOUT_MS);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const permanent = code === 'ENOTFOUND' || code === 'ENODATA';
    throw new WebhookTargetError('unresolvable_host', `webhook_url host ${host} does not resolve${code ? ` (${code})` : ''}`, !permanent);
  }
  if (addresses.length === 0) throw new WebhookTargetError('unresolvable_host', `webhook_url host ${host} does not resolve`, true);
  for (const { address } of addresses) checkAddress(address, host, policy);
  return addresses.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
}

/** {@link checkWebhookUrl} and then {@link resolveWebhookHost}: the submit-time check. */
export async function assertWebhookUrlAllowed(raw: string, policy: WebhookTargetPolicy, resolver: Resolver = systemResolver): Promise<URL> {
  const url = checkWebhookUrl(raw, policy);
  await resolveWebhookHost(bareHostname(url), policy, resolver);
  return url;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('DNS lookup timed out'), { code: 'ETIMEOUT' })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
