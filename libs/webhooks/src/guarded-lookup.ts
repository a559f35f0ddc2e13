import type { LookupAddress, LookupOptions } from 'node:dns';
import { Resolver, WebhookTargetPolicy, resolveWebhookHost, systemResolver } from './target-policy';

export type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
export type GuardedLookup = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

/**
 * A `connect.lookup` for undici (or `net.connect`) that resolves the host itself and checks every
 * address it resolves to against the policy, so the socket connects to exactly an address that was
 * checked (DNS rebinding after an earlier check is refused with a {@link WebhookTargetError}). Used
 * by the webhook sender and by every other outbound call to a tenant-given URL (platform-run tools).
 */
export function guardedLookup(policy: WebhookTargetPolicy, resolver: Resolver = systemResolver): GuardedLookup {
  return (hostname, options, callback) => {
    const host = hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
    resolveWebhookHost(host, policy, resolver).then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
        if (wanted.length === 0) {
          callback(Object.assign(new Error(`${host} has no IPv${options.family} address`), { code: 'ENOTFOUND' }), []);
          return;
        }
        if (options.all) callback(null, wanted);
        else callback(null, wanted[0].address, wanted[0].family);
      },
      (error: NodeJS.ErrnoException) => callback(error, []),
    );
  };
}
