import { LlmError, LlmUnavailableError } from '@conduit/llm';
import { ChatErrorCode, ChatException } from '../chat/chat.exception';
import { GuardrailErrorCode, GuardrailException } from '../pipeline/guardrails/guardrails.exception';
import { UsageErrorCode, UsageException } from '../usage/usage.exception';
import { classifyJobError, InvalidJobError, JobFailureError } from './job-failure';

const llm = (kind: LlmError['kind']) => new LlmError({ kind, message: kind, provider: 'anthropic', model: 'claude' });

describe('classifyJobError', () => {
  it('retries provider outages and open breakers', () => {
    expect(classifyJobError(new ChatException(ChatErrorCode.UpstreamUnavailable, 'down'))).toMatchObject({ code: 'upstream_unavailable', retryable: true });
    expect(classifyJobError(new ChatException(ChatErrorCode.AllBreakersOpen, 'open'))).toMatchObject({ retryable: true });
    expect(classifyJobError(new LlmUnavailableError('upstream_unavailable', 'default', [], undefined, undefined))).toMatchObject({ retryable: true });
    expect(classifyJobError(llm('overloaded'))).toMatchObject({ code: 'upstream_error', retryable: true });
  });

  it('fails at once what can never succeed', () => {
    expect(classifyJobError(new ChatException(ChatErrorCode.UpstreamRejected, 'bad'))).toMatchObject({ code: 'upstream_rejected', retryable: false });
    expect(classifyJobError(new ChatException(ChatErrorCode.SessionNotFound, 'no'))).toMatchObject({ code: 'session_not_found', retryable: false });
    expect(classifyJobError(new LlmUnavailableError('no_provider_configured', 'x', [], undefined, undefined))).toMatchObject({ retryable: false });
    expect(classifyJobError(llm('invalid_request'))).toMatchObject({ code: 'upstream_rejected', retryable: false });
    expect(classifyJobError(new InvalidJobError('invalid_input', 'bad input'))).toEqual({ code: 'invalid_input', message: 'bad input', retryable: false });
    expect(classifyJobError(new UsageException(UsageErrorCode.ModelNotPriced, 'no price'))).toEqual({ code: 'model_not_priced', message: 'no price', retryable: false });
    expect(classifyJobError(new UsageException(UsageErrorCode.PricingUnavailable, 'later'))).toMatchObject({ code: 'pricing_unavailable', retryable: true });
    expect(classifyJobError(new GuardrailException(GuardrailErrorCode.PromptInjectionDetected, 'refused'))).toEqual({ code: 'prompt_injection_detected', message: 'refused', retryable: false });
  });

  it('passes a carried failure through and hides internals of unexpected errors', () => {
    expect(classifyJobError(new JobFailureError({ code: 'x', message: 'y', retryable: false }))).toEqual({ code: 'x', message: 'y', retryable: false });
    const internal = classifyJobError(new Error('connection string postgres://secret'));
    expect(internal).toMatchObject({ code: 'internal_error', retryable: true });
    expect(internal.message).not.toContain('secret');
  });
});
