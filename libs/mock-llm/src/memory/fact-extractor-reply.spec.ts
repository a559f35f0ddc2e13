import { factExtractorReply } from './fact-extractor-reply';

const prompt = (memories: unknown[], user: string) =>
  ['Conduit memory extractor v1', 'Existing memories (JSON):', JSON.stringify(memories), 'Turn (JSON):', JSON.stringify({ user, assistant: 'ok' })].join('\n');
const ops = (text: string | undefined) => (JSON.parse(text ?? '') as { operations: unknown[] }).operations;

describe('factExtractorReply', () => {
  it('is not an extractor reply without the header line', () => {
    expect(factExtractorReply('I prefer tea')).toBeUndefined();
  });

  it('extracts preferences, profile facts and projects as adds', () => {
    expect(ops(factExtractorReply(prompt([], "My name is Sam. I prefer green tea! I'm working on Conduit.")))).toEqual([
      { op: 'add', kind: 'profile', content: 'Name is Sam' },
      { op: 'add', kind: 'preference', content: 'Prefers green tea' },
      { op: 'add', kind: 'project', content: 'Working on Conduit' },
    ]);
  });

  it('answers a changed fact as an update of its memory (or delete + add on the directive), a repeated one as an add', () => {
    const memories = [{ id: 'm1', kind: 'preference', content: 'Prefers tea' }];
    expect(ops(factExtractorReply(prompt(memories, 'Actually I prefer coffee.')))).toEqual([{ op: 'update', id: 'm1', kind: 'preference', content: 'Prefers coffee' }]);
    expect(ops(factExtractorReply(prompt(memories, 'I prefer coffee [[memory:delete-add]]')))).toEqual([
      { op: 'delete', id: 'm1' },
      { op: 'add', kind: 'preference', content: 'Prefers coffee' },
    ]);
    expect(ops(factExtractorReply(prompt(memories, 'I prefer tea.')))).toEqual([{ op: 'add', kind: 'preference', content: 'Prefers tea' }]);
  });

  it('deletes on "forget that", and answers malformed or wrongly shaped output on directives', () => {
    const memories = [{ id: 'm1', kind: 'preference', content: 'Prefers tea' }, { id: 'm2', kind: 'project', content: 'Working on a blog' }];
    expect(ops(factExtractorReply(prompt(memories, 'Forget that I prefer tea.')))).toEqual([{ op: 'delete', id: 'm1' }]);
    expect(ops(factExtractorReply(prompt(memories, 'please forget about the blog')))).toEqual([{ op: 'delete', id: 'm2' }]);
    expect(() => JSON.parse(factExtractorReply(prompt(memories, 'x [[memory:malformed]]')) ?? '')).toThrow();
    expect(ops(factExtractorReply(prompt(memories, 'x [[memory:invalid]]')))).toEqual([{ op: 'replace', content: 'everything' }]);
  });
});
