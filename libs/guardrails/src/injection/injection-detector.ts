/** Where a text comes from: a user turn (direct injection) or content the model reads (indirect). */
export type InjectionInputKind = 'user' | 'document' | 'tool_output';

/** Classifiers also judge the model's own answer (output guards). */
export type ClassifiedKind = InjectionInputKind | 'model_output';

export interface InjectionCheck {
  kind: ClassifiedKind;
  /** BCP 47 language tag when known (informational; detectors are multilingual). */
  language?: string;
  signal?: AbortSignal;
}

export interface InjectionVerdict {
  verdict: 'clean' | 'injection';
  /** 0..1: how likely the text is an injection. */
  score: number;
  /** Why: fired rules, the classifier score, or the external classifier's label / failure. */
  reasons: string[];
}

/** One interface, three implementations: built in (default), LLM judge, external HTTP classifier. */
export interface InjectionDetector {
  readonly name: string;
  detect(text: string, check: InjectionCheck): Promise<InjectionVerdict>;
}

/** What an external detector does when it cannot answer (timeout, error, unparseable output). */
export type FailureMode = 'open' | 'closed';

/** The verdict when an external detector failed: `open` lets the text through, `closed` treats it as an injection. */
export function failureVerdict(mode: FailureMode, reason: string): InjectionVerdict {
  return mode === 'open'
    ? { verdict: 'clean', score: 0, reasons: [`detector_unavailable: ${reason}`, 'fail_open'] }
    : { verdict: 'injection', score: 1, reasons: [`detector_unavailable: ${reason}`, 'fail_closed'] };
}
