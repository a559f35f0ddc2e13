import { PiiScanner } from '../pii/pii-scanner';
import { STRUCTURED_PII_TYPES, type PiiEntityType } from '../pii/pii.types';
import { maskOf } from '../redaction/placeholders';

export interface LogScrubberOptions {
  /** Entity types scrubbed (default: every structured type). Secrets are scrubbed whatever this says. */
  types?: readonly PiiEntityType[];
}

/** Characters any structured entity needs: without one of them a string is returned as is, unscanned. */
const CANDIDATE = /[@\d]|sk-|AKIA|ASIA|gh[pousr]_|github_pat_|xox[abposr]-|AIza|eyJ|-----BEGIN|[0-9a-fA-F]:[0-9a-fA-F:]/;

/**
 * Returns a function that replaces PII values in any string with `[redacted:<type>]`, found by
 * value with the same detectors as the input guards (not by field name). Cheap when a string has
 * no candidate character. The masks contain no quotes or backslashes, so a serialised JSON log
 * line stays valid; a value in a bare JSON number position is replaced by a quoted mask.
 */
export function createLogScrubber(options: LogScrubberOptions = {}): (text: string) => string {
  const types = new Set<PiiEntityType>(options.types ?? STRUCTURED_PII_TYPES);
  types.add('SECRET');
  const scanner = new PiiScanner([...types]);
  return (text: string) => {
    if (text.length === 0 || !CANDIDATE.test(text)) return text;
    const entities = scanner.scan(text);
    if (entities.length === 0) return text;
    let out = '';
    let cursor = 0;
    for (const e of entities) {
      out += text.slice(cursor, e.start);
      const mask = maskOf(e.type);
      const bare = text[e.start - 1] === ':' && (text[e.end] === ',' || text[e.end] === '}');
      out += bare ? `"${mask}"` : mask;
      cursor = e.end;
    }
    return out + text.slice(cursor);
  };
}

/**
 * pino options that scrub every serialised log line before it is written (`hooks.streamWrite`):
 * `pino({ ...pinoScrubHooks(createLogScrubber()) })`, or the `pinoHttp` options of nestjs-pino.
 */
export function pinoScrubHooks(scrub: (text: string) => string): { hooks: { streamWrite: (line: string) => string } } {
  return { hooks: { streamWrite: scrub } };
}
