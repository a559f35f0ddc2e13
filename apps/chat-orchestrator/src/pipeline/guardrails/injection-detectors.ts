import { Injectable } from '@nestjs/common';
import type { GuardrailsPolicy } from '@conduit/contracts';
import { BuiltinInjectionDetector, createInjectionDetector, InjectionDetector, MODERATION_JUDGE_PROMPT, MODERATION_LABELS } from '@conduit/guardrails';
import { LlmGateway } from '@conduit/llm';

type DetectorConfig = GuardrailsPolicy['injection']['detector'];
type OutputClassifierConfig = NonNullable<GuardrailsPolicy['output']['classifier']>;

/**
 * The injection detector a tenant's policy names, built once per distinct configuration (the
 * built-in one by default; an LLM judge through the app's LLM gateway; an external HTTP classifier),
 * and the output guards' moderation classifier.
 */
@Injectable()
export class InjectionDetectors {
  private readonly builtin = new BuiltinInjectionDetector();
  private readonly built = new Map<string, InjectionDetector>();

  constructor(private readonly llm: LlmGateway) {}

  for(config: DetectorConfig): InjectionDetector {
    if (config.kind === 'builtin' && config.threshold === undefined) return this.builtin;
    return this.cached(`input:${JSON.stringify(config)}`, () => createInjectionDetector(config, { gateway: this.llm }));
  }

  /** The output moderation classifier a policy names: the LLM judge with the moderation prompt, or an HTTP classifier that also knows moderation labels. */
  forOutput(config: OutputClassifierConfig): InjectionDetector {
    return this.cached(`output:${JSON.stringify(config)}`, () => createInjectionDetector(config, { gateway: this.llm, prompt: MODERATION_JUDGE_PROMPT, labels: MODERATION_LABELS }));
  }

  private cached(key: string, build: () => InjectionDetector): InjectionDetector {
    let detector = this.built.get(key);
    if (!detector) {
      if (this.built.size >= 256) this.built.clear();
      detector = build();
      this.built.set(key, detector);
    }
    return detector;
  }
}
