import { createHash } from 'node:crypto';

/** Bumped when the key's inputs or their encoding change: old entries then simply miss. */
export const CACHE_KEY_VERSION = 1;

/** A message as the key sees it: what goes to the provider, after the input guards (redacted form). */
export interface CacheKeyMessage {
  role: string;
  content: string;
  name?: string;
  tool_call_id?: string;
  tool_calls?: unknown;
  /** A hash of the message's images (URLs and data URLs), when it has any. */
  images?: string;
}

/**
 * Everything that can change an answer. The tenant is always part of the key; the user only when
 * the tenant's cache scope is `user`. `params` holds every request field that reaches the model
 * (tools, tool_choice, response_format, temperature, top_p, max tokens, stop, seed, penalties):
 * absent and `null` are the same, any other difference is another key.
 */
export interface CacheKeyInput {
  tenantId: string;
  /** Set when the tenant's scope is per user; `null` shares entries across the tenant's users. */
  userId: string | null;
  /** The model route the client asked for (not the target the router picked). */
  route: string;
  messages: readonly CacheKeyMessage[];
  params: Record<string, unknown>;
  /** The prompt template's version (none yet: templates are not served). */
  templateVersion: string | null;
}

/** Message text as compared: Unicode NFC, surrounding whitespace dropped. */
export function normaliseText(text: string): string {
  return text.normalize('NFC').trim();
}

/** JSON with sorted object keys and no `undefined`/`null` members, so equal values encode equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The filter part of a key: everything but the conversation (route, parameters, template). A
 * semantic lookup will use it as its hard filter; the exact key covers it too.
 */
export function filterHash(input: Pick<CacheKeyInput, 'route' | 'params' | 'templateVersion'>): string {
  return sha256(canonicalJson({ v: CACHE_KEY_VERSION, route: input.route, params: input.params, template: input.templateVersion }));
}

/** The exact key: a SHA-256 over scope, filter and normalised messages (system prompt included). */
export function exactCacheKey(input: CacheKeyInput): string {
  const messages = input.messages.map((m) => ({ ...m, content: normaliseText(m.content) }));
  return sha256(
    canonicalJson({ v: CACHE_KEY_VERSION, tenant: input.tenantId, user: input.userId, filter: filterHash(input), messages }),
  );
}

/**
 * The semantic cache's two halves of a request. `prompt`: the last user turn, normalised, the only
 * part compared by meaning (undefined when the conversation does not end with a user turn).
 * `filterHash`: everything else, compared exactly — the filter of {@link filterHash} (route,
 * parameters, template) and every earlier message, system prompt included.
 */
export function semanticParts(input: Omit<CacheKeyInput, 'tenantId' | 'userId'>): { prompt: string | undefined; filterHash: string } {
  const last = input.messages[input.messages.length - 1];
  const endsWithUser = last !== undefined && last.role === 'user';
  const earlier = (endsWithUser ? input.messages.slice(0, -1) : input.messages).map((m) => ({ ...m, content: normaliseText(m.content) }));
  return {
    prompt: endsWithUser ? normaliseText(last.content) : undefined,
    filterHash: sha256(canonicalJson({ v: CACHE_KEY_VERSION, kind: 'semantic', filter: filterHash(input), earlier })),
  };
}
