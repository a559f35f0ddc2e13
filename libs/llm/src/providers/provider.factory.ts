import type { ProviderConfig } from '../config/llm.config';
import type { LlmProvider } from '../llm.types';
import { AnthropicProvider } from './anthropic.provider';
import { OpenAiProvider } from './openai.provider';

/** Key sent to servers that need none (the SDKs refuse to start without one). */
const NO_KEY = 'not-needed';

/** Builds the SDK-backed provider a configuration entry describes. */
export function createProvider(config: ProviderConfig): LlmProvider {
  const common = {
    name: config.name,
    apiKey: config.apiKey ?? NO_KEY,
    timeoutMs: config.timeoutMs,
    ...(config.baseURL !== undefined ? { baseURL: config.baseURL } : {}),
    ...(config.headers !== undefined ? { headers: config.headers } : {}),
  };
  if (config.kind === 'anthropic') return new AnthropicProvider({ ...common, defaultMaxTokens: config.defaultMaxTokens });
  return new OpenAiProvider({
    ...common,
    ...(config.system !== undefined ? { system: config.system } : {}),
    ...(config.maxTokensParam !== undefined ? { maxTokensParam: config.maxTokensParam } : {}),
  });
}
