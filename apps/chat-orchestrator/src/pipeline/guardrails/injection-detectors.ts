import { Injectable } from '@nestjs/common';
import type { GuardrailsPolicy } from '@conduit/contracts';
import { BuiltinInjectionDetector, createInjectionDetector, InjectionDetector } from '@conduit/guardrails';
import { LlmGateway } from '@conduit/llm';

type DetectorConfig = GuardrailsPolicy['injection']['detector'];

/**
 * The injection detector a tenant's policy names, built once per distinct configuration (the
 * built-in one by default; an LLM judge through the app's LLM gateway; an external HTTP classifier).
 */
@Injectable()
export class InjectionDetectors {
  private readonly builtin = new BuiltinInjectionDetector();
  private readonly built = new Map<string, InjectionDetector>();

  constructor(private readonly llm: LlmGateway) {}

  for(config: DetectorConfig): InjectionDetector {
    if (config.kind === 'builtin' && config.threshold === undefined) return this.builtin;
    const key = JSON.stringify(config);
    let detector = this.built.get(key);
    if (!detector) {
      if (this.built.size >= 256) this.built.clear();
      detector = createInjectionDetector(config, { gateway: this.llm });
      this.built.set(key, detector);
    }
    return detector;
  }
}
