import { parseLlmConfig, type LlmConfigInput } from '../config/llm.config';
import { LlmError } from '../errors/llm.exception';
import { LlmRouter } from './llm-router';

const keyed: LlmConfigInput = {
  providers: [
    { name: 'anthropic', kind: 'anthropic', apiKey: 'a', timeoutMs: 30_000 },
    { name: 'openai', kind: 'openai', apiKey: 'o', maxRetries: 1 },
    {
      name: 'vllm',
      kind: 'openai',
      baseURL: 'http://vllm:8000/v1',
      requireApiKey: false,
      models: ['meta-llama/*', 'qwen2.5-7b'],
      streamIdleTimeoutMs: 5_000,
    },
  ],
};

const router = (input: LlmConfigInput = keyed) => new LlmRouter(parseLlmConfig(input));
const chain = (r: LlmRouter, name?: string) => r.resolve(name).targets.map((t) => `${t.provider}/${t.model}`);

describe('LlmRouter', () => {
  it('routes the default alias (and an empty model) through Anthropic → OpenAI → a cheaper model', () => {
    const r = router();
    const expected = ['anthropic/claude-sonnet-4-6', 'openai/gpt-4.1', 'openai/gpt-4.1-mini'];
    expect(chain(r, 'default')).toEqual(expected);
    expect(chain(r, undefined)).toEqual(expected);
    expect(chain(r, '')).toEqual(expected);
    expect(r.resolve(undefined)).toMatchObject({ requested: 'default', alias: 'default' });
  });

  it('applies provider limits and target overrides', () => {
    const r = router({
      ...keyed,
      routes: { fast: [{ provider: 'anthropic', model: 'claude-haiku-4-5', timeoutMs: 5_000, maxRetries: 0 }, { provider: 'openai', model: 'gpt-4.1-mini' }] },
    });
    expect(r.resolve('fast').targets).toEqual([
      { provider: 'anthropic', model: 'claude-haiku-4-5', timeoutMs: 5_000, idleTimeoutMs: 5_000, maxRetries: 0 },
      { provider: 'openai', model: 'gpt-4.1-mini', timeoutMs: 60_000, idleTimeoutMs: 60_000, maxRetries: 1 },
    ]);
  });

  it('routes an unrouted concrete model by pattern, with no fallback', () => {
    const r = router();
    expect(chain(r, 'claude-opus-4-1')).toEqual(['anthropic/claude-opus-4-1']);
    expect(chain(r, 'gpt-4o')).toEqual(['openai/gpt-4o']);
    expect(chain(r, 'o3-mini')).toEqual(['openai/o3-mini']);
    expect(r.resolve('gpt-4o').alias).toBeUndefined();
  });

  it('uses the route target of a model a route lists, and provider model globs', () => {
    const r = router({ ...keyed, routes: { local: [{ provider: 'vllm', model: 'mistral-7b', maxRetries: 0 }] } });
    expect(r.resolve('mistral-7b').targets).toMatchObject([{ provider: 'vllm', model: 'mistral-7b', maxRetries: 0 }]);
    expect(chain(r, 'meta-llama/Llama-3.1-8B-Instruct')).toEqual(['vllm/meta-llama/Llama-3.1-8B-Instruct']);
    expect(chain(r, 'qwen2.5-7b')).toEqual(['vllm/qwen2.5-7b']);
    expect(r.resolve('qwen2.5-7b').targets[0].idleTimeoutMs).toBe(5_000);
  });

  it('honours an explicit provider/model prefix only for configured provider names', () => {
    const r = router();
    expect(chain(r, 'vllm/claude-like')).toEqual(['vllm/claude-like']);
    expect(chain(r, 'openai/gpt-4o')).toEqual(['openai/gpt-4o']);
    expect(chain(r, 'mistralai/Mistral-7B')).toEqual(['openai/mistralai/Mistral-7B']);
  });

  it('falls back to the first OpenAI-compatible provider when none is named "openai"', () => {
    const r = router({ providers: [{ name: 'ollama', kind: 'openai', baseURL: 'http://ollama:11434/v1', requireApiKey: false }] });
    expect(chain(r, 'llama3.2')).toEqual(['ollama/llama3.2']);
    expect(() => r.resolve(undefined)).toThrow('no route or provider serves the model "default"');
  });

  it('rejects a model no provider can serve', () => {
    const r = router({ providers: [{ name: 'anthropic', kind: 'anthropic', apiKey: 'a' }] });
    expect(chain(r, 'default')).toEqual(['anthropic/claude-sonnet-4-6']);
    expect(() => r.resolve('gpt-4o')).toThrow(LlmError);
    try {
      r.resolve('gpt-4o');
    } catch (error) {
      expect(error).toMatchObject({ kind: 'invalid_request', code: 'model_not_found', status: 404 });
    }
  });

  it('explains why a provider is unusable', () => {
    const r = router({ providers: [{ name: 'anthropic', kind: 'anthropic' }, { name: 'openai', kind: 'openai', apiKey: 'o' }, { name: 'groq', kind: 'openai', apiKeyEnv: 'GROQ_API_KEY' }] });
    expect(r.availability('openai')).toEqual({ usable: true });
    expect(r.availability('anthropic')).toEqual({ usable: false, reason: 'provider "anthropic" has no API key (set ANTHROPIC_API_KEY)' });
    expect(r.availability('groq')).toEqual({ usable: false, reason: 'provider "groq" has no API key (set GROQ_API_KEY)' });
    expect(r.availability('nope')).toMatchObject({ usable: false });
  });

  it('lists aliases and concrete models of usable providers for GET /v1/models', () => {
    const r = router({
      ...keyed,
      providers: [...(keyed.providers ?? []).filter((p) => p.name !== 'anthropic'), { name: 'anthropic', kind: 'anthropic' }],
    });
    expect(r.modelsList(1_700_000_000)).toEqual([
      { id: 'default', object: 'model', created: 1_700_000_000, owned_by: 'conduit' },
      { id: 'gpt-4.1', object: 'model', created: 1_700_000_000, owned_by: 'openai' },
      { id: 'gpt-4.1-mini', object: 'model', created: 1_700_000_000, owned_by: 'openai' },
      { id: 'qwen2.5-7b', object: 'model', created: 1_700_000_000, owned_by: 'vllm' },
    ]);
  });
});
