/** Test-only helpers for the int-specs: a mock upstream and a gateway config pointing at it. */
import { startMockLlmServer, type RunningMockLlm } from '@conduit/mock-llm';
import type { LlmConfigInput } from '../config/llm.config';
import type { ChatStreamEvent } from '../llm.types';

export type { RunningMockLlm };
export { startMockLlmServer };

/** Providers `anthropic` and `openai` on the mock, with test-speed retry and breaker settings. */
export function mockGatewayConfig(mock: RunningMockLlm, overrides: Partial<LlmConfigInput> = {}): LlmConfigInput {
  return {
    providers: [
      { name: 'anthropic', kind: 'anthropic', baseURL: mock.url, apiKey: 'sk-ant-test', timeoutMs: 2_000, maxRetries: 1 },
      { name: 'openai', kind: 'openai', baseURL: `${mock.url}/v1`, apiKey: 'sk-test', timeoutMs: 2_000, maxRetries: 1 },
    ],
    retry: { baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 500 },
    breaker: { windowMs: 10_000, buckets: 10, failureThreshold: 0.5, minRequests: 4, openMs: 60_000 },
    ...overrides,
  };
}

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

export async function collect(events: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const out: ChatStreamEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

export function textOf(events: ChatStreamEvent[]): string {
  return events.map((e) => (e.type === 'text' ? e.text : '')).join('');
}
