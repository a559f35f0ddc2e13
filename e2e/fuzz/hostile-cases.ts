import fc from 'fast-check';
import { ConduitHeader } from '@conduit/contracts';
import { GATEWAY_ROUTES, GatewayRoute, IdKind } from './gateway-routes';

/** The caller's own resources and credentials the generated requests refer to. */
export interface FuzzFixtures {
  ownerKey: string;
  otherKey: string;
  adminKey: string;
  ids: Record<IdKind, string[]>;
}

export type Credential = 'owner' | 'other' | 'admin' | 'none' | 'garbage';

/** One generated request, sent as raw bytes (so that nothing a client library refuses is out of reach). */
export interface FuzzCase {
  route: string;
  method: string;
  target: string;
  headers: [string, string][];
  body: Buffer | null;
  /** `short`: Content-Length promises more than is sent (the server must time out and answer 408). */
  framing: 'length' | 'chunked' | 'short' | 'none';
  credential: Credential;
  /** The path names a resource of the owner (then another tenant must never get a 2xx). */
  ownedPath: boolean;
}

// ---------------------------------------------------------------- hostile values

const LONE_SURROGATES = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));

const SPECIAL_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\ud83d',
  '😀',
  '\u200f',
  '\u202e',
  '\ufeff',
  '\uffff',
  '\u2028',
  '',
  ' ',
  '%00',
  '%ff',
  '%',
  '../../etc/passwd',
  '..',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  "' OR 1=1 --",
  '"; DROP TABLE sessions; --',
  '${jndi:ldap://x}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '\r\nX-Injected: 1',
  '1e309',
  '-0',
  'NaN',
  'null',
  'true',
  '0000-01-01',
  '9999-12-31',
  '2024-02-30',
  '1969-12-31',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  'default',
  'gpt-4.1-mini',
  'hostile',
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SPECIAL_STRINGS) },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: fc.oneof(LONE_SURROGATES, fc.constantFrom('\u0000', 'a', '😀', '\u0001')), maxLength: 12 }) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 20_000 }).map((n) => 'a'.repeat(n)) },
  { weight: 1, arbitrary: fc.uuid() },
);

/**
 * A value nested `depth` deep. Held as a marker and written out by {@link toJsonText}: building
 * (and JSON.stringify-ing) 20,000 levels would overflow the fuzzer's own stack.
 */
class Deep {
  constructor(
    readonly depth: number,
    readonly asArray: boolean,
  ) {}

  toJSON(): string {
    return `@@fuzz-deep:${this.depth}:${this.asArray ? 'a' : 'o'}@@`;
  }
}

/** JSON text of a generated value, deep markers expanded. */
export function toJsonText(value: unknown): string {
  return (JSON.stringify(value) ?? 'null').replace(/"@@fuzz-deep:(\d+):([ao])@@"/g, (_all, depth: string, kind: string) => {
    const n = Number(depth);
    return kind === 'a' ? `${'['.repeat(n)}1${']'.repeat(n)}` : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
  });
}

const hostileNumber = fc.oneof(
  fc.constantFrom(0, -1, 1, 1e308, -1e308, 2 ** 53 + 1, 0.5, -0.000001, 4096, 4097, 1e21, 86_400 * 365),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Any JSON value, with the shapes that have broken servers: deep nesting, big arrays, hostile text. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 2, arbitrary: fc.dictionary(hostileString, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 20_000 }), fc.boolean()).map(([depth, asArray]) => new Deep(depth, asArray)) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 30_000 }).map((n) => new Array(n).fill(0)) },
);

// ---------------------------------------------------------------- bodies

const textContent = fc.oneof(
  { weight: 5, arbitrary: fc.string({ minLength: 1, maxLength: 60 }) },
  { weight: 2, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.array(fc.record({ type: fc.constant('text'), text: fc.oneof(fc.string({ maxLength: 30 }), hostileString) }), { minLength: 1, maxLength: 3 }) },
);

const chatBody = (allowStream: boolean) =>
  fc.record(
    {
      model: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('default', 'gpt-4.1-mini', 'claude-sonnet-4-6') }, { weight: 2, arbitrary: hostileString }),
      messages: fc.array(
        fc.record({ role: fc.oneof({ weight: 6, arbitrary: fc.constant('user') }, { weight: 2, arbitrary: fc.constantFrom('system', 'assistant', 'tool', 'developer', 'wizard') }), content: textContent }),
        { minLength: 1, maxLength: 4 },
      ),
      max_tokens: fc.oneof(fc.integer({ min: 1, max: 64 }), hostileNumber),
      temperature: hostileNumber,
      stream: allowStream ? fc.boolean() : fc.constant(false),
      tools: fc.array(
        fc.record({ type: fc.constant('function'), function: fc.record({ name: fc.oneof(fc.constant('lookup'), hostileString), parameters: hostileJson }) }),
        { maxLength: 2 },
      ),
      conduit: fc.record(
        { session_id: fc.oneof(fc.uuid(), hostileString), metadata: fc.dictionary(hostileString, hostileString, { maxKeys: 3 }), collection: hostileString, top_k: hostileNumber },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ['model', 'messages'] },
  );

const metadata = fc.dictionary(fc.oneof(fc.string({ minLength: 1, maxLength: 10 }), hostileString), fc.oneof(fc.string({ maxLength: 20 }), hostileString, hostileJson), { maxKeys: 20 });

const jobBody = fc.oneof(
  fc.record(
    {
      type: fc.constant('chat.completion'),
      input: chatBody(false),
      metadata,
      webhook_url: fc.oneof(fc.constantFrom('https://example.com/hook', 'http://127.0.0.1:1/x', 'file:///etc/passwd', 'http://[::1]/'), hostileString),
      timeout_seconds: hostileNumber,
    },
    { requiredKeys: ['type', 'input'] },
  ),
  fc.record({ type: fc.constant('chat.batch'), input: fc.record({ requests: fc.array(fc.record({ custom_id: hostileString, body: chatBody(false) }, { requiredKeys: ['body'] }), { maxLength: 3 }) }) }),
  fc.record({ type: hostileString, input: hostileJson }),
);

/** `POST /v1/responses`: text or items (some of unsupported types), function and built-in tools, `previous_response_id`. */
const responsesBody = fc.record(
  {
    model: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('default', 'gpt-4.1-mini', 'claude-sonnet-4-6') }, { weight: 2, arbitrary: hostileString }),
    input: fc.oneof(
      fc.oneof(fc.string({ minLength: 1, maxLength: 60 }), hostileString),
      fc.array(
        fc.oneof(
          fc.record({
            role: fc.oneof({ weight: 6, arbitrary: fc.constant('user') }, { weight: 2, arbitrary: fc.constantFrom('system', 'assistant', 'developer', 'wizard') }),
            content: fc.oneof(
              fc.oneof(fc.string({ minLength: 1, maxLength: 60 }), hostileString),
              fc.array(fc.record({ type: fc.constantFrom('input_text', 'output_text', 'input_image'), text: fc.oneof(fc.string({ maxLength: 30 }), hostileString) }), { minLength: 1, maxLength: 2 }),
            ),
          }),
          fc.record(
            { type: fc.constantFrom('function_call', 'function_call_output', 'reasoning', 'item_reference'), call_id: fc.oneof(fc.constant('call_1'), hostileString), name: fc.constant('lookup'), arguments: fc.constant('{}'), output: hostileString },
            { requiredKeys: ['type'] },
          ),
        ),
        { minLength: 1, maxLength: 4 },
      ),
    ),
    instructions: fc.oneof(fc.string({ maxLength: 30 }), hostileString),
    max_output_tokens: fc.oneof(fc.integer({ min: 1, max: 64 }), hostileNumber),
    temperature: hostileNumber,
    stream: fc.boolean(),
    store: fc.oneof(fc.boolean(), hostileJson),
    tools: fc.array(fc.record({ type: fc.constantFrom('function', 'web_search'), name: fc.oneof(fc.constant('lookup'), hostileString), parameters: hostileJson }), { maxLength: 2 }),
    previous_response_id: fc.oneof(fc.constant('resp_00000000000000000000000000000000'), hostileString),
    metadata: fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
    background: fc.oneof(fc.boolean(), hostileJson),
  },
  { requiredKeys: ['model', 'input'] },
);

const JSON_BODIES: Record<Exclude<GatewayRoute['body'], 'none' | 'multipart'>, fc.Arbitrary<unknown>> = {
  chat: chatBody(true),
  session: fc.record({ title: fc.oneof(fc.string({ maxLength: 30 }), hostileString, fc.constant(null)), metadata }, { requiredKeys: [] }),
  feedback: fc.record({ rating: fc.oneof(fc.constantFrom('up', 'down'), hostileString), comment: fc.oneof(fc.string({ maxLength: 30 }), hostileString, fc.constant(null)) }, { requiredKeys: [] }),
  job: jobBody,
  rotate: fc.record({ grace_period_seconds: hostileNumber }, { requiredKeys: [] }),
  collection: fc.record({ name: fc.oneof(fc.constantFrom('kb', 'shared'), hostileString), visibility: fc.oneof(fc.constantFrom('private', 'tenant'), hostileString) }, { requiredKeys: [] }),
  endpoint: fc.record(
    { url: fc.oneof(fc.constantFrom('https://example.com/hook', 'http://127.0.0.1:1/x', 'http://[::1]/'), hostileString), event_types: fc.oneof(fc.constant(['job.succeeded', 'cost.spike']), hostileJson), description: hostileString },
    { requiredKeys: [] },
  ),
  'endpoint-patch': fc.record({ url: hostileString, event_types: hostileJson, enabled: fc.oneof(fc.boolean(), hostileString) }, { requiredKeys: [] }),
  responses: responsesBody,
};

/** Replaces the value at a pseudo-random place of `value` (or a key's name) with a hostile one. */
function mutate(value: unknown, pick: number, replacement: unknown, renameKey: string | null): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Deep) return replacement;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) };
  const keys = Object.keys(copy);
  if (keys.length === 0) return replacement;
  const key = keys[pick % keys.length];
  const inner = (copy as Record<string, unknown>)[key];
  const deeper = inner !== null && typeof inner === 'object' && !(inner instanceof Deep) && pick % 3 !== 0;
  const next = deeper ? mutate(inner, Math.floor(pick / 3), replacement, renameKey) : replacement;
  if (!Array.isArray(copy) && renameKey !== null && !deeper) {
    delete copy[key];
    copy[renameKey] = next;
  } else (copy as Record<string, unknown>)[key] = next;
  return copy;
}

const INVALID_JSON = ['{', '{"a":}', '[1,]', "{'a':1}", 'nul', '{"a":1}{"b":2}', '\ufeff{}', '{"a":"\\x00"}', '{"a":"\\ud800"}', '{"__proto__":{"admin":true}}'];

/** Bytes of a JSON-route body: the route's shape (mostly), mutated, or not JSON at all. */
const jsonBodyBytes = (kind: keyof typeof JSON_BODIES): fc.Arbitrary<Buffer> =>
  fc.oneof(
    { weight: 3, arbitrary: JSON_BODIES[kind].map((body) => Buffer.from(toJsonText(body))) },
    {
      weight: 5,
      arbitrary: fc
        .tuple(JSON_BODIES[kind], fc.nat(), hostileJson, fc.option(hostileString, { freq: 4 }))
        .map(([body, pick, replacement, rename]) => Buffer.from(toJsonText(mutate(body, pick, replacement, rename)))),
    },
    { weight: 1, arbitrary: hostileJson.map((body) => Buffer.from(toJsonText(body))) },
    { weight: 1, arbitrary: fc.constantFrom(...INVALID_JSON).map((text) => Buffer.from(text)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
  );

// ---------------------------------------------------------------- multipart

const FILES = [
  Buffer.from('Plain text about hostile input.\n'),
  Buffer.from('<html><body><p>nested</p></body></html>'),
  Buffer.from('%PDF-1.4\n%garbage that is not a pdf\n'),
  Buffer.from('# Markdown\n\n- one\n- two\n'),
  Buffer.alloc(0),
  Buffer.from([0xff, 0xfe, 0x00, 0x00, 0x01]),
];

const multipart = fc
  .record({
    boundary: fc.constantFrom('XyZ', '----fuzz', 'a'.repeat(70), '0123456789'),
    collection: fc.option(fc.oneof(fc.constantFrom('docs', 'fuzz.1'), hostileString), { freq: 6 }),
    file: fc.option(fc.oneof(fc.constantFrom(...FILES), fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b))), { freq: 6 }),
    filename: fc.oneof(fc.constantFrom('a.txt', 'doc.pdf', '../../x', 'é.md', 'a"b.txt', ''), hostileString),
    fileField: fc.oneof({ weight: 5, arbitrary: fc.constant('file') }, { weight: 1, arbitrary: hostileString }),
    extraParts: fc.array(fc.tuple(hostileString, hostileString), { maxLength: 3 }),
    secondFile: fc.boolean(),
    // Mostly well formed; sometimes unclosed, or with no boundary parameter (issue 12, finding 4).
    ending: fc.oneof({ weight: 8, arbitrary: fc.constant<'closed' | 'unclosed' | 'no-boundary'>('closed') }, { weight: 1, arbitrary: fc.constantFrom<'closed' | 'unclosed' | 'no-boundary'>('unclosed', 'no-boundary') }),
  })
  .map((m) => {
    const b = m.boundary;
    const quote = (s: string) => s.replace(/["\r\n\\]/g, '_');
    const parts: Buffer[] = [];
    const field = (name: string, value: string) => parts.push(Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`));
    if (m.collection !== null) field('collection', m.collection);
    for (const [name, value] of m.extraParts) field(name, value);
    const addFile = (bytes: Buffer) => {
      parts.push(Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${quote(m.fileField)}"; filename="${quote(m.filename)}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
      parts.push(bytes, Buffer.from('\r\n'));
    };
    if (m.file !== null) addFile(m.file);
    if (m.secondFile && m.file !== null) addFile(m.file);
    if (m.ending !== 'unclosed') parts.push(Buffer.from(`--${b}--\r\n`));
    return { body: Buffer.concat(parts), contentType: m.ending === 'no-boundary' ? 'multipart/form-data' : `multipart/form-data; boundary=${b}` };
  });

// ---------------------------------------------------------------- targets, queries, headers

/** Percent-encodes like encodeURIComponent, but never throws (an unpaired surrogate becomes U+FFFD). */
export function encodeSegment(text: string): string {
  return encodeURIComponent(text.replace(/[\ud800-\udfff]/g, (c, i: number, s: string) => {
    const code = c.charCodeAt(0);
    const next = s.charCodeAt(i + 1);
    const prev = s.charCodeAt(i - 1);
    const paired = code < 0xdc00 ? next >= 0xdc00 && next <= 0xdfff : prev >= 0xd800 && prev <= 0xdbff;
    return paired ? c : '\ufffd';
  }));
}

const RAW_SEGMENTS = ['%', '%ff', '%00', '%2e%2e', '..', '.', '', '%2f', 'a b', 'a%20b', 'x;y', 'a?b', '\u00e4', '*'];

const segment = (kind: IdKind, fixtures: FuzzFixtures) =>
  fc.oneof(
    // Docs assets belong to nobody; every other id in the fixtures is the owner's.
    { weight: 5, arbitrary: fc.constantFrom(...fixtures.ids[kind]).map((id) => ({ text: id, owned: kind !== 'asset' })) },
    { weight: 2, arbitrary: fc.uuid().map((id) => ({ text: id, owned: false })) },
    { weight: 2, arbitrary: hostileString.map((s) => ({ text: encodeSegment(s), owned: false })) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS).map((s) => ({ text: s, owned: false })) },
    { weight: 1, arbitrary: fc.integer({ min: 90, max: 3_000 }).map((n) => ({ text: 'a'.repeat(n), owned: false })) },
  );

const QUERY_KEYS = ['limit', 'after', 'order', 'collection', 'status', 'type', 'start', 'end', 'format', 'group_by', 'tenant_id', 'user_id'];
const QUERY_VALUES = ['1', '0', '100', '101', '-1', '1e3', 'asc', 'desc', 'json', 'csv', 'xml', 'queued', 'indexed', 'chat.batch', '2026-01-01', '0000-01-01', '9999-12-30', 'tenant,user', 'day,nope', ''];

const queryPair = (keys: string[]) =>
  fc.tuple(
    fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...(keys.length > 0 ? keys : QUERY_KEYS)) }, { weight: 1, arbitrary: fc.constantFrom(...QUERY_KEYS, '__proto__', 'constructor', 'a[b]', '') }, { weight: 1, arbitrary: hostileString.map(encodeSegment) }),
    fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...QUERY_VALUES) }, { weight: 2, arbitrary: hostileString.map(encodeSegment) }, { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) }, { weight: 1, arbitrary: fc.uuid() }),
  );

const query = (keys: string[]) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant('') },
    { weight: 4, arbitrary: fc.array(queryPair(keys), { minLength: 1, maxLength: 6 }).map((pairs) => `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`) },
    { weight: 1, arbitrary: fc.integer({ min: 100, max: 3_000 }).map((n) => `?${'a=1&'.repeat(n)}`) },
    { weight: 1, arbitrary: fc.constantFrom('?', '?&&', '?=', '?a', '?%', '?limit=1&limit=2', '?__proto__[admin]=1') },
  );

const credential: fc.Arbitrary<Credential> = fc.oneof(
  { weight: 10, arbitrary: fc.constant<Credential>('owner') },
  { weight: 2, arbitrary: fc.constantFrom<Credential>('other', 'none', 'garbage', 'admin') },
);
/** Never the platform admin key (see `management` in gateway-routes.ts). */
const managementCredential: fc.Arbitrary<Credential> = fc.constantFrom<Credential>('owner', 'other', 'none', 'garbage');

const GARBAGE_AUTH = ['Bearer', 'Bearer ', 'Basic YTpi', 'Bearer cnd_live_x', 'bearer  x  y', 'Bearer \u00e4\u00e4', `Bearer ${'k'.repeat(5_000)}`, 'Token abc'];

/** Header value bytes: Latin-1 (as the wire carries it), sometimes with control characters the parser refuses. */
const headerValue = fc.oneof(
  { weight: 16, arbitrary: fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 }) },
  { weight: 2, arbitrary: fc.string({ unit: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom('\u0000', 'a\u0001b', '\u007f', 'x\ry', 'x\ny') },
);

const TOKEN_CHARS = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_!#$%&\'*+.^`|~'.split(''));

const extraHeader: fc.Arbitrary<[string, string]> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constant('x-request-id'), fc.oneof(fc.uuid(), headerValue)) },
  { weight: 3, arbitrary: fc.tuple(fc.constant(ConduitHeader.SessionId), fc.oneof(fc.uuid(), headerValue)) },
  { weight: 3, arbitrary: fc.tuple(fc.constant('idempotency-key'), headerValue) },
  { weight: 1, arbitrary: fc.tuple(fc.constant('expect'), fc.constantFrom('100-continue', 'bogus', '')) },
  {
    weight: 4,
    arbitrary: fc.tuple(fc.constantFrom('accept', 'accept-encoding', 'content-encoding', 'origin', 'range', 'if-none-match', 'cookie', 'x-forwarded-for', 'traceparent', 'accept-version'), headerValue),
  },
  { weight: 2, arbitrary: fc.tuple(fc.string({ unit: TOKEN_CHARS, minLength: 1, maxLength: 20 }), headerValue) },
);

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream', 'APPLICATION/JSON', 'application/json;;', 'multipart/form-data; boundary=zz', ''];

const METHODS = ['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'FOO', 'get', 'CONNECT'];

// ---------------------------------------------------------------- one case

function authHeader(credentialOf: Credential, fixtures: FuzzFixtures, garbage: string): [string, string] | null {
  switch (credentialOf) {
    case 'owner':
      return ['authorization', `Bearer ${fixtures.ownerKey}`];
    case 'other':
      return ['authorization', `Bearer ${fixtures.otherKey}`];
    case 'admin':
      return ['authorization', `Bearer ${fixtures.adminKey}`];
    case 'garbage':
      return ['authorization', garbage];
    case 'none':
      return null;
  }
}

/** A request to one route (or, now and then, to a path no route has). */
export function fuzzCase(fixtures: FuzzFixtures): fc.Arbitrary<FuzzCase> {
  const routeArb = fc.oneof({ weight: 20, arbitrary: fc.constantFrom(...GATEWAY_ROUTES) }, { weight: 1, arbitrary: fc.constant<GatewayRoute | null>(null) });
  return routeArb.chain((route) => {
    const path = route
      ? fc.tuple(...Object.entries(route.ids ?? {}).map(([name, kind]) => segment(kind, fixtures).map((s) => [name, s] as const))).map((filled) => {
          let text = route.path;
          let owned = false;
          for (const [name, s] of filled) {
            text = text.replace(`:${name}`, s.text);
            owned ||= s.owned;
          }
          return { text, owned };
        })
      : fc.oneof(fc.constantFrom('/', '/v1', '/v2/chat/completions', '/v1/../docs', '//v1//sessions', '/v1/sessions/', '/internal/chat/completions', '/_mock/faults'), hostileString.map((s) => `/${encodeSegment(s)}`)).map((text) => ({ text, owned: false }));
    const form = multipart.map((m) => ({ bytes: m.body as Buffer | null, contentType: m.contentType as string | null }));
    const json =
      route && route.body !== 'none' && route.body !== 'multipart'
        ? jsonBodyBytes(route.body).map((bytes) => ({ bytes: bytes as Buffer | null, contentType: 'application/json' as string | null }))
        : fc.option(jsonBodyBytes('session'), { freq: 8 }).map((bytes) => ({ bytes, contentType: bytes ? 'application/json' : null }));
    // Every route also gets (well-formed) multipart bodies now and then, and the upload route JSON.
    const body = route?.body === 'multipart' ? fc.oneof({ weight: 12, arbitrary: form }, { weight: 1, arbitrary: json }) : fc.oneof({ weight: 12, arbitrary: json }, { weight: 1, arbitrary: form });
    return fc
      .record({
        path,
        query: query(route?.query ?? []),
        method: fc.oneof({ weight: 12, arbitrary: fc.constant(route?.method ?? 'GET') }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }),
        credential:
          route?.auth === 'admin'
            ? fc.oneof({ weight: 4, arbitrary: fc.constant<Credential>('admin') }, { weight: 1, arbitrary: credential })
            : route?.auth === 'management'
              ? managementCredential
              : credential,
        garbageAuth: fc.oneof(fc.constantFrom(...GARBAGE_AUTH), headerValue),
        body,
        contentType: fc.oneof({ weight: 12, arbitrary: fc.constant<string | null>(null) }, { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) }, { weight: 1, arbitrary: headerValue }),
        extra: fc.array(extraHeader, { maxLength: 3 }),
        framing: fc.oneof({ weight: 40, arbitrary: fc.constant<FuzzCase['framing']>('length') }, { weight: 4, arbitrary: fc.constant<FuzzCase['framing']>('chunked') }, { weight: 1, arbitrary: fc.constantFrom<FuzzCase['framing']>('short', 'none') }),
        host: fc.oneof({ weight: 30, arbitrary: fc.constant<string | null>('127.0.0.1') }, { weight: 1, arbitrary: fc.constantFrom<string | null>(null, '', 'evil.example') }),
      })
      .map((c): FuzzCase => {
        const headers: [string, string][] = [];
        if (c.host !== null) headers.push(['host', c.host]);
        const auth = authHeader(c.credential, fixtures, c.garbageAuth);
        if (auth) headers.push(auth);
        const contentType = c.contentType ?? c.body.contentType;
        if (contentType !== null && c.body.bytes !== null) headers.push(['content-type', contentType]);
        headers.push(...c.extra.filter(([name]) => !/^(content-type|content-length|transfer-encoding|host|connection)$/i.test(name)));
        return {
          route: route ? `${route.method} ${route.path}` : 'unrouted',
          method: c.method,
          target: `${c.path.text}${c.query}`,
          headers,
          body: c.body.bytes,
          framing: c.body.bytes === null ? 'none' : c.framing,
          credential: c.credential,
          ownedPath: c.path.owned,
        };
      });
  });
}
