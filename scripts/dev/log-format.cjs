// @ts-check
'use strict';
// Turns the services' JSON log lines into one readable line each, for `npm start` in a terminal.
// The services always write JSON (what production ships and collectors parse); only the
// developer's terminal sees this, so it costs the services nothing.

/** @type {Record<string, { label: string; color: string }>} */
const LEVELS = {
  trace: { label: 'TRACE', color: '90' },
  debug: { label: 'DEBUG', color: '90' },
  info: { label: 'INFO ', color: '32' },
  warn: { label: 'WARN ', color: '33' },
  error: { label: 'ERROR', color: '31' },
  fatal: { label: 'FATAL', color: '35' },
};
/** Pino's numeric levels, for lines written without the label formatter. */
const NUMERIC = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** Fields shown in their own place (or not at all) rather than as key=value. */
const PLACED = new Set(['level', 'time', 'service', 'msg', 'context', 'pid', 'hostname', 'trace_id', 'span_id', 'req', 'res', 'responseTime', 'err', 'request_id']);

/** @param {string} code @param {string} text @param {boolean} color */
const paint = (code, text, color) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);

/** @param {unknown} value */
function show(value) {
  if (typeof value === 'string') return /^[\w.:/@-]*$/.test(value) && value !== '' ? value : JSON.stringify(value);
  return JSON.stringify(value);
}

/** @param {unknown} time */
function clock(time) {
  const date = new Date(typeof time === 'string' || typeof time === 'number' ? time : Date.now());
  return Number.isNaN(date.getTime()) ? '--:--:--.---' : date.toISOString().slice(11, 23);
}

/**
 * One readable line for a JSON log line: `12:00:01.234 INFO  [Context] message  key=value ...`
 * (an HTTP request line reads `GET /v1/x 200 12ms`); errors keep their stack on the lines after.
 * Anything that is not a JSON object passes through unchanged.
 * @param {string} line
 * @param {{ color?: boolean }} [options]
 * @returns {string}
 */
function formatLogLine(line, options = {}) {
  const color = options.color ?? false;
  if (!line.startsWith('{')) return line;
  /** @type {Record<string, unknown>} */
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return line;
  const levelName = typeof entry.level === 'number' ? (NUMERIC[/** @type {keyof typeof NUMERIC} */ (entry.level)] ?? 'info') : String(entry.level ?? 'info');
  const level = LEVELS[levelName] ?? { label: levelName.toUpperCase().padEnd(5), color: '0' };
  const parts = [paint('90', clock(entry.time), color), paint(level.color, level.label, color)];
  if (entry.context) parts.push(paint('36', `[${entry.context}]`, color));
  const req = /** @type {{ method?: string; url?: string } | undefined} */ (entry.req);
  const res = /** @type {{ status_code?: number } | undefined} */ (entry.res);
  if (req?.method && res?.status_code !== undefined) {
    const took = typeof entry.responseTime === 'number' ? ` ${Math.round(entry.responseTime)}ms` : '';
    parts.push(`${req.method} ${req.url ?? ''} ${res.status_code}${took}`);
  } else if (entry.msg !== undefined) {
    parts.push(String(entry.msg));
  }
  const err = /** @type {{ type?: string; message?: string; stack?: string } | undefined} */ (entry.err);
  if (err?.message) parts.push(paint(level.color, `${err.type ?? 'Error'}: ${err.message}`, color));
  const extras = Object.entries(entry)
    .filter(([key, value]) => !PLACED.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${show(value)}`);
  if (entry.request_id) extras.push(`request_id=${show(entry.request_id)}`);
  if (extras.length > 0) parts.push(paint('90', extras.join(' '), color));
  const stack = err?.stack && levelName !== 'info' ? `\n${err.stack.split('\n').slice(1).join('\n')}` : '';
  return `${parts.join(' ')}${stack && stack.trim() ? paint('90', stack, color) : ''}`;
}

/**
 * Whether `npm start` prints readable lines: only on a terminal, never in production, and
 * `LOG_FORMAT=json` keeps JSON anywhere.
 * @param {{ isTTY?: boolean; env: Record<string, string | undefined> }} where
 */
function prettyLogs(where) {
  if (where.env.LOG_FORMAT === 'json') return false;
  if (where.env.LOG_FORMAT === 'pretty') return true;
  return Boolean(where.isTTY) && where.env.NODE_ENV !== 'production';
}

module.exports = { formatLogLine, prettyLogs };
