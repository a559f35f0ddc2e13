import { z } from 'zod';

/** `scheme://host[:port]`, as a browser sends it in `Origin` (no path, no trailing slash). */
export const BROWSER_ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?$|^https?:\/\/\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/;

/**
 * The `cors` section of a tenant's policy: the browser origins that may read this tenant's
 * answers. Exact origins only — no `*` and no patterns — and never with credentials (the API
 * authenticates with bearer tokens; it never allows cookies). It narrows the deployment's
 * `CORS_ALLOWED_ORIGINS` for the tenant's authenticated requests; it cannot widen it, because a
 * preflight carries no credentials and so is answered by the deployment's list alone (see
 * docs/deployment.md → "Browser clients").
 */
export const corsPolicySchema = z.strictObject({
  allowed_origins: z
    .array(
      z.string().regex(BROWSER_ORIGIN, {
        error: 'must be an exact origin, scheme://host[:port] (no wildcard, path or trailing slash), e.g. https://app.example.com',
      }),
    )
    .max(100),
});
export type CorsPolicy = z.infer<typeof corsPolicySchema>;
