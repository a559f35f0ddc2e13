import { diffVersions } from './prompt-diff';
import type { PromptVersionRecord } from './prompt.types';

const base: PromptVersionRecord = {
  templateId: 't',
  name: 'support',
  version: 1,
  messages: [{ role: 'system', content: 'Be brief.' }],
  variables: {},
  defaultModel: 'default',
  params: { temperature: 0.2 },
  tools: null,
  authorId: null,
  commitMessage: 'first',
  createdAt: new Date(0),
};

describe('diffing two versions', () => {
  it('lists what changed field by field, messages by position, and nothing for equal versions', () => {
    expect(diffVersions(base, { ...base, version: 2, commitMessage: 'same content' })).toEqual([]);
    const next: PromptVersionRecord = {
      ...base,
      version: 2,
      messages: [{ role: 'system', content: 'Be thorough.' }, { role: 'user', content: '{{q}}' }],
      defaultModel: null,
      params: { temperature: 0.2, max_tokens: 100 },
    };
    expect(diffVersions(base, next)).toEqual([
      { path: 'messages[0].content', change: 'changed', from: 'Be brief.', to: 'Be thorough.' },
      { path: 'messages[1]', change: 'added', to: { role: 'user', content: '{{q}}' } },
      { path: 'default_model', change: 'removed', from: 'default' },
      { path: 'params.max_tokens', change: 'added', to: 100 },
    ]);
  });
});
