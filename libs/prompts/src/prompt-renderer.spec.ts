import { PromptErrorCode, PromptException } from './prompt.exception';
import { checkPromptSource, compilePrompt } from './prompt-renderer';
import type { PromptVersionRecord } from './prompt.types';

function version(overrides: Partial<PromptVersionRecord> = {}): PromptVersionRecord {
  return {
    templateId: 't',
    name: 'support',
    version: 1,
    messages: [{ role: 'system', content: 'You help {{customer.name}} with {{product}}.{{#vip}} Be extra kind.{{/vip}}' }],
    variables: {
      type: 'object',
      required: ['customer', 'product'],
      properties: {
        customer: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, age: { type: 'integer' } } },
        product: { type: 'string' },
        vip: { type: 'boolean' },
      },
    },
    defaultModel: null,
    params: {},
    tools: null,
    authorId: null,
    commitMessage: '',
    createdAt: new Date(0),
    ...overrides,
  };
}

function errorOf(run: () => unknown): PromptException {
  try {
    run();
  } catch (error) {
    if (error instanceof PromptException) return error;
    throw error;
  }
  throw new Error('expected a PromptException');
}

describe('rendering a prompt version (Mustache, variables checked with the JSON schema by Ajv)', () => {
  it('renders variables as they are (no HTML escaping) and sections', () => {
    const prompt = compilePrompt(version());
    expect(prompt.render({ customer: { name: 'Ada <& "Co">' }, product: 'R&D', vip: true })).toEqual([
      { role: 'system', content: 'You help Ada <& "Co"> with R&D. Be extra kind.' },
    ]);
    expect(prompt.render({ customer: { name: 'Bo' }, product: 'x' })[0]?.content).toBe('You help Bo with x.');
  });

  it.each([
    ['a missing variable', { product: 'x' }, 'conduit.prompt.variables.customer', "Variable 'customer' is required."],
    ['a missing nested variable', { customer: {}, product: 'x' }, 'conduit.prompt.variables.customer.name', "Variable 'customer.name' is required."],
    ['a mistyped variable', { customer: { name: 'Bo', age: 'old' }, product: 'x' }, 'conduit.prompt.variables.customer.age', "Variable 'customer.age' must be integer."],
    ['a mistyped top-level variable', { customer: { name: 'Bo' }, product: 3 }, 'conduit.prompt.variables.product', "Variable 'product' must be string."],
  ])('refuses %s with invalid_prompt_variables naming its path', (_case, variables, param, message) => {
    const error = errorOf(() => compilePrompt(version()).render(variables, 'conduit.prompt.variables'));
    expect(error.code).toBe(PromptErrorCode.InvalidVariables);
    expect(error.details).toEqual({ param });
    expect(error.message).toBe(message);
  });

  it('names array items by index', () => {
    const prompt = compilePrompt(version({ variables: { type: 'object', properties: { items: { type: 'array', items: { type: 'string' } } } } }));
    expect(errorOf(() => prompt.render({ items: ['a', 2] })).details).toEqual({ param: 'variables.items[1]' });
  });

  it('refuses a version whose template does not parse or whose schema does not compile', () => {
    expect(errorOf(() => checkPromptSource([{ role: 'user', content: 'ok' }, { role: 'user', content: 'Hi {{#open}} never closed' }], {})).details).toEqual({ param: 'messages[1].content' });
    expect(errorOf(() => checkPromptSource([{ role: 'user', content: 'ok' }], { type: 'no-such-type' })).details).toEqual({ param: 'variables' });
  });
});
