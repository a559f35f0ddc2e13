import { join } from 'node:path';
import { findCycles, importGraph, type ImportGraph } from './import-graph';

const repoRoot = join(__dirname, '..', '..');
const graphOf = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges).map(([from, to]) => [from, new Set(to)]));

describe('findCycles', () => {
  it('finds no cycle in a layered graph', () => {
    expect(findCycles(graphOf({ 'a.ts': ['b.ts', 'c.ts'], 'b.ts': ['c.ts'], 'c.ts': [] }))).toEqual([]);
  });

  it('reports a cycle once, as the shortest loop from its first file', () => {
    const graph = graphOf({ 'a.ts': ['b.ts'], 'b.ts': ['c.ts'], 'c.ts': ['a.ts', 'd.ts'], 'd.ts': [] });
    expect(findCycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });

  it('reports separate cycles separately, and a file that imports itself', () => {
    const graph = graphOf({ 'a.ts': ['b.ts'], 'b.ts': ['a.ts'], 'x.ts': ['y.ts'], 'y.ts': ['x.ts'], 's.ts': ['s.ts'] });
    expect(findCycles(graph)).toEqual([['a.ts', 'b.ts'], ['s.ts'], ['x.ts', 'y.ts']]);
  });
});

describe('importGraph of this repository', () => {
  const graph = importGraph(repoRoot);

  it('follows type-only imports and path aliases', () => {
    // libs/queue/src/queue.module.ts has `import type { JobHandler } from './job-handler'`.
    expect(graph.get('libs/queue/src/queue.module.ts')).toContain('libs/queue/src/job-handler.ts');
    expect(graph.get('libs/runtime/src/service-core.module.ts')).toContain('libs/db/src/index.ts');
  });

  it('has no import cycle between files, type-only imports included', () => {
    const cycles = findCycles(graph).map((cycle) => [...cycle, cycle[0]].join(' → '));
    expect(cycles).toEqual([]);
  });
});
