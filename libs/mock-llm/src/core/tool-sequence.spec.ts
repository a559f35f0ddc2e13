import { checkAnthropicToolSequence, checkOpenAiToolSequence } from './tool-sequence';

const call = (id: string) => ({ id, type: 'function', function: { name: 'lookup', arguments: '{}' } });

describe('checkOpenAiToolSequence (the ordering OpenAI enforces)', () => {
  it('accepts calls answered by the tool messages right after them, parallel calls included', () => {
    expect(() =>
      checkOpenAiToolSequence([
        { role: 'user' },
        { role: 'assistant', tool_calls: [call('a'), call('b')] },
        { role: 'tool', tool_call_id: 'b' },
        { role: 'tool', tool_call_id: 'a' },
        { role: 'assistant' },
        { role: 'user' },
      ]),
    ).not.toThrow();
  });

  it('refuses a tool message without its call, a window that starts with one, and a call answered later or never', () => {
    expect(() => checkOpenAiToolSequence([{ role: 'tool', tool_call_id: 'a' }, { role: 'user' }])).toThrow(/must be a response to a preceeding message with 'tool_calls'/);
    expect(() => checkOpenAiToolSequence([{ role: 'user' }, { role: 'assistant', tool_calls: [call('a')] }, { role: 'tool', tool_call_id: 'x' }])).toThrow(/preceeding message/);
    expect(() => checkOpenAiToolSequence([{ role: 'assistant', tool_calls: [call('a')] }, { role: 'user' }, { role: 'tool', tool_call_id: 'a' }])).toThrow(/did not have response messages: a/);
    expect(() => checkOpenAiToolSequence([{ role: 'user' }, { role: 'assistant', tool_calls: [call('a'), call('b')] }, { role: 'tool', tool_call_id: 'a' }])).toThrow(/did not have response messages: b/);
  });
});

describe('checkAnthropicToolSequence (the ordering Anthropic enforces)', () => {
  const use = (id: string) => ({ type: 'tool_use', id, name: 'lookup', input: {} });
  const result = (id: string) => ({ type: 'tool_result', tool_use_id: id, content: 'r' });

  it('accepts tool_use answered by tool_result blocks in the next user message', () => {
    expect(() =>
      checkAnthropicToolSequence([
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [use('a'), use('b')] },
        { role: 'user', content: [result('a'), result('b')] },
        { role: 'assistant', content: 'done' },
      ]),
    ).not.toThrow();
  });

  it('refuses a tool_result without a tool_use right before it, and a tool_use left unanswered', () => {
    expect(() => checkAnthropicToolSequence([{ role: 'user', content: [result('a')] }])).toThrow(/Each `tool_result` block must have a corresponding `tool_use` block in the previous message/);
    expect(() =>
      checkAnthropicToolSequence([
        { role: 'assistant', content: [use('a')] },
        { role: 'user', content: 'something else' },
        { role: 'user', content: [result('a')] },
      ]),
    ).toThrow(/`tool_use` ids were found without `tool_result` blocks immediately after: a/);
  });
});
