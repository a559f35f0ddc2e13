import { z } from 'zod';
import { BROWSER_ORIGIN as ORIGIN } from '@conduit/contracts';

const originList = z
  .string()
  .default('')
  .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item !== ''))
  .superRefine((origins, ctx) => {
    for (const origin of origins) {
      if (origin !== '*' && !ORIGIN.test(origin)) {
        ctx.addIssue({ code: 'custom', message: `"${origin}" is not an origin: write scheme://host[:port], e.g. https://app.example.com` });
      }
    }
    if (origins.includes('*') && origins.length > 1) ctx.addIssue({ code: 'custom', message: '"*" allows every origin: list it alone' });
  });

/** Browser clients: which origins may call the public API (CORS), and HSTS. */
export const browserEdgeEnv = {
  /** Comma-separated origins allowed to call the API from a browser; empty (the default) allows none; `*` alone allows any. */
  CORS_ALLOWED_ORIGINS: originList,
  /** How long a browser may cache a preflight answer. */
  CORS_MAX_AGE_S: z.coerce.number().int().min(0).max(86_400).default(600),
  /** `Strict-Transport-Security` max-age; 0 (the default) sends no HSTS header (set it where TLS ends in front of the gateway). */
  HSTS_MAX_AGE_S: z.coerce.number().int().min(0).max(63_072_000).default(0),
};

export interface BrowserEdgeSettings {
  allowedOrigins: string[];
  maxAgeSeconds: number;
  hstsMaxAgeSeconds: number;
}

export function browserEdgeSettings(env: { CORS_ALLOWED_ORIGINS: string[]; CORS_MAX_AGE_S: number; HSTS_MAX_AGE_S: number }): BrowserEdgeSettings {
  return { allowedOrigins: env.CORS_ALLOWED_ORIGINS, maxAgeSeconds: env.CORS_MAX_AGE_S, hstsMaxAgeSeconds: env.HSTS_MAX_AGE_S };
}
