import type { GuardrailsPolicy } from '@conduit/contracts';
import { BuiltinInjectionDetector } from './builtin.detector';
import { HttpInjectionDetector } from './http-classifier.detector';
import type { InjectionDetector } from './injection-detector';
import { LlmJudgeInjectionDetector, type JudgeGateway } from './llm-judge.detector';

export interface DetectorDeps {
  gateway?: JudgeGateway | undefined;
  env?: NodeJS.ProcessEnv;
  /** System prompt for the LLM judge (e.g. MODERATION_JUDGE_PROMPT for output classifiers). */
  prompt?: string;
  /** Labels of the `http` detector's answers that mean "flagged" (default: the injection labels; `MODERATION_LABELS` for output classifiers). */
  labels?: string[];
  /** HTTP client of the `http` detector (default: global fetch). */
  fetch?: typeof fetch;
}

/** The detector a policy asks for. The HTTP classifier's token comes from the environment variable the policy names. */
export function createInjectionDetector(config: GuardrailsPolicy['injection']['detector'], deps: DetectorDeps = {}): InjectionDetector {
  switch (config.kind) {
    case 'builtin':
      return new BuiltinInjectionDetector(config.threshold !== undefined ? { threshold: config.threshold } : {});
    case 'llm': {
      if (!deps.gateway) throw new Error('the llm injection detector needs an LlmGateway');
      return new LlmJudgeInjectionDetector(deps.gateway, {
        ...(config.model !== undefined ? { model: config.model } : {}),
        timeoutMs: config.timeout_ms,
        onFailure: config.on_failure,
        threshold: config.threshold,
        ...(deps.prompt !== undefined ? { prompt: deps.prompt } : {}),
      });
    }
    case 'http': {
      const token = config.token_env !== undefined ? (deps.env ?? process.env)[config.token_env] : undefined;
      return new HttpInjectionDetector({
        url: config.url,
        timeoutMs: config.timeout_ms,
        onFailure: config.on_failure,
        threshold: config.threshold,
        ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
        ...(deps.labels ? { injectionLabels: deps.labels } : {}),
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
      });
    }
  }
}
