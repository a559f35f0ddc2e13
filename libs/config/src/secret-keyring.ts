import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { secret } from './env.schema';

/**
 * Encryption at rest for secrets Conduit must read back (webhook signing secrets, and later admin
 * keys or JWT keys): AES-256-GCM under a key-encryption key (KEK) from the environment.
 *
 * `SECRETS_KEK` is a keyring, `id:base64key[,id:base64key...]`, each key 32 bytes. The **first**
 * entry encrypts; every entry decrypts. The key id is stored beside each ciphertext, so a new KEK
 * is rolled out by putting it first (the old one stays listed), re-encrypting (`admin
 * rotate-secrets-key`), then dropping the old entry.
 *
 * A sealed value is `base64(iv[12] | tag[16] | ciphertext)`. The caller passes an associated-data
 * string naming the row and column it belongs to (e.g. `webhook_endpoints:<id>:secret`), so a
 * ciphertext copied into another row does not decrypt.
 */

export const SECRET_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** A secret sealed under one key of the keyring. */
export interface SealedSecret {
  keyId: string;
  ciphertext: string;
}

export class SecretKeyringError extends Error {
  override name = 'SecretKeyringError';
}

export class SecretKeyring {
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(entries: readonly { id: string; key: Buffer }[]) {
    if (entries.length === 0) throw new SecretKeyringError('a keyring needs at least one key');
    const keys = new Map<string, Buffer>();
    for (const { id, key } of entries) {
      if (!KEY_ID.test(id)) throw new SecretKeyringError(`key id ${JSON.stringify(id)} must be 1-32 letters, digits, "_" or "-"`);
      if (key.length !== SECRET_KEY_BYTES) throw new SecretKeyringError(`key ${id} must be ${SECRET_KEY_BYTES} bytes, not ${key.length}`);
      if (keys.has(id)) throw new SecretKeyringError(`key id ${id} is listed twice`);
      keys.set(id, key);
    }
    this.keys = keys;
    this.currentKeyId = entries[0].id;
  }

  /** The id of the key that encrypts (the first of the keyring). */
  readonly currentKeyId: string;

  /** Parses `id:base64key[,id:base64key...]`; throws {@link SecretKeyringError} naming what is wrong. */
  static parse(text: string): SecretKeyring {
    const entries = text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '')
      .map((part) => {
        const colon = part.indexOf(':');
        if (colon <= 0) throw new SecretKeyringError('each entry is id:base64key');
        const id = part.slice(0, colon);
        const encoded = part.slice(colon + 1);
        if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw new SecretKeyringError(`key ${id} is not base64`);
        return { id, key: Buffer.from(encoded, 'base64') };
      });
    return new SecretKeyring(entries);
  }

  /** A keyring for tests and local development: one key derived from `seed` (never for production data). */
  static fromSeed(seed: string, id = 'dev'): SecretKeyring {
    return new SecretKeyring([{ id, key: createHash('sha256').update(seed).digest() }]);
  }

  /** A new random `id:base64key` entry (what `admin generate-secrets-key` prints). */
  static generateEntry(id: string): string {
    if (!KEY_ID.test(id)) throw new SecretKeyringError(`key id ${JSON.stringify(id)} must be 1-32 letters, digits, "_" or "-"`);
    return `${id}:${randomBytes(SECRET_KEY_BYTES).toString('base64')}`;
  }

  has(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  /** Encrypts under the current key, bound to `context` (associated data). */
  seal(plaintext: string, context: string): SealedSecret {
    const key = this.keys.get(this.currentKeyId) as Buffer;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { keyId: this.currentKeyId, ciphertext: Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64') };
  }

  /** Decrypts a sealed value; throws {@link SecretKeyringError} for an unknown key, another context or a tampered value. */
  open(sealed: SealedSecret, context: string): string {
    const key = this.keys.get(sealed.keyId);
    if (!key) throw new SecretKeyringError(`secret sealed under key ${sealed.keyId}, which is not in the keyring`);
    const raw = Buffer.from(sealed.ciphertext, 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new SecretKeyringError('sealed secret is too short');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretKeyringError('sealed secret does not decrypt (wrong key, wrong row or tampered)');
    }
  }

  /** Whether a sealed value should be re-encrypted (it is not under the current key). */
  isStale(sealed: Pick<SealedSecret, 'keyId'>): boolean {
    return sealed.keyId !== this.currentKeyId;
  }
}

/** A fixed development keyring, used only outside production when `SECRETS_KEK` is unset. */
export const DEVELOPMENT_KEYRING_SEED = 'conduit-development-only-secrets-kek';

const keyringText = z.string().superRefine((value, ctx) => {
  try {
    SecretKeyring.parse(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `must be id:base64key[,id:base64key...] with 32-byte keys (${(error as Error).message})` });
  }
});

/** `SECRETS_KEK`: the key-encryption keyring (required with `NODE_ENV=production`). */
export const secretsEnv = {
  SECRETS_KEK: secret(keyringText).optional(),
};

/** Refuses a production configuration without `SECRETS_KEK` (use with `.superRefine`). */
export function requireSecretsKekInProduction(env: { NODE_ENV: string; SECRETS_KEK?: string }, ctx: z.RefinementCtx): void {
  if (env.NODE_ENV === 'production' && !env.SECRETS_KEK) {
    ctx.addIssue({ code: 'custom', path: ['SECRETS_KEK'], message: 'is required with NODE_ENV=production (generate one with `admin generate-secrets-key`)' });
  }
}

/** The keyring of a validated environment: `SECRETS_KEK`, or the development keyring outside production. */
export function secretKeyringOf(env: { SECRETS_KEK?: string }): SecretKeyring {
  return env.SECRETS_KEK ? SecretKeyring.parse(env.SECRETS_KEK) : SecretKeyring.fromSeed(DEVELOPMENT_KEYRING_SEED);
}
