/** Public API of the mock LLM upstream (for main.ts, tests and benchmarks). */
export { createMockLlmServer, mockLlmStateOf } from './mock-llm.server';
export { mockLlmPlugin, type MockLlmPluginOptions } from './mock-llm.plugin';
export { MockLlmState } from './mock-llm.state';
export {
  DEFAULT_MOCK_MODELS,
  mockLlmEnvSchema,
  mockLlmOptionsFromEnv,
  mockLlmOptionsSchema,
  parseMockLlmOptions,
  type MockLlmOptions,
  type MockLlmOptionsInput,
} from './mock-llm.options';
export { startMockLlmServer, type RunningMockLlm } from './mock-llm.testing';
export { MOCK_HEADERS } from './faults/request-plan';
export type { FaultRule } from './faults/fault-rule.store';
export type { FaultRuleInput } from './faults/fault-rule.schema';
export type { RequestLogEntry } from './log/request-log';
