import type { InjectionDetector } from '../injection/injection-detector';
import { PiiScanner } from '../pii/pii-scanner';
import { STRUCTURED_PII_TYPES, type PiiEntityType } from '../pii/pii.types';
import { DenyList, type DenyListConfig } from './deny-list';
import { isWeakToken, openPemStart, structuredRunStart, tokenBoundaryBefore, unfinishedTokenStart } from './live-tail';
import { MODERATION_CATEGORIES, moderate, ModerationOpeners, type ModerationCategory } from './moderation-rules';

export interface OutputGuardConfig {
  /** Entity types whose presence in an answer is a leak (default: the structured types, secrets included). Empty: no PII check. */
  pii?: readonly PiiEntityType[];
  denyList?: DenyListConfig;
  /** Built-in moderation categories to enforce (default: all; empty: none). */
  moderation?: readonly ModerationCategory[];
  /** Optional classifier (LLM judge with MODERATION_JUDGE_PROMPT, or HTTP); run by `check`, not `checkSync`. */
  classifier?: InjectionDetector;
}

export interface OutputViolation {
  kind: 'pii' | 'deny_list' | 'moderation' | 'classifier';
  /** Entity type, deny-list rule or moderation category (never the offending value). */
  detail: string;
  start: number;
  end: number;
}

/** Where the end of a streamed answer may still be inside a match (see `OutputGuard.liveTail`). */
export interface LiveTail {
  /** Text from here on could still become part of a violation: never released before the stream says more. */
  hold: number;
  /** The unfinished last word, when it can only grow into a prefix that is not sensitive by itself (released by a stall flush). */
  word: number;
}

export interface OutputCheck {
  allowed: boolean;
  violations: OutputViolation[];
}

/** Checks an answer for PII and secret leaks, deny-listed terms and moderation categories. */
export class OutputGuard {
  private readonly scanner?: PiiScanner;
  private readonly denyList?: DenyList;
  private readonly moderation: readonly ModerationCategory[];
  private readonly classifier?: InjectionDetector;
  private readonly openers?: ModerationOpeners;
  /** Names or addresses are checked: rule-based over capitalised words, no prefix test, so a window is held. */
  private readonly windowedPii: boolean;

  constructor(config: OutputGuardConfig = {}) {
    const pii = config.pii ?? STRUCTURED_PII_TYPES;
    if (pii.length > 0) this.scanner = new PiiScanner(pii);
    if (config.denyList) {
      const list = new DenyList(config.denyList);
      if (!list.empty) this.denyList = list;
    }
    this.moderation = config.moderation ?? MODERATION_CATEGORIES;
    if (this.moderation.length > 0) this.openers = new ModerationOpeners(this.moderation);
    this.windowedPii = pii.includes('PERSON') || pii.includes('ADDRESS');
    if (config.classifier) this.classifier = config.classifier;
  }

  /**
   * For a streamed answer: the earliest index from which `text` may still be inside a match that
   * the next chunk could complete — a trailing digit group run (cards, phones, IBANs, ids), an
   * unfinished token with a digit, `@`, a key prefix or inner punctuation, an open PEM block, a
   * partial deny-listed term, a moderation opener in the current sentence — or, for checks with
   * no such test (deny-list regexes, names, addresses), the last `windowChars` at a token
   * boundary. Text before `hold` cannot become part of a violation any more. `released`: how much
   * of `text` already went out (a PEM block is looked for after it).
   */
  liveTail(text: string, windowChars: number, released = 0): LiveTail {
    let hold = text.length;
    const tokenStart = unfinishedTokenStart(text);
    let word = text.length;
    if (tokenStart < text.length) {
      if (isWeakToken(text.slice(tokenStart))) word = tokenStart;
      else hold = tokenStart;
    }
    if (this.scanner) {
      hold = Math.min(hold, structuredRunStart(text), openPemStart(text, released));
    }
    if (this.denyList) hold = Math.min(hold, this.denyList.termPrefixes.start(text));
    if (this.openers) hold = Math.min(hold, this.openers.start(text));
    if (this.windowedPii || this.denyList?.hasPatterns === true) hold = Math.min(hold, tokenBoundaryBefore(text, Math.max(0, text.length - windowChars), 0));
    return { hold, word: Math.min(word, hold) };
  }

  /** Longest literal deny-list term (the streaming guard holds back at least this much). */
  get longestTerm(): number {
    return this.denyList?.longestTerm ?? 0;
  }

  /** The rule-based checks (synchronous, in-process). */
  checkSync(text: string): OutputCheck {
    const violations: OutputViolation[] = [];
    if (this.scanner) for (const e of this.scanner.scan(text)) violations.push({ kind: 'pii', detail: e.type, start: e.start, end: e.end });
    if (this.denyList) for (const m of this.denyList.match(text)) violations.push({ kind: 'deny_list', detail: m.rule, start: m.start, end: m.end });
    if (this.moderation.length > 0) {
      for (const m of moderate(text, this.moderation)) violations.push({ kind: 'moderation', detail: m.category, start: m.start, end: m.end });
    }
    return { allowed: violations.length === 0, violations };
  }

  /** The rule-based checks, then the classifier if one is configured (on the whole text). */
  async check(text: string, signal?: AbortSignal): Promise<OutputCheck> {
    const result = this.checkSync(text);
    if (!this.classifier || !result.allowed) return result;
    const verdict = await this.classifier.detect(text, { kind: 'model_output', ...(signal !== undefined ? { signal } : {}) });
    if (verdict.verdict === 'clean') return result;
    return { allowed: false, violations: [{ kind: 'classifier', detail: verdict.reasons[0] ?? this.classifier.name, start: 0, end: text.length }] };
  }
}
