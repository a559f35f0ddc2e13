import { memoryHash, normaliseMemory } from './memory-content';
import { reconcile } from './reconcile';

const existing = [
  { id: 'a', kind: 'preference', content: 'Prefers tea' },
  { id: 'b', kind: 'profile', content: 'Name is Sam' },
];

describe('reconcile', () => {
  it('treats the same fact (case, spacing, final punctuation aside) as a duplicate: a no-op, never a delete', () => {
    expect(normaliseMemory('  Prefers   TEA. ')).toBe('prefers tea');
    expect(memoryHash('prefers tea!')).toBe(memoryHash('Prefers tea'));
    const plan = reconcile(existing, [{ op: 'add', kind: 'preference', content: 'prefers tea.' }]);
    expect(plan).toEqual({ adds: [], updates: [], deletes: [], noops: 1 });
  });

  it('ignores a delete of a fact the same answer restates (mem0#1674)', () => {
    const plan = reconcile(existing, [
      { op: 'delete', id: 'a' },
      { op: 'add', kind: 'preference', content: 'Prefers tea' },
    ]);
    expect(plan.deletes).toEqual([]);
    expect(plan.adds).toEqual([]);
  });

  it('updates in place, and keeps the new fact when the id is unknown (an update never only deletes)', () => {
    expect(reconcile(existing, [{ op: 'update', id: 'a', kind: 'preference', content: 'Prefers coffee' }]).updates).toEqual([
      { id: 'a', kind: 'preference', content: 'Prefers coffee', hash: memoryHash('Prefers coffee') },
    ]);
    const unknown = reconcile(existing, [{ op: 'update', id: 'zzz', kind: 'preference', content: 'Prefers coffee' }]);
    expect(unknown.updates).toEqual([]);
    expect(unknown.adds.map((a) => a.content)).toEqual(['Prefers coffee']);
  });

  it('an update to a fact another memory holds drops only the stale memory', () => {
    const plan = reconcile(existing, [{ op: 'update', id: 'a', kind: 'profile', content: 'Name is Sam' }]);
    expect(plan).toMatchObject({ adds: [], updates: [], deletes: ['a'] });
  });

  it('deletes known ids once; unknown ids are no-ops; delete + add of a contradiction both apply', () => {
    const plan = reconcile(existing, [
      { op: 'delete', id: 'a' },
      { op: 'delete', id: 'a' },
      { op: 'delete', id: 'nope' },
      { op: 'add', kind: 'preference', content: 'Prefers coffee' },
    ]);
    expect(plan.deletes).toEqual(['a']);
    expect(plan.adds.map((a) => a.content)).toEqual(['Prefers coffee']);
    expect(plan.noops).toBe(2);
  });

  it('adds the same new fact once', () => {
    const plan = reconcile([], [
      { op: 'add', kind: 'project', content: 'Working on X' },
      { op: 'add', kind: 'project', content: 'working on x.' },
    ]);
    expect(plan.adds).toHaveLength(1);
  });
});
