import { DEFAULT_MOCK_MODELS, mockLlmOptionsFromEnv, parseMockLlmOptions } from './mock-llm.options';

describe('mock-llm options', () => {
  it('defaults to no delays, echo replies, 1536-dim embeddings', () => {
    expect(parseMockLlmOptions()).toEqual({
      latencyMs: 0,
      ttftMs: 0,
      tokenDelayMs: 0,
      echoWords: 12,
      requestLogCapacity: 1000,
      embeddingDimensions: 1536,
      models: [...DEFAULT_MOCK_MODELS],
    });
  });

  it('rejects invalid and unknown options', () => {
    expect(() => parseMockLlmOptions({ latencyMs: -1 })).toThrow(/latencyMs/);
    expect(() => parseMockLlmOptions({ latency: 5 } as never)).toThrow(/latency/);
  });

  it('reads MOCK_LLM_* variables', () => {
    const options = mockLlmOptionsFromEnv({
      MOCK_LLM_LATENCY_MS: '15',
      MOCK_LLM_TTFT_MS: '200',
      MOCK_LLM_TOKEN_DELAY_MS: '20',
      MOCK_LLM_REPLY: 'Fixed answer.',
      MOCK_LLM_REQUEST_LOG_CAPACITY: '50',
      UNRELATED: 'x',
    });
    expect(options).toMatchObject({
      latencyMs: 15,
      ttftMs: 200,
      tokenDelayMs: 20,
      reply: 'Fixed answer.',
      requestLogCapacity: 50,
    });
  });

  it('treats empty variables as unset', () => {
    const options = mockLlmOptionsFromEnv({ MOCK_LLM_TTFT_MS: '', MOCK_LLM_REPLY: '' });
    expect(options.ttftMs).toBe(0);
    expect(options.reply).toBeUndefined();
  });

  it('fails loudly on malformed variables', () => {
    expect(() => mockLlmOptionsFromEnv({ MOCK_LLM_TTFT_MS: 'fast' })).toThrow(/MOCK_LLM_TTFT_MS/);
    expect(() => mockLlmOptionsFromEnv({ MOCK_LLM_TOKEN_DELAY_MS: '-5' })).toThrow(/MOCK_LLM_TOKEN_DELAY_MS/);
  });
});
