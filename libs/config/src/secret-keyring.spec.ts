import { z } from 'zod';
import { loadConfig } from './load-config';
import { SecretKeyring, SecretKeyringError, requireSecretsKekInProduction, secretKeyringOf, secretsEnv } from './secret-keyring';

const entry = (id: string) => SecretKeyring.generateEntry(id);

describe('SecretKeyring (AES-256-GCM under a KEK from the environment)', () => {
  it('round-trips a secret, and the ciphertext does not contain it', () => {
    const ring = SecretKeyring.parse(entry('k1'));
    const sealed = ring.seal('whsec_abc', 'webhook_endpoints:1:secret');
    expect(sealed.keyId).toBe('k1');
    expect(sealed.ciphertext).not.toContain('whsec_abc');
    expect(Buffer.from(sealed.ciphertext, 'base64').toString('utf8')).not.toContain('whsec_abc');
    expect(ring.open(sealed, 'webhook_endpoints:1:secret')).toBe('whsec_abc');
  });

  it('uses a fresh IV for every seal', () => {
    const ring = SecretKeyring.parse(entry('k1'));
    expect(ring.seal('same', 'c').ciphertext).not.toBe(ring.seal('same', 'c').ciphertext);
  });

  it('refuses another row’s context, a tampered value and an unknown key', () => {
    const ring = SecretKeyring.parse(entry('k1'));
    const sealed = ring.seal('whsec_abc', 'row:1');
    expect(() => ring.open(sealed, 'row:2')).toThrow(SecretKeyringError);
    const raw = Buffer.from(sealed.ciphertext, 'base64');
    raw[raw.length - 1] ^= 1;
    expect(() => ring.open({ keyId: 'k1', ciphertext: raw.toString('base64') }, 'row:1')).toThrow(SecretKeyringError);
    expect(() => ring.open({ ...sealed, keyId: 'k9' }, 'row:1')).toThrow(/not in the keyring/);
  });

  it('encrypts with the first key and still decrypts with the older ones (rotation)', () => {
    const old = entry('old');
    const sealedOld = SecretKeyring.parse(old).seal('s', 'c');
    const ring = SecretKeyring.parse(`${entry('new')},${old}`);
    expect(ring.currentKeyId).toBe('new');
    expect(ring.isStale(sealedOld)).toBe(true);
    expect(ring.open(sealedOld, 'c')).toBe('s');
    expect(ring.seal('s', 'c').keyId).toBe('new');
  });

  it('rejects malformed keyrings with a message naming the problem', () => {
    expect(() => SecretKeyring.parse('')).toThrow(/at least one key/);
    expect(() => SecretKeyring.parse('nokey')).toThrow(/id:base64key/);
    expect(() => SecretKeyring.parse(`k1:${Buffer.alloc(16).toString('base64')}`)).toThrow(/32 bytes/);
    expect(() => SecretKeyring.parse(`${entry('a')},${entry('a')}`)).toThrow(/twice/);
  });

  it('is validated at start-up and required in production', () => {
    const schema = z.object({ NODE_ENV: z.string(), ...secretsEnv }).superRefine(requireSecretsKekInProduction);
    expect(() => loadConfig(schema, { NODE_ENV: 'production' })).toThrow(/SECRETS_KEK is required/);
    expect(() => loadConfig(schema, { NODE_ENV: 'test', SECRETS_KEK: 'k1:short' })).toThrow(/SECRETS_KEK must be id:base64key/);
    const ok = loadConfig(schema, { NODE_ENV: 'production', SECRETS_KEK: entry('p1') });
    expect(secretKeyringOf(ok).currentKeyId).toBe('p1');
    expect(secretKeyringOf(loadConfig(schema, { NODE_ENV: 'development' })).currentKeyId).toBe('dev');
  });
});
