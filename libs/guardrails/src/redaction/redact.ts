import type { PiiScanner } from '../pii/pii-scanner';
import type { PiiEntity, PiiEntityType } from '../pii/pii.types';
import { maskOf, PlaceholderVault } from './placeholders';

export type PiiAction = 'off' | 'redact' | 'mask' | 'block';

/** What to do with each entity type; types not listed are left alone (`off`). */
export type RedactionPolicy = Partial<Record<PiiEntityType, PiiAction>>;

export interface RedactedEntity extends PiiEntity {
  action: Exclude<PiiAction, 'off'>;
  /** `redact`: the placeholder that replaced the value. */
  placeholder?: string;
}

export interface RedactionResult {
  /** The text with values replaced (the original text when `blocked`). */
  text: string;
  entities: RedactedEntity[];
  /** An entity whose action is `block` was found: the caller must refuse the request. */
  blocked: boolean;
  /** The request's placeholders (the vault passed in, or a new one). */
  vault: PlaceholderVault;
}

/**
 * Applies a policy to a text: `redact` replaces a value with a typed placeholder (`<EMAIL_1>`, the
 * same value gets the same placeholder within the vault, i.e. within a request), `mask` with
 * `[redacted:email]` (never restored), `block` flags the text. Pass the same vault for every
 * message of one request.
 */
export function redact(text: string, policy: RedactionPolicy, scanner: PiiScanner, vault: PlaceholderVault = new PlaceholderVault()): RedactionResult {
  const found = scanner.scan(text);
  const entities: RedactedEntity[] = [];
  let blocked = false;
  for (const e of found) {
    const action = policy[e.type] ?? 'off';
    if (action === 'off') continue;
    if (action === 'block') blocked = true;
    entities.push({ ...e, action });
  }
  if (blocked || entities.length === 0) return { text, entities, blocked, vault };
  let out = '';
  let cursor = 0;
  for (const e of entities) {
    out += text.slice(cursor, e.start);
    if (e.action === 'redact') {
      e.placeholder = vault.placeholderFor(e.type, e.value);
      out += e.placeholder;
    } else {
      out += maskOf(e.type);
    }
    cursor = e.end;
  }
  out += text.slice(cursor);
  return { text: out, entities, blocked, vault };
}

/** The entity types a policy acts on: the scanner for it needs only these detectors. */
export function typesOf(policy: RedactionPolicy): PiiEntityType[] {
  return (Object.entries(policy) as [PiiEntityType, PiiAction][]).filter(([, action]) => action !== 'off').map(([type]) => type);
}
