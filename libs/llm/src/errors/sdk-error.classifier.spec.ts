import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { LlmError } from './llm.exception';
import { classifyError } from './sdk-error.classifier';

const ctx = { provider: 'anthropic', model: 'claude-sonnet-4-6' };
const headers = (init: Record<string, string> = {}) => new Headers(init);

function anthropicError(status: number, type: string, extra: Record<string, string> = {}) {
  return Anthropic.APIError.generate(status, { type: 'error', error: { type, message: 'boom' } }, undefined, headers(extra));
}

function openAiError(status: number, extra: Record<string, string> = {}) {
  return OpenAI.APIError.generate(status, { error: { message: 'boom', type: 'x', code: null } }, undefined, headers(extra));
}

describe('classifyError', () => {
  it.each([
    [429, 'rate_limited', true],
    [500, 'server', true],
    [502, 'server', true],
    [503, 'overloaded', true],
    [529, 'overloaded', true],
    [504, 'timeout', true],
    [408, 'timeout', true],
    [400, 'invalid_request', false],
    [404, 'invalid_request', false],
    [422, 'invalid_request', false],
    [401, 'auth', false],
    [403, 'auth', false],
  ] as const)('Anthropic HTTP %i → %s (retryable: %s)', (status, kind, retryable) => {
    const error = classifyError(anthropicError(status, 'api_error'), ctx);
    expect(error).toBeInstanceOf(LlmError);
    expect(error).toMatchObject({ kind, status, retryable, provider: 'anthropic', model: 'claude-sonnet-4-6' });
  });

  it.each([
    [429, 'rate_limited'],
    [500, 'server'],
    [503, 'overloaded'],
    [400, 'invalid_request'],
    [422, 'invalid_request'],
    [401, 'auth'],
  ] as const)('OpenAI HTTP %i → %s', (status, kind) => {
    expect(classifyError(openAiError(status), { provider: 'openai', model: 'gpt-4.1' })).toMatchObject({ kind, status });
  });

  it('uses the SDK subclasses it is given', () => {
    expect(anthropicError(529, 'overloaded_error')).toBeInstanceOf(Anthropic.OverloadedError);
    expect(openAiError(429)).toBeInstanceOf(OpenAI.RateLimitError);
  });

  it('parses retry-after seconds (Anthropic) and retry-after-ms (OpenAI)', () => {
    expect(classifyError(anthropicError(429, 'rate_limit_error', { 'retry-after': '2' }), ctx).retryAfterMs).toBe(2_000);
    expect(classifyError(openAiError(429, { 'retry-after-ms': '350', 'retry-after': '9' }), ctx).retryAfterMs).toBe(350);
    expect(classifyError(openAiError(429), ctx).retryAfterMs).toBeUndefined();
  });

  it('lets auth and server errors fall back, but not invalid requests or cancellations', () => {
    expect(classifyError(anthropicError(401, 'authentication_error'), ctx).fallbackAllowed).toBe(true);
    expect(classifyError(anthropicError(503, 'overloaded_error'), ctx).fallbackAllowed).toBe(true);
    expect(classifyError(anthropicError(400, 'invalid_request_error'), ctx).fallbackAllowed).toBe(false);
    expect(classifyError(new Anthropic.APIUserAbortError(), ctx).fallbackAllowed).toBe(false);
  });

  it('counts only upstream-health failures against the breaker', () => {
    expect(classifyError(anthropicError(503, 'overloaded_error'), ctx).countsAgainstBreaker).toBe(true);
    expect(classifyError(anthropicError(429, 'rate_limit_error'), ctx).countsAgainstBreaker).toBe(true);
    expect(classifyError(anthropicError(400, 'invalid_request_error'), ctx).countsAgainstBreaker).toBe(false);
    expect(classifyError(anthropicError(401, 'authentication_error'), ctx).countsAgainstBreaker).toBe(false);
  });

  it('maps connection and timeout errors of both SDKs', () => {
    expect(classifyError(new Anthropic.APIConnectionTimeoutError(), ctx).kind).toBe('timeout');
    expect(classifyError(new OpenAI.APIConnectionTimeoutError(), ctx).kind).toBe('timeout');
    expect(classifyError(new Anthropic.APIConnectionError({ message: 'refused' }), ctx)).toMatchObject({ kind: 'connection', retryable: true });
    expect(classifyError(new OpenAI.APIConnectionError({ message: 'refused' }), ctx).kind).toBe('connection');
  });

  it('tells a caller abort from our own per-attempt timeout by the signal that fired', () => {
    expect(classifyError(new OpenAI.APIUserAbortError(), ctx).kind).toBe('cancelled');
    expect(classifyError(new OpenAI.APIUserAbortError(), { ...ctx, abortCause: 'cancelled' })).toMatchObject({ kind: 'cancelled', retryable: false });
    expect(classifyError(new OpenAI.APIUserAbortError(), { ...ctx, abortCause: 'timeout' })).toMatchObject({ kind: 'timeout', retryable: true });
    expect(classifyError(new OpenAI.APIConnectionError({ message: 'x' }), { ...ctx, abortCause: 'timeout' }).kind).toBe('timeout');
  });

  it('maps error events inside a stream (no HTTP status) by their error type', () => {
    const overloaded = new Anthropic.APIError(undefined, { type: 'error', error: { type: 'overloaded_error', message: 'x' } }, undefined, headers());
    expect(classifyError(overloaded, ctx)).toMatchObject({ kind: 'overloaded', status: undefined });
    const odd = new OpenAI.APIError(undefined, { message: 'x' }, undefined, headers());
    expect(classifyError(odd, ctx).kind).toBe('unknown');
  });

  it('treats fetch TypeErrors (refused, body cut) as connection errors, other foreign errors as unknown', () => {
    expect(classifyError(new TypeError('terminated'), ctx)).toMatchObject({ kind: 'connection', retryable: true });
    expect(classifyError(Object.assign(new Error('x'), { name: 'TypeError' }), ctx).kind).toBe('connection');
    expect(classifyError(new RangeError('x'), ctx)).toMatchObject({ kind: 'unknown', retryable: false, fallbackAllowed: true });
  });

  it('obeys an explicit x-should-retry header, except for caller errors', () => {
    expect(classifyError(anthropicError(503, 'api_error', { 'x-should-retry': 'false' }), ctx).retryable).toBe(false);
    expect(classifyError(anthropicError(401, 'authentication_error', { 'x-should-retry': 'true' }), ctx).retryable).toBe(true);
    expect(classifyError(anthropicError(400, 'invalid_request_error', { 'x-should-retry': 'true' }), ctx).retryable).toBe(false);
  });

  it('passes LlmErrors through untouched', () => {
    const original = new LlmError({ kind: 'server', provider: 'p', model: 'm', message: 'x' });
    expect(classifyError(original, ctx)).toBe(original);
  });
});
