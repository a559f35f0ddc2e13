import type { SecretKeyring } from '@conduit/config';
import { WebhookSecretError, generateWebhookSecret, webhookSecretKey } from '@conduit/webhooks';
import { ToolException } from './tool.exception';

/** The sealed columns of a row of `tools` or `mcp_servers`. */
export interface SealedToolSecrets {
  secretCiphertext: string;
  secretKeyId: string;
  authTokenCiphertext: string | null;
  authTokenKeyId: string | null;
}

/** Opened (never stored or logged like this). */
export interface ToolSecrets {
  /** `whsec_` secret signing every call (Standard Webhooks headers). */
  signingSecret: string;
  /** Sent as `Authorization: Bearer <token>` when set. */
  authToken: string | null;
}

export const MAX_AUTH_TOKEN_LENGTH = 4_096;

/** Associated data binding a sealed value to its table, row and column: a ciphertext copied elsewhere does not open. */
const context = (table: 'tools' | 'mcp_servers', id: string, column: 'secret' | 'auth_token') => `${table}:${id}:${column}`;

/** A given `whsec_` secret (checked) or a new one. */
export function signingSecretOrNew(given: string | undefined): string {
  if (given === undefined) return generateWebhookSecret();
  try {
    webhookSecretKey(given);
  } catch (error) {
    if (error instanceof WebhookSecretError) throw ToolException.invalidSecret(`secret: ${error.message}`);
    throw error;
  }
  return given;
}

/**
 * Seals a row's secrets with the keyring (AES-256-GCM, key id beside the ciphertext, the row and
 * column as associated data), the way webhook endpoint secrets are sealed.
 */
export class ToolSecretSealer {
  constructor(
    private readonly keyring: SecretKeyring,
    private readonly table: 'tools' | 'mcp_servers',
  ) {}

  sealSecret(id: string, secret: string): Pick<SealedToolSecrets, 'secretCiphertext' | 'secretKeyId'> {
    const sealed = this.keyring.seal(secret, context(this.table, id, 'secret'));
    return { secretCiphertext: sealed.ciphertext, secretKeyId: sealed.keyId };
  }

  sealAuthToken(id: string, token: string | null): Pick<SealedToolSecrets, 'authTokenCiphertext' | 'authTokenKeyId'> {
    if (token === null) return { authTokenCiphertext: null, authTokenKeyId: null };
    const sealed = this.keyring.seal(token, context(this.table, id, 'auth_token'));
    return { authTokenCiphertext: sealed.ciphertext, authTokenKeyId: sealed.keyId };
  }

  /** Whether a row has a value sealed under an older key of the keyring. */
  isStale(row: SealedToolSecrets): boolean {
    return row.secretKeyId !== this.keyring.currentKeyId || (row.authTokenKeyId !== null && row.authTokenKeyId !== this.keyring.currentKeyId);
  }

  /** The row's values opened and sealed again under the keyring's current key. */
  reseal(id: string, row: SealedToolSecrets): SealedToolSecrets {
    const opened = this.open(id, row);
    return { ...this.sealSecret(id, opened.signingSecret), ...this.sealAuthToken(id, opened.authToken) };
  }

  /** The stale-row filter of {@link isStale}, for a Prisma `where`. */
  staleWhere() {
    const current = this.keyring.currentKeyId;
    return { OR: [{ secretKeyId: { not: current } }, { AND: [{ authTokenKeyId: { not: null } }, { authTokenKeyId: { not: current } }] }] };
  }

  open(id: string, row: SealedToolSecrets): ToolSecrets {
    const signingSecret = this.keyring.open({ keyId: row.secretKeyId, ciphertext: row.secretCiphertext }, context(this.table, id, 'secret'));
    const authToken =
      row.authTokenCiphertext !== null && row.authTokenKeyId !== null
        ? this.keyring.open({ keyId: row.authTokenKeyId, ciphertext: row.authTokenCiphertext }, context(this.table, id, 'auth_token'))
        : null;
    return { signingSecret, authToken };
  }
}
