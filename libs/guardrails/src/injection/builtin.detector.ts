import type { InjectionCheck, InjectionDetector, InjectionVerdict } from './injection-detector';
import { shippedInjectionModel, type InjectionModel } from './injection-model';
import { INJECTION_RULES } from './injection-rules';
import { scoreWindows, sigmoid } from './window-scorer';

export interface BuiltinDetectorOptions {
  /** Probability at or above which a text is an injection (default: the trained model's threshold). */
  threshold?: number;
  /** Longest text scored, in characters (the rest is ignored; default 200,000). */
  maxChars?: number;
  model?: InjectionModel;
}

const NOT_BLANK = /\S/;

/** `p.toFixed(3)` for a probability, without `toFixed` (a visible share of a short text's cost). */
function fixed3(p: number): string {
  const digits = String(Math.round(p * 1_000)).padStart(4, '0');
  return `${digits.slice(0, -3)}.${digits.slice(-3)}`;
}
const RULE_REASONS = INJECTION_RULES.map((rule) => `rule:${rule.id}`);

/**
 * The default detector: hand-written multilingual rules plus a linear classifier over hashed
 * n-grams, trained offline on the project's own labelled set. In-process, synchronous, no network,
 * no model download.
 */
export class BuiltinInjectionDetector implements InjectionDetector {
  readonly name = 'builtin';
  private readonly model: InjectionModel;
  private readonly threshold: number;
  private readonly maxChars: number;

  constructor(options: BuiltinDetectorOptions = {}) {
    this.model = options.model ?? shippedInjectionModel();
    this.threshold = options.threshold ?? this.model.threshold;
    this.maxChars = options.maxChars ?? 200_000;
  }

  detect(text: string, _check?: InjectionCheck): Promise<InjectionVerdict> {
    return Promise.resolve(this.detectSync(text));
  }

  detectSync(text: string): InjectionVerdict {
    if (!NOT_BLANK.test(text)) return { verdict: 'clean', score: 0, reasons: [] };
    const { logit, rules } = scoreWindows(text.length > this.maxChars ? text.slice(0, this.maxChars) : text, this.model);
    const score = sigmoid(logit);
    const verdict = score >= this.threshold ? 'injection' : 'clean';
    const reasons = rules.map((r) => RULE_REASONS[r] as string);
    reasons.push(`classifier:${fixed3(score)}`);
    return { verdict, score, reasons };
  }
}
