import { z } from 'zod';
import { envBoolean } from '@conduit/config';
import { Cidr } from './ip-address';
import { DEFAULT_WEBHOOK_RETRY, WebhookRetrySettings } from './retry-schedule';
import type { WebhookTargetPolicy } from './target-policy';

const int = (min: number, max: number, fallback: number) => z.coerce.number().pipe(z.int().min(min).max(max)).default(fallback);

const cidrList = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
    for (const entry of entries) {
      try {
        new Cidr(entry);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }
    return entries;
  });

/**
 * Where webhooks may go; read by every service that checks webhook URLs (the gateway when a job is
 * submitted, the orchestrator before each attempt). `WEBHOOK_ALLOW_HTTP` and `WEBHOOK_ALLOWED_CIDRS`
 * exist for development and tests (a receiver on 127.0.0.1) and are refused with
 * `NODE_ENV=production` (see {@link refuseInsecureWebhookTargets}).
 */
export const webhookTargetEnv = {
  /** Accept plain http:// webhook URLs. */
  WEBHOOK_ALLOW_HTTP: envBoolean(false),
  /** Comma-separated CIDRs exempt from the private-address check, e.g. `127.0.0.1/32`. */
  WEBHOOK_ALLOWED_CIDRS: cidrList,
};

/** How webhooks are sent; read by the service running the `webhook.deliver` worker. */
export const webhookDeliveryEnv = {
  /** One delivery attempt: connect, TLS, headers and body. */
  WEBHOOK_TIMEOUT_MS: int(100, 60_000, 10_000),
  WEBHOOK_RETRY_BASE_MS: int(1, 3_600_000, DEFAULT_WEBHOOK_RETRY.baseDelayMs),
  WEBHOOK_RETRY_MAX_DELAY_MS: int(1, 24 * 3_600_000, DEFAULT_WEBHOOK_RETRY.maxDelayMs),
  /** Deliveries are given up (marked failed) once this old. */
  WEBHOOK_MAX_AGE_MS: int(1_000, 7 * 24 * 3_600_000, DEFAULT_WEBHOOK_RETRY.maxAgeMs),
  /** Deliveries in flight at once per process. */
  WEBHOOK_CONCURRENCY: int(1, 1_024, 32),
};

export const webhooksEnv = { ...webhookTargetEnv, ...webhookDeliveryEnv };

export interface WebhooksEnv {
  NODE_ENV: 'development' | 'test' | 'production';
  WEBHOOK_ALLOW_HTTP: boolean;
  WEBHOOK_ALLOWED_CIDRS: string[];
  WEBHOOK_TIMEOUT_MS: number;
  WEBHOOK_RETRY_BASE_MS: number;
  WEBHOOK_RETRY_MAX_DELAY_MS: number;
  WEBHOOK_MAX_AGE_MS: number;
  WEBHOOK_CONCURRENCY: number;
}

export interface WebhookSettings {
  policy: WebhookTargetPolicy;
  timeoutMs: number;
  retry: WebhookRetrySettings;
  concurrency: number;
}

/** For an app schema's `.superRefine`: the development switches are refused in production. */
export function refuseInsecureWebhookTargets(env: Pick<WebhooksEnv, 'NODE_ENV' | 'WEBHOOK_ALLOW_HTTP' | 'WEBHOOK_ALLOWED_CIDRS'>, ctx: z.RefinementCtx): void {
  if (env.NODE_ENV !== 'production') return;
  if (env.WEBHOOK_ALLOW_HTTP) ctx.addIssue({ code: 'custom', path: ['WEBHOOK_ALLOW_HTTP'], message: 'must not be true when NODE_ENV=production' });
  if (env.WEBHOOK_ALLOWED_CIDRS.length > 0) {
    ctx.addIssue({ code: 'custom', path: ['WEBHOOK_ALLOWED_CIDRS'], message: 'must be empty when NODE_ENV=production' });
  }
}

export function webhookTargetPolicy(env: Pick<WebhooksEnv, 'WEBHOOK_ALLOW_HTTP' | 'WEBHOOK_ALLOWED_CIDRS'>): WebhookTargetPolicy {
  return { allowHttp: env.WEBHOOK_ALLOW_HTTP, allowedCidrs: env.WEBHOOK_ALLOWED_CIDRS };
}

export function webhookSettings(env: WebhooksEnv): WebhookSettings {
  return {
    policy: webhookTargetPolicy(env),
    timeoutMs: env.WEBHOOK_TIMEOUT_MS,
    retry: {
      baseDelayMs: env.WEBHOOK_RETRY_BASE_MS,
      maxDelayMs: env.WEBHOOK_RETRY_MAX_DELAY_MS,
      maxAgeMs: env.WEBHOOK_MAX_AGE_MS,
      jitter: DEFAULT_WEBHOOK_RETRY.jitter,
    },
    concurrency: env.WEBHOOK_CONCURRENCY,
  };
}
