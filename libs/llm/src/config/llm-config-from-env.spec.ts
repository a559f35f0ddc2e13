import { ConfigValidationError } from '@conduit/config';
import { llmConfigFromEnv } from './llm-config-from-env';

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigValidationError');
}

const files = (content: Record<string, string>) => (path: string) => {
  if (!(path in content)) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
  return content[path];
};

describe('llmConfigFromEnv', () => {
  it('builds the built-in providers and default route from the simple variables', () => {
    const config = llmConfigFromEnv({
      ANTHROPIC_API_KEY: 'sk-ant',
      OPENAI_API_KEY: 'sk-oai',
      OPENAI_BASE_URL: 'http://vllm:8000/v1',
      LLM_TIMEOUT_MS: '15000',
      LLM_MAX_RETRIES: '1',
    });
    expect(config.providers).toMatchObject([
      { name: 'anthropic', kind: 'anthropic', apiKey: 'sk-ant', timeoutMs: 15_000, maxRetries: 1 },
      { name: 'openai', kind: 'openai', apiKey: 'sk-oai', baseURL: 'http://vllm:8000/v1', timeoutMs: 15_000, maxRetries: 1 },
    ]);
    expect(config.routes['default'].map((t) => t.model)).toEqual(['claude-sonnet-4-6', 'gpt-4.1', 'gpt-4.1-mini']);
  });

  it('works with nothing set (providers without keys are skipped at call time)', () => {
    const config = llmConfigFromEnv({});
    expect(config.providers.map((p) => [p.name, p.apiKey, p.timeoutMs, p.maxRetries])).toEqual([
      ['anthropic', undefined, 60_000, 2],
      ['openai', undefined, 60_000, 2],
    ]);
  });

  it('names a bad variable', () => {
    const problems = problemsOf(() => llmConfigFromEnv({ LLM_TIMEOUT_MS: 'soon', OPENAI_BASE_URL: 'not a url', LLM_MAX_RETRIES: '99' }));
    expect(problems).toHaveLength(3);
    expect(problems.find((p) => p.startsWith('LLM_TIMEOUT_MS'))).toBeDefined();
    expect(problems.find((p) => p.startsWith('OPENAI_BASE_URL'))).toBeDefined();
    expect(problems.find((p) => p.startsWith('LLM_MAX_RETRIES'))).toBeDefined();
  });

  it('merges the config file: extra providers and routes; variables keep the upper hand', () => {
    const file = {
      providers: [
        { name: 'ollama', kind: 'openai', baseURL: 'http://ollama:11434/v1', requireApiKey: false, models: ['llama*'] },
        { name: 'groq', kind: 'openai', baseURL: 'https://api.groq.com/openai/v1', apiKeyEnv: 'GROQ_API_KEY', timeoutMs: 5_000 },
        { name: 'anthropic', kind: 'anthropic', maxRetries: 4 },
      ],
      routes: { default: [{ provider: 'anthropic', model: 'claude-haiku-4-5' }, { provider: 'ollama', model: 'llama3.2' }] },
    };
    const config = llmConfigFromEnv(
      { LLM_CONFIG_FILE: '/etc/conduit/llm.json', ANTHROPIC_API_KEY: 'sk-ant', GROQ_API_KEY: 'gsk', LLM_TIMEOUT_MS: '9000' },
      files({ '/etc/conduit/llm.json': JSON.stringify(file) }),
    );
    expect(config.providers.map((p) => p.name)).toEqual(['anthropic', 'openai', 'ollama', 'groq']);
    expect(config.providers[0]).toMatchObject({ apiKey: 'sk-ant', maxRetries: 4, timeoutMs: 9_000 });
    expect(config.providers[3]).toMatchObject({ apiKey: 'gsk', timeoutMs: 5_000 });
    expect(config.routes['default'].map((t) => t.provider)).toEqual(['anthropic', 'ollama']);
  });

  it('names the file and the bad field', () => {
    const read = files({
      '/bad.json': JSON.stringify({ providers: [{ name: 'x', kind: 'bedrock' }], pricing: { m: [{ effective_from: 'yesterday', input: 1, output: 1 }] } }),
      '/route.json': JSON.stringify({ routes: { default: [{ provider: 'nowhere', model: 'm' }] } }),
      '/dup.json': JSON.stringify({ providers: [{ name: 'x', kind: 'openai' }, { name: 'x', kind: 'openai' }] }),
      '/syntax.json': '{ nope',
    });
    const bad = problemsOf(() => llmConfigFromEnv({ LLM_CONFIG_FILE: '/bad.json' }, read));
    expect(bad).toHaveLength(2);
    expect(bad[0]).toMatch(/^LLM_CONFIG_FILE \(\/bad\.json\): providers\[0\]\.kind: /);
    // Prices moved to the billing price list: the file says where instead of passing silently.
    expect(bad[1]).toMatch(/^LLM_CONFIG_FILE \(\/bad\.json\): pricing: prices are not part of the LLM configuration: .*model_prices/);
    expect(problemsOf(() => llmConfigFromEnv({ LLM_CONFIG_FILE: '/route.json' }, read))).toEqual([
      'LLM_CONFIG_FILE (/route.json): routes.default[0].provider: unknown provider "nowhere" (configured: anthropic, openai)',
    ]);
    expect(problemsOf(() => llmConfigFromEnv({ LLM_CONFIG_FILE: '/dup.json' }, read))[0]).toContain('providers[1].name: duplicate provider name "x"');
    expect(problemsOf(() => llmConfigFromEnv({ LLM_CONFIG_FILE: '/syntax.json' }, read))[0]).toMatch(/^LLM_CONFIG_FILE \(\/syntax\.json\): not valid JSON/);
    expect(problemsOf(() => llmConfigFromEnv({ LLM_CONFIG_FILE: '/missing.json' }, read))).toEqual([
      'LLM_CONFIG_FILE (/missing.json): cannot read the file (ENOENT)',
    ]);
  });

  it('rejects unknown fields so typos do not pass silently', () => {
    const read = files({ '/typo.json': JSON.stringify({ providers: [{ name: 'x', kind: 'openai', timeout: 5 }] }) });
    expect(problemsOf(() => llmConfigFromEnv({ LLM_CONFIG_FILE: '/typo.json' }, read))[0]).toMatch(/providers\[0\]: .*timeout/);
  });
});
