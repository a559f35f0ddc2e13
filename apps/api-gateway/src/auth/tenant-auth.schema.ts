import { z } from 'zod';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A tenant's JWT settings: where its signing keys are (a JWKS over https; plain http only on the
 * loopback, for development), the issuer (`iss`) and audience (`aud`) its tokens carry, and the
 * claim that names the end user (default `sub`).
 */
export const tenantJwtSettingsSchema = z.strictObject({
  jwks_url: z
    .url({ protocol: /^https?$/, error: 'jwks_url must be an http(s) URL' })
    .max(2_048)
    .refine((value) => {
      const url = new URL(value);
      return url.protocol === 'https:' || LOOPBACK.has(url.hostname);
    }, 'jwks_url must use https (plain http only on localhost)'),
  issuer: z.string().min(1).max(512),
  audience: z.string().min(1).max(512),
  user_claim: z.string().regex(/^[A-Za-z0-9_.:/-]{1,128}$/, 'user_claim must be a claim name').default('sub'),
});
export type TenantJwtSettingsInput = z.input<typeof tenantJwtSettingsSchema>;
export type TenantJwtSettings = z.output<typeof tenantJwtSettingsSchema>;
