import { failureVerdict, type FailureMode, type InjectionCheck, type InjectionDetector, type InjectionVerdict } from './injection-detector';

export interface HttpClassifierOptions {
  /** POST target; receives `{"text": "...", "kind": "user"|"document"|"tool_output"}`. */
  url: string;
  /** Extra request headers (e.g. an authorization token from the environment). */
  headers?: Record<string, string>;
  timeoutMs?: number;
  onFailure?: FailureMode;
  /** Score at or above which the text is an injection (default 0.5). */
  threshold?: number;
  /**
   * Labels that mean "injection" when the service answers `{label, score}` (default: INJECTION,
   * JAILBREAK, MALICIOUS, case-insensitive). With a label, `score` is the label's confidence.
   */
  injectionLabels?: string[];
  maxChars?: number;
  fetch?: typeof fetch;
}

/** Labels an output moderation service may answer that mean "violates" (with the injection labels, for services that do both). */
export const MODERATION_LABELS = ['INJECTION', 'JAILBREAK', 'MALICIOUS', 'UNSAFE', 'FLAGGED', 'TOXIC', 'HARMFUL', 'VIOLATION'];

/**
 * A self-hosted classifier behind HTTP (e.g. Prompt Guard served by a small inference server). The
 * answer is `{score}` (probability of injection) or `{label, score}`.
 */
export class HttpInjectionDetector implements InjectionDetector {
  readonly name = 'http';
  private readonly labels: Set<string>;

  constructor(private readonly options: HttpClassifierOptions) {
    this.labels = new Set((options.injectionLabels ?? ['INJECTION', 'JAILBREAK', 'MALICIOUS']).map((l) => l.toUpperCase()));
  }

  async detect(text: string, check: InjectionCheck): Promise<InjectionVerdict> {
    const onFailure = this.options.onFailure ?? 'open';
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 2_000);
    const signal = check.signal ? AbortSignal.any([timeout, check.signal]) : timeout;
    let body: unknown;
    try {
      const response = await (this.options.fetch ?? fetch)(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.options.headers },
        body: JSON.stringify({ text: text.slice(0, this.options.maxChars ?? 20_000), kind: check.kind }),
        signal,
      });
      if (!response.ok) return failureVerdict(onFailure, `classifier answered ${response.status}`);
      body = await response.json();
    } catch (error) {
      return failureVerdict(onFailure, timeout.aborted ? 'classifier timed out' : error instanceof Error ? error.message.slice(0, 120) : 'error');
    }
    const parsed = this.parse(body);
    if (parsed === undefined) return failureVerdict(onFailure, 'unparseable classifier answer');
    const injection = parsed >= (this.options.threshold ?? 0.5);
    return { verdict: injection ? 'injection' : 'clean', score: parsed, reasons: [`http:${parsed.toFixed(3)}`] };
  }

  /** The probability of injection, or undefined when the answer has neither shape. */
  private parse(body: unknown): number | undefined {
    if (typeof body !== 'object' || body === null) return undefined;
    const { score, label } = body as Record<string, unknown>;
    if (typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > 1) return undefined;
    if (label === undefined) return score;
    if (typeof label !== 'string') return undefined;
    return this.labels.has(label.toUpperCase()) ? score : 1 - score;
  }
}
