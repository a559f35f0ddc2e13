/** Shared helpers for the mock-llm int-specs. */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { RequestLogEntry } from '../log/request-log';
import { startMockLlmServer, type RunningMockLlm } from '../mock-llm.testing';

/** Resolves to the settled error (or fails the test if the promise resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/**
 * Jest runs tests in a separate realm, so the AbortError undici throws on a client timeout is not
 * `instanceof Error` there, and openai's castToError loses its name (turning the SDK's
 * APIConnectionTimeoutError into a plain APIConnectionError; in a normal Node process it is fine,
 * and the Anthropic SDK already handles it). Re-throwing the abort as a same-realm Error restores
 * what the SDK sees outside jest.
 */
export const realmSafeFetch: typeof fetch = (input, init) =>
  fetch(input, init).catch((error: unknown) => {
    const name = (error as { name?: unknown } | null)?.name;
    if (name !== 'AbortError') throw error;
    throw Object.assign(new Error((error as Error).message), { name });
  });

export const chatRequest = {
  model: 'gpt-4o-mini',
  messages: [{ role: 'user' as const, content: 'Tell me a short story' }],
};

export const messageRequest = {
  model: 'claude-haiku-4-5',
  max_tokens: 64,
  messages: [{ role: 'user' as const, content: 'Tell me a short story' }],
};

export interface MockWithClients {
  mock: RunningMockLlm;
  openai: OpenAI;
  anthropic: Anthropic;
}

/** A fresh mock plus both SDK clients pointed at it, without retries. */
export async function startMockWithClients(): Promise<MockWithClients> {
  const mock = await startMockLlmServer();
  return {
    mock,
    openai: new OpenAI({ apiKey: 'sk-test', baseURL: `${mock.url}/v1`, maxRetries: 0, fetch: realmSafeFetch }),
    anthropic: new Anthropic({ apiKey: 'sk-ant-test', baseURL: mock.url, maxRetries: 0 }),
  };
}

/** Clears fault rules and the request log over HTTP. */
export async function resetMock(mock: RunningMockLlm): Promise<void> {
  await fetch(`${mock.url}/_mock/faults`, { method: 'DELETE' });
  await fetch(`${mock.url}/_mock/requests`, { method: 'DELETE' });
}

export async function fetchRequestLog(mock: RunningMockLlm): Promise<RequestLogEntry[]> {
  const response = await fetch(`${mock.url}/_mock/requests`);
  return ((await response.json()) as { data: RequestLogEntry[] }).data;
}

export function postFaultRule(mock: RunningMockLlm, rule: unknown): Promise<Response> {
  return fetch(`${mock.url}/_mock/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(rule),
  });
}
