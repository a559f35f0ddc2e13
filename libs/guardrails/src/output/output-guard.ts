import type { InjectionDetector } from '../injection/injection-detector';
import { PiiScanner } from '../pii/pii-scanner';
import { STRUCTURED_PII_TYPES, type PiiEntityType } from '../pii/pii.types';
import { DenyList, type DenyListConfig } from './deny-list';
import { MODERATION_CATEGORIES, moderate, type ModerationCategory } from './moderation-rules';

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

  constructor(config: OutputGuardConfig = {}) {
    const pii = config.pii ?? STRUCTURED_PII_TYPES;
    if (pii.length > 0) this.scanner = new PiiScanner(pii);
    if (config.denyList) {
      const list = new DenyList(config.denyList);
      if (!list.empty) this.denyList = list;
    }
    this.moderation = config.moderation ?? MODERATION_CATEGORIES;
    if (config.classifier) this.classifier = config.classifier;
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
