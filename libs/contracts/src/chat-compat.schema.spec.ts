import { chatCompletionRequestSchema, imagesOf, textOf, unknownChatFields } from './chat-completion.schema';
import { compatPolicyFor, resolveTenantPolicy } from './tenant-policy.schema';

const user = (content: unknown) => ({ model: 'default', messages: [{ role: 'user', content }] });

describe('chat request: OpenAI parameters, images, unknown fields (issue 23)', () => {
  it('accepts every carried OpenAI parameter', () => {
    const body = chatCompletionRequestSchema.parse({
      ...user('hi'),
      seed: 3,
      logprobs: true,
      top_logprobs: 5,
      parallel_tool_calls: false,
      presence_penalty: 1,
      frequency_penalty: -1,
      logit_bias: { '50256': -100 },
      n: 4,
      metadata: { team: 'search' },
      reasoning_effort: 'high',
    });
    expect(body).toMatchObject({ seed: 3, n: 4, logit_bias: { '50256': -100 }, reasoning_effort: 'high' });
  });

  it.each([
    ['top_logprobs without logprobs', { top_logprobs: 2 }, 'top_logprobs', undefined],
    ['n past the maximum', { n: 9 }, 'n', undefined],
    ['a logit_bias key that is no token id', { logit_bias: { abc: 1 } }, 'logit_bias.abc', undefined],
    ['an unknown reasoning_effort', { reasoning_effort: 'extreme' }, 'reasoning_effort', undefined],
    ['n > 1 with stream', { n: 2, stream: true }, 'n', 'unsupported_parameter'],
    ['logprobs with stream', { logprobs: true, stream: true }, 'logprobs', 'unsupported_parameter'],
  ])('refuses %s', (_what, extra, path, code) => {
    const result = chatCompletionRequestSchema.safeParse({ ...user('hi'), ...extra });
    expect(result.success).toBe(false);
    const issue = result.error?.issues[0];
    expect(issue?.path.join('.')).toBe(path);
    expect((issue as { params?: { code?: string } } | undefined)?.params?.code).toBe(code);
  });

  it('takes image parts in user messages, beside text: the text stays the content, the images come apart', () => {
    const content = [
      { type: 'text', text: 'What is ' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } },
      { type: 'text', text: 'this?' },
    ];
    const body = chatCompletionRequestSchema.parse(user(content));
    const [message] = body.messages;
    expect(textOf(message.content as never)).toBe('What is this?');
    expect(imagesOf(message.content as never)).toEqual([{ url: 'data:image/png;base64,AAAA', detail: 'low' }]);
    // An image alone is not an empty message.
    expect(chatCompletionRequestSchema.safeParse(user([{ type: 'image_url', image_url: { url: 'https://a.example/x.png' } }])).success).toBe(true);
  });

  it('refuses image parts outside user messages and malformed ones', () => {
    const system = { model: 'default', messages: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'https://a.example/x.png' } }] }, { role: 'user', content: 'x' }] };
    expect(chatCompletionRequestSchema.safeParse(system).success).toBe(false);
    expect(chatCompletionRequestSchema.safeParse(user([{ type: 'image_url', image_url: { url: '' } }])).success).toBe(false);
    expect(chatCompletionRequestSchema.safeParse(user([{ type: 'image_url', image_url: { url: 'https://a.example/x.png', detail: 'ultra' } }])).success).toBe(false);
    expect(chatCompletionRequestSchema.safeParse(user([{ type: 'input_audio', input_audio: {} }])).success).toBe(false);
  });

  it('names unknown top-level fields in the order sent, and only those', () => {
    expect(unknownChatFields({ model: 'm', messages: [], store: true, seed: 1, prediction: {}, conduit: {} })).toEqual(['store', 'prediction']);
    expect(unknownChatFields({ model: 'm', messages: [] })).toEqual([]);
    expect(unknownChatFields(null)).toEqual([]);
    expect(unknownChatFields(['model'])).toEqual([]);
  });
});

describe('compat policy', () => {
  const keyId = '5b0a4b8e-7a43-4c1c-9d3e-0c6a1e2f3a4b';

  it('rejects unknown fields by default; a tenant may drop them; a key override wins for that key only', () => {
    expect(compatPolicyFor(resolveTenantPolicy({}, 0), keyId).unknown_params).toBe('reject');
    expect(compatPolicyFor(resolveTenantPolicy({ compat: { unknown_params: 'drop' } }, 1), keyId).unknown_params).toBe('drop');
    const policy = resolveTenantPolicy({ compat: { unknown_params: 'drop' }, api_keys: { [keyId]: { compat: { unknown_params: 'reject' } } } }, 2);
    expect(compatPolicyFor(policy, keyId).unknown_params).toBe('reject');
    expect(compatPolicyFor(policy, null).unknown_params).toBe('drop');
  });

  it('refuses an unknown value or field in the section', () => {
    expect(() => resolveTenantPolicy({ compat: { unknown_params: 'ignore' } }, 1)).toThrow();
    expect(() => resolveTenantPolicy({ compat: { unknown_param: 'drop' } }, 1)).toThrow();
  });
});
