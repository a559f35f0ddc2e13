import { directedToolCalls, toolResultPrompt } from './tool-directive';

describe('tool-call directives', () => {
  const tools = ['calculator', 'send_email'];

  it('asks for the named tool with its arguments, several in one step', () => {
    const text = 'please [[tool:calculator {"expression":"2+2"}]] and [[tool:send_email {"to":"a@b.c"}]]';
    expect(directedToolCalls(text, tools, false)).toEqual([
      { name: 'calculator', arguments: '{"expression":"2+2"}' },
      { name: 'send_email', arguments: '{"to":"a@b.c"}' },
    ]);
  });

  it('answers in text after a tool result, unless the directive repeats', () => {
    expect(directedToolCalls('[[tool:calculator {"expression":"1"}]]', tools, true)).toEqual([]);
    expect(directedToolCalls('[[tool*:calculator {"expression":"1"}]]', tools, true)).toEqual([{ name: 'calculator', arguments: '{"expression":"1"}' }]);
  });

  it('ignores tools the request does not offer, and defaults the arguments to {}', () => {
    expect(directedToolCalls('[[tool:unknown {"a":1}]] [[tool:calculator]]', tools, false)).toEqual([{ name: 'calculator', arguments: '{}' }]);
  });

  it('puts the results in the answer text', () => {
    expect(toolResultPrompt(['4', 'sent'])).toBe('tool result: 4 | sent');
  });
});
