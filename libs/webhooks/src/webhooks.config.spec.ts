import { z } from 'zod';
import { ConfigValidationError, baseEnv, loadConfig } from '@conduit/config';
import { refuseInsecureWebhookTargets, webhookSettings, webhooksEnv } from './webhooks.config';

const schema = z
  .object({ NODE_ENV: baseEnv.NODE_ENV, ...webhooksEnv })
  .superRefine(refuseInsecureWebhookTargets)
  .transform(webhookSettings);

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(schema, env);
    return [];
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
}

describe('webhook configuration', () => {
  it('is strict by default: https only, no exempt ranges, 10 s timeout, about a day of retries', () => {
    const settings = loadConfig(schema, {});
    expect(settings.policy).toEqual({ allowHttp: false, allowedCidrs: [] });
    expect(settings.timeoutMs).toBe(10_000);
    expect(settings.retry.maxAgeMs).toBe(24 * 3_600_000);
  });

  it('allows http and loopback receivers in development and tests', () => {
    const settings = loadConfig(schema, { NODE_ENV: 'test', WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32, ::1' });
    expect(settings.policy).toEqual({ allowHttp: true, allowedCidrs: ['127.0.0.1/32', '::1'] });
  });

  it('refuses the development switches in production, naming each', () => {
    expect(problems({ NODE_ENV: 'production', WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32' })).toEqual([
      'WEBHOOK_ALLOW_HTTP must not be true when NODE_ENV=production',
      'WEBHOOK_ALLOWED_CIDRS must be empty when NODE_ENV=production',
    ]);
  });

  it('names a malformed range', () => {
    expect(problems({ WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32,localhost' })[0]).toMatch(/^WEBHOOK_ALLOWED_CIDRS .*not an IP address/);
  });
});
