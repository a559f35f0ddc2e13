import { createConnection } from 'node:net';
import fc from 'fast-check';
import { openAiErrorType } from '@conduit/runtime';
import { FuzzCase, FuzzFixtures, fuzzCase } from './hostile-cases';

export interface FuzzOptions {
  port: number;
  fixtures: FuzzFixtures;
  cases: number;
  seed: number;
  /** A case must be answered within this (the server's request timeout, plus room). */
  deadlineMs: number;
  concurrency: number;
  /** Called every `healthEvery` cases and at the end; throws when a service is unhealthy. */
  checkHealth: () => Promise<void>;
  healthEvery?: number;
  /** Progress lines (long runs). */
  log?: (line: string) => void;
}

export interface FuzzFailure {
  index: number;
  problem: string;
  request: string;
  response: string;
}

export interface FuzzSummary {
  cases: number;
  seed: number;
  failures: FuzzFailure[];
  durationMs: number;
  statuses: Record<string, number>;
  codes: Record<string, number>;
  routes: Record<string, number>;
  slowestMs: number;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  ms: number;
}

/** The request as bytes: request line, headers (Latin-1, as the wire carries them), framing, body. */
export function requestBytes(c: FuzzCase): Buffer {
  const head = [`${c.method} ${c.target} HTTP/1.1`, ...c.headers.map(([name, value]) => `${name}: ${value}`)];
  const parts: Buffer[] = [];
  if (c.body !== null && c.framing === 'length') head.push(`content-length: ${c.body.length}`);
  if (c.body !== null && c.framing === 'short') head.push(`content-length: ${c.body.length + 10}`);
  if (c.body !== null && c.framing === 'chunked') head.push('transfer-encoding: chunked');
  head.push('connection: close');
  parts.push(Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'));
  if (c.body !== null) {
    if (c.framing === 'chunked') {
      const half = Math.ceil(c.body.length / 2);
      for (const piece of [c.body.subarray(0, half), c.body.subarray(half)]) {
        if (piece.length > 0) parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
      }
      parts.push(Buffer.from('0\r\n\r\n'));
    } else parts.push(c.body);
  }
  return Buffer.concat(parts);
}

/** Reads the first final (non-1xx) response; complete by length, by the last chunk, or by close. */
function parseAnswer(raw: Buffer, closed: boolean, head: boolean): Omit<Answer, 'ms'> | null {
  let text = raw.toString('latin1');
  while (/^HTTP\/1\.[01] 1\d\d /.test(text) && text.includes('\r\n\r\n')) text = text.slice(text.indexOf('\r\n\r\n') + 4);
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return null;
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = Number(statusLine.split(' ')[1]);
  const rest = Buffer.from(text.slice(end + 4), 'latin1');
  const bodyless = head || status === 204 || status === 304;
  if (bodyless) return { status, headers, body: '' };
  if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    return rest.length >= length ? { status, headers, body: rest.subarray(0, length).toString('utf8') } : null;
  }
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const chunks: Buffer[] = [];
    let at = 0;
    for (;;) {
      const lineEnd = rest.indexOf('\r\n', at);
      if (lineEnd === -1) return closed ? { status, headers, body: Buffer.concat(chunks).toString('utf8') } : null;
      const size = parseInt(rest.subarray(at, lineEnd).toString('latin1'), 16);
      if (size === 0) return { status, headers, body: Buffer.concat(chunks).toString('utf8') };
      if (rest.length < lineEnd + 2 + size + 2) return closed ? { status, headers, body: Buffer.concat(chunks).toString('utf8') } : null;
      chunks.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }
  return closed ? { status, headers, body: rest.toString('utf8') } : null;
}

/** Sends one case on a fresh connection; resolves with the answer, or a description of what went wrong. */
function send(port: number, c: FuzzCase, deadlineMs: number): Promise<Answer | string> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = createConnection(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    const settle = (value: Answer | string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const tryParse = (closed: boolean) => {
      const received = Buffer.concat(chunks);
      const answer = parseAnswer(received, closed, c.method === 'HEAD');
      if (answer) settle({ ...answer, ms: Date.now() - started });
      else if (closed && c.body !== null && /^HTTP\/1\.1 [23]\d\d /.test(received.toString('latin1')) && received.includes('\r\n\r\n')) {
        // A success to a request whose body the route never reads (a GET with a body): closing the
        // connection with those bytes unread makes TCP reset it, which can cut the answer's tail.
        // The answer came; only its status counts.
        settle({ ...(parseAnswer(received, true, true) as Omit<Answer, 'ms'>), ms: Date.now() - started });
      } else if (closed) settle(chunks.length === 0 ? 'the connection closed without an answer' : `an incomplete answer: ${received.toString('latin1').slice(0, 200)}`);
    };
    const timer = setTimeout(() => settle(`no answer within ${deadlineMs} ms`), deadlineMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      tryParse(false);
    });
    socket.on('error', () => tryParse(true));
    socket.on('close', () => tryParse(true));
    socket.write(requestBytes(c));
  });
}

const STABLE_CODE = /^[a-z][a-z0-9_]*$/;

/** What is wrong with an answer, or null: no 5xx; every 4xx an OpenAI error with a stable code; no other tenant's data. */
export function problemOf(c: FuzzCase, answer: Answer): string | null {
  if (answer.status >= 500) return `answered ${answer.status}`;
  if (answer.status < 100) return `answered an invalid status ${answer.status}`;
  if (c.credential === 'other' && c.ownedPath && answer.status < 300) return `another tenant got ${answer.status} for the owner's resource`;
  if (answer.status < 400 || c.method === 'HEAD') return null;
  let body: { error?: Record<string, unknown> };
  try {
    body = JSON.parse(answer.body) as typeof body;
  } catch {
    return `a ${answer.status} whose body is not JSON`;
  }
  const error = body?.error;
  if (!error || typeof error !== 'object') return `a ${answer.status} without an "error" object`;
  const keys = Object.keys(error).sort().join(',');
  // Some errors carry extra detail objects (rate_limit, budget) next to the five fields.
  for (const field of ['code', 'message', 'param', 'request_id', 'type']) if (!(field in error)) return `a ${answer.status} error without "${field}" (has ${keys})`;
  if (typeof error.code !== 'string' || !STABLE_CODE.test(error.code)) return `a ${answer.status} with an unstable code ${JSON.stringify(error.code)}`;
  if (error.type !== openAiErrorType(answer.status)) return `a ${answer.status} with type ${String(error.type)}`;
  if (typeof error.message !== 'string' || error.message === '') return `a ${answer.status} without a message`;
  if (error.request_id !== answer.headers['x-request-id']) return `a ${answer.status} whose request_id does not match x-request-id`;
  return null;
}

function describeRequest(c: FuzzCase): string {
  const body = c.body === null ? '' : ` body(${c.body.length} B, ${c.framing}): ${JSON.stringify(c.body.subarray(0, 300).toString('latin1'))}`;
  return `${c.method} ${JSON.stringify(c.target.slice(0, 300))} [${c.route}, ${c.credential}] headers: ${JSON.stringify(c.headers.map(([n, v]) => [n, v.slice(0, 80)]))}${body}`;
}

/** The case a seed and an index stand for: the same on every machine, so any failure can be replayed alone. */
export function caseAt(fixtures: FuzzFixtures, seed: number, index: number): FuzzCase {
  return fc.sample(fuzzCase(fixtures), { seed: (seed + index * 7_919) | 0, numRuns: 1 })[0];
}

/** Runs `cases` generated requests against the gateway with a small pool, checking every answer. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzSummary> {
  const started = Date.now();
  const summary: FuzzSummary = { cases: options.cases, seed: options.seed, failures: [], durationMs: 0, statuses: {}, codes: {}, routes: {}, slowestMs: 0 };
  const healthEvery = options.healthEvery ?? 250;
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (;;) {
      const index = next;
      next += 1;
      if (index >= options.cases) return;
      const c = caseAt(options.fixtures, options.seed, index);
      const answer = await send(options.port, c, options.deadlineMs);
      summary.routes[c.route] = (summary.routes[c.route] ?? 0) + 1;
      if (typeof answer === 'string') {
        summary.failures.push({ index, problem: answer, request: describeRequest(c), response: '' });
      } else {
        summary.statuses[answer.status] = (summary.statuses[answer.status] ?? 0) + 1;
        summary.slowestMs = Math.max(summary.slowestMs, answer.ms);
        const code = /"code":"([a-z0-9_]+)"/.exec(answer.body)?.[1];
        if (answer.status >= 400 && code) summary.codes[code] = (summary.codes[code] ?? 0) + 1;
        const problem = problemOf(c, answer);
        if (problem) summary.failures.push({ index, problem, request: describeRequest(c), response: `${answer.status} ${answer.body.slice(0, 400)}` });
      }
      done += 1;
      if (done % healthEvery === 0) {
        await options.checkHealth();
        options.log?.(`${done}/${options.cases} cases, ${summary.failures.length} failures, ${Math.round((Date.now() - started) / 1000)} s`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  await options.checkHealth();
  summary.durationMs = Date.now() - started;
  summary.failures.sort((a, b) => a.index - b.index);
  return summary;
}
