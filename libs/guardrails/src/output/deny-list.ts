import { checkSafeRegex } from '@conduit/contracts';
import { matchesOf } from '../regex-matches';
import { PhrasePrefixes } from './live-tail';

export interface DenyListConfig {
  /** Case-insensitive terms matched on word boundaries. */
  terms?: string[];
  /** Regular expressions (JavaScript syntax, flags `iu`), each checked with `checkSafeRegex`. */
  patterns?: string[];
}

export interface DenyMatch {
  start: number;
  end: number;
  /** The term, or `/pattern/`. */
  rule: string;
}

/** Regexes run on segments of this many characters (overlapping by SEGMENT_OVERLAP). */
export const SEGMENT = 2_000;
export const SEGMENT_OVERLAP = 256;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A tenant's deny-list: literal terms (one combined regex) and vetted regexes. */
export class DenyList {
  private readonly termPattern?: RegExp;
  private readonly patterns: { source: string; regex: RegExp }[];
  /** Longest literal term. */
  readonly longestTerm: number;
  /** The terms' proper prefixes: the streaming guard holds a tail that could still become a term. */
  readonly termPrefixes: PhrasePrefixes;

  constructor(config: DenyListConfig) {
    const terms = (config.terms ?? []).map((t) => t.trim()).filter((t) => t.length > 0);
    if (terms.length > 0) {
      const alternatives = [...terms].sort((a, b) => b.length - a.length).map((t) => escape(t).replace(/\s+/g, '\\s+'));
      this.termPattern = new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}_])`, 'giu');
    }
    this.longestTerm = Math.max(0, ...terms.map((t) => t.length));
    this.termPrefixes = new PhrasePrefixes(terms);
    this.patterns = (config.patterns ?? []).map((source) => {
      const check = checkSafeRegex(source);
      if (!check.ok) throw new Error(`deny-list pattern /${source}/ refused: ${check.reason}`);
      return { source, regex: new RegExp(source, 'giu') };
    });
  }

  /** Regexes are configured (the streaming guard cannot tell their prefixes, so it holds a window for them). */
  get hasPatterns(): boolean {
    return this.patterns.length > 0;
  }

  get empty(): boolean {
    return this.termPattern === undefined && this.patterns.length === 0;
  }

  match(text: string): DenyMatch[] {
    const out: DenyMatch[] = [];
    if (this.termPattern) {
      for (const m of matchesOf(this.termPattern, text)) out.push({ start: m.index, end: m.index + m[0].length, rule: m[0].toLowerCase() });
    }
    for (const { source, regex } of this.patterns) {
      for (let offset = 0; offset < text.length; offset += SEGMENT - SEGMENT_OVERLAP) {
        const segment = text.slice(offset, offset + SEGMENT);
        for (const m of matchesOf(regex, segment)) {
          if (m[0].length === 0) continue;
          const start = offset + m.index;
          if (!out.some((o) => o.start === start && o.rule === `/${source}/`)) out.push({ start, end: start + m[0].length, rule: `/${source}/` });
        }
        if (offset + SEGMENT >= text.length) break;
      }
    }
    return out;
  }
}
