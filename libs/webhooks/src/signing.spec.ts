import { createHmac } from 'node:crypto';
import {
  WebhookSecretError,
  WebhookVerificationError,
  generateWebhookSecret,
  signWebhook,
  verifyWebhook,
  webhookHeaders,
  webhookSecretKey,
} from './signing';

// The Standard Webhooks reference test vector (libraries in every language check against it).
const SPEC_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SPEC_ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const SPEC_TIMESTAMP = 1614265330;
const SPEC_BODY = '{"test": 2432232314}';
const SPEC_SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

function failure(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('Standard Webhooks signing', () => {
  it('matches the specification test vector', () => {
    expect(signWebhook(SPEC_SECRET, { id: SPEC_ID, timestamp: SPEC_TIMESTAMP, body: SPEC_BODY })).toBe(SPEC_SIGNATURE);
  });

  it('signs HMAC-SHA256 over "id.timestamp.body" with the base64-decoded secret', () => {
    const secret = generateWebhookSecret();
    const message = { id: 'd3b07384-d9a0-4c9b-8d3a-000000000001', timestamp: 1_700_000_000, body: '{"a":1}' };
    const expected = createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'))
      .update(`${message.id}.${message.timestamp}.${message.body}`)
      .digest('base64');
    expect(signWebhook(secret, message)).toBe(`v1,${expected}`);
  });

  it('mints distinct 32-byte whsec_ secrets', () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(webhookSecretKey(a)).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(a);
  });

  it('refuses malformed secrets', () => {
    expect(() => webhookSecretKey('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toThrow(WebhookSecretError);
    expect(() => webhookSecretKey('whsec_not base64!')).toThrow(WebhookSecretError);
    expect(() => webhookSecretKey(`whsec_${Buffer.alloc(8).toString('base64')}`)).toThrow(/24\.\.64 bytes/);
  });

  it('sends one space-separated signature per secret during a rotation; either secret verifies', () => {
    const current = generateWebhookSecret();
    const previous = generateWebhookSecret();
    const now = 1_700_000_000;
    const headers = webhookHeaders({ id: 'msg-1', timestamp: now, body: '{}' }, [current, previous]);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verifyWebhook('{}', headers, current, { now })).toBe('msg-1');
    expect(verifyWebhook('{}', headers, previous, { now })).toBe('msg-1');
    expect(failure(() => verifyWebhook('{}', headers, generateWebhookSecret(), { now }))).toBe('no_matching_signature');
  });

  it('rejects a changed body, id or timestamp, and stale or future timestamps', () => {
    const secret = generateWebhookSecret();
    const now = 1_700_000_000;
    const headers = webhookHeaders({ id: 'msg-2', timestamp: now, body: '{"ok":true}' }, [secret]);
    expect(failure(() => verifyWebhook('{"ok":false}', headers, secret, { now }))).toBe('no_matching_signature');
    expect(failure(() => verifyWebhook('{"ok":true}', { ...headers, 'webhook-id': 'msg-3' }, secret, { now }))).toBe('no_matching_signature');
    expect(failure(() => verifyWebhook('{"ok":true}', headers, secret, { now: now + 301 }))).toBe('timestamp_too_old');
    expect(failure(() => verifyWebhook('{"ok":true}', headers, secret, { now: now - 301 }))).toBe('timestamp_too_new');
    expect(failure(() => verifyWebhook('{"ok":true}', { ...headers, 'webhook-timestamp': 'soon' }, secret, { now }))).toBe('invalid_timestamp');
    expect(failure(() => verifyWebhook('{"ok":true}', {}, secret, { now }))).toBe('missing_headers');
  });

  it('refuses to sign without a secret', () => {
    expect(() => webhookHeaders({ id: 'x', timestamp: 1, body: '' }, [])).toThrow(WebhookSecretError);
  });
});
