import { LlmUnsupportedParameterError } from '../errors/unsupported-parameter.exception';
import type { CallOptions, ChatCompletion, ChatRequest, ChatStreamEvent, LlmProvider } from '../llm.types';
import { LlmUnavailableError } from '../errors/llm-unavailable.exception';
import { LlmError } from '../errors/llm.exception';
import { LlmGateway } from './llm.gateway';
import type { LlmMetrics } from './llm-metrics';

/** A provider that refuses `seed` (as Anthropic does) or carries everything, and may fail every call. */
class Provider implements LlmProvider {
  readonly system: string;
  readonly calls: ChatRequest[] = [];
  constructor(
    readonly name: string,
    private readonly refusesSeed: boolean,
    private readonly fails = false,
  ) {
    this.system = name;
  }
  unsupportedParameter(request: Omit<ChatRequest, 'model'>): string | undefined {
    return this.refusesSeed && request.seed !== undefined ? 'seed' : undefined;
  }
  async complete(request: ChatRequest, _options: CallOptions): Promise<ChatCompletion> {
    this.calls.push(request);
    if (this.fails) throw new LlmError({ kind: 'server', provider: this.name, model: request.model, message: 'down' });
    return { content: `from ${this.name}`, finish_reason: 'stop', usage: { input_tokens: 1, output_tokens: 1, cached_tokens: 0 } };
  }
  async *stream(): AsyncIterable<ChatStreamEvent> {
    yield* [];
  }
}

const metrics: LlmMetrics = { error: () => undefined, attempt: () => undefined, timeToFirstToken: () => undefined, usage: () => undefined };

function gateway(anthropic: Provider, openai: Provider, route: { provider: string; model: string }[]) {
  return new LlmGateway(
    {
      providers: [
        { name: 'anthropic', kind: 'anthropic', maxRetries: 0 },
        { name: 'openai', kind: 'openai', maxRetries: 0 },
      ],
      routes: { mixed: route },
    },
    { providers: { anthropic, openai }, metrics, random: () => 0.5, sleep: async () => undefined },
  );
}

const withSeed = { messages: [{ role: 'user' as const, content: 'hi' }], seed: 7 };

describe('a request field a provider cannot carry', () => {
  it('is refused before any call when the primary target cannot carry it, naming field and provider', async () => {
    const anthropic = new Provider('anthropic', true);
    const openai = new Provider('openai', false);
    const llm = gateway(anthropic, openai, [
      { provider: 'anthropic', model: 'claude-sonnet-4-6' },
      { provider: 'openai', model: 'gpt-4.1' },
    ]);
    const error = await llm.complete('mixed', withSeed).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LlmUnsupportedParameterError);
    expect(error).toMatchObject({ param: 'seed', provider: 'anthropic', kind: 'invalid_request', code: 'unsupported_parameter' });
    expect((error as Error).message).toContain('seed is not supported by provider anthropic');
    expect(anthropic.calls).toHaveLength(0);
    expect(openai.calls).toHaveLength(0);
  });

  it('skips a fallback target that cannot carry it, recorded as unsupported_parameter', async () => {
    const anthropic = new Provider('anthropic', true);
    const openai = new Provider('openai', false, true);
    const llm = gateway(anthropic, openai, [
      { provider: 'openai', model: 'gpt-4.1' },
      { provider: 'anthropic', model: 'claude-sonnet-4-6' },
    ]);
    const error = (await llm.complete('mixed', withSeed).then(
      () => undefined,
      (e: unknown) => e,
    )) as LlmUnavailableError;
    expect(error).toBeInstanceOf(LlmUnavailableError);
    expect(error.attempts.map((a) => `${a.provider}:${a.outcome}:${a.skipped ?? ''}`)).toEqual(['openai:error:', 'anthropic:skipped:unsupported_parameter']);
    expect(anthropic.calls).toHaveLength(0);
  });

  it('does not matter when the request does not use the field', async () => {
    const anthropic = new Provider('anthropic', true);
    const llm = gateway(anthropic, new Provider('openai', false), [{ provider: 'anthropic', model: 'claude-sonnet-4-6' }]);
    const { seed: _seed, ...plain } = withSeed;
    await expect(llm.complete('mixed', plain)).resolves.toMatchObject({ provider: 'anthropic' });
  });
});
