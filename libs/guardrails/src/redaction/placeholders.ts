import { PII_ENTITY_TYPES, type PiiEntityType } from '../pii/pii.types';

/** `<EMAIL_1>`: the type and a counter per type, per request. */
export const PLACEHOLDER = /<([A-Z_]+)_(\d{1,6})>/g;

/** Longest possible placeholder (`<IP_ADDRESS_999999>`): the streaming restorer never holds back more. */
export const MAX_PLACEHOLDER_LENGTH = Math.max(...PII_ENTITY_TYPES.map((t) => t.length)) + 9;

/** The text that replaces a masked value; never restored. */
export function maskOf(type: PiiEntityType): string {
  return `[redacted:${type.toLowerCase()}]`;
}

/**
 * The placeholders of one request: the same value always gets the same placeholder, so the model
 * can tell two people or two emails apart and refer back to them; `restore` puts the values back.
 */
export class PlaceholderVault {
  // Created on first use: most requests carry no PII, and a vault is made per request.
  private byValueMap?: Map<string, string>;
  private byPlaceholderMap?: Map<string, string>;
  private countersMap?: Map<PiiEntityType, number>;

  private get byValue(): Map<string, string> {
    return (this.byValueMap ??= new Map());
  }

  private get byPlaceholder(): Map<string, string> {
    return (this.byPlaceholderMap ??= new Map());
  }

  private get counters(): Map<PiiEntityType, number> {
    return (this.countersMap ??= new Map());
  }

  placeholderFor(type: PiiEntityType, value: string): string {
    const key = `${type}\u0000${value}`;
    const existing = this.byValue.get(key);
    if (existing !== undefined) return existing;
    const n = (this.counters.get(type) ?? 0) + 1;
    this.counters.set(type, n);
    const placeholder = `<${type}_${n}>`;
    this.byValue.set(key, placeholder);
    this.byPlaceholder.set(placeholder, value);
    return placeholder;
  }

  get size(): number {
    return this.byPlaceholderMap?.size ?? 0;
  }

  valueOf(placeholder: string): string | undefined {
    return this.byPlaceholderMap?.get(placeholder);
  }

  /** The mapping as a plain object (placeholder → value), e.g. to keep with a job. */
  toJSON(): Record<string, string> {
    return Object.fromEntries(this.byPlaceholderMap ?? []);
  }

  static fromJSON(mapping: Record<string, string>): PlaceholderVault {
    const vault = new PlaceholderVault();
    for (const [placeholder, value] of Object.entries(mapping)) {
      const match = /^<([A-Z_]+)_(\d+)>$/.exec(placeholder);
      if (!match || !(PII_ENTITY_TYPES as readonly string[]).includes(match[1] as string)) continue;
      const type = match[1] as PiiEntityType;
      vault.byPlaceholder.set(placeholder, value);
      vault.byValue.set(`${type}\u0000${value}`, placeholder);
      vault.counters.set(type, Math.max(vault.counters.get(type) ?? 0, Number(match[2])));
    }
    return vault;
  }
}

/** Puts back every placeholder the vault issued; unknown ones (the model invented them) stay as they are. */
export function restore(text: string, vault: PlaceholderVault): string {
  if (vault.size === 0 || !text.includes('<')) return text;
  return text.replace(PLACEHOLDER, (placeholder) => vault.valueOf(placeholder) ?? placeholder);
}

/** True when `tail` (which starts with `<`) could still grow into a placeholder. */
export function isPlaceholderPrefix(tail: string): boolean {
  if (tail.length > MAX_PLACEHOLDER_LENGTH) return false;
  for (const type of PII_ENTITY_TYPES) {
    const head = `<${type}_`;
    if (head.startsWith(tail)) return true;
    if (tail.startsWith(head) && /^\d{0,6}$/.test(tail.slice(head.length))) return true;
  }
  return false;
}
