import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

/** Repository-relative path of a TypeScript file → the repository files it imports. */
export type ImportGraph = Map<string, Set<string>>;

const SOURCE_DIRS = ['apps', 'libs', 'e2e', 'bench', 'scripts'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'generated', 'tmp', 'coverage']);

function tsFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : tsFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const toRepoPath = (root: string, file: string) => relative(root, file).split(sep).join('/');

/**
 * Every import between the repository's own TypeScript files, resolved the way the compiler
 * resolves them (path aliases from tsconfig.base.json included). `import type`, `export … from`,
 * `import()` and `require()` all count: a cycle of type-only imports is still a cycle.
 */
export function importGraph(root: string, dirs: string[] = SOURCE_DIRS): ImportGraph {
  const config = ts.readConfigFile(join(root, 'tsconfig.base.json'), (path) => readFileSync(path, 'utf8'));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const host = ts.createCompilerHost(options);
  const graph: ImportGraph = new Map();
  for (const file of dirs.flatMap((dir) => tsFiles(join(root, dir)))) {
    const targets = new Set<string>();
    for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      const resolved = ts.resolveModuleName(fileName, file, options, host).resolvedModule;
      if (!resolved || resolved.isExternalLibraryImport || resolved.resolvedFileName.endsWith('.d.ts')) continue;
      const target = toRepoPath(root, resolved.resolvedFileName);
      if (!target.startsWith('..')) targets.add(target);
    }
    graph.set(toRepoPath(root, file), targets);
  }
  return graph;
}

/**
 * The graph's cycles: each strongly connected component of two or more nodes (or a node that
 * imports itself), as one cycle through it, found by Tarjan's algorithm. Sorted, so the output
 * is stable.
 */
export function findCycles(graph: ImportGraph): string[][] {
  const seen = new Map<string, { index: number; low: number }>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];

  const visit = (start: string) => {
    // Iterative, so deep import chains do not exhaust the call stack.
    const work: { node: string; marks: { index: number; low: number }; next: Iterator<string> }[] = [];
    const enter = (node: string) => {
      const marks = { index: seen.size, low: seen.size };
      seen.set(node, marks);
      stack.push(node);
      onStack.add(node);
      work.push({ node, marks, next: (graph.get(node) ?? new Set<string>()).values() });
    };
    enter(start);
    for (let frame = work.at(-1); frame; frame = work.at(-1)) {
      const step = frame.next.next();
      if (!step.done) {
        const target = seen.get(step.value);
        if (!target) enter(step.value);
        else if (onStack.has(step.value)) frame.marks.low = Math.min(frame.marks.low, target.index);
        continue;
      }
      work.pop();
      const parent = work.at(-1);
      if (parent) parent.marks.low = Math.min(parent.marks.low, frame.marks.low);
      if (frame.marks.low !== frame.marks.index) continue;
      const component = stack.splice(stack.lastIndexOf(frame.node));
      for (const member of component) onStack.delete(member);
      const selfLoop = graph.get(frame.node)?.has(frame.node) ?? false;
      if (component.length > 1 || selfLoop) components.push(component);
    }
  };
  for (const node of graph.keys()) if (!seen.has(node)) visit(node);
  return components.map((component) => cycleThrough(graph, component)).sort((a, b) => a[0].localeCompare(b[0]));
}

/** One concrete cycle inside a strongly connected component, starting at its smallest member. */
function cycleThrough(graph: ImportGraph, component: string[]): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0];
  // Breadth-first from start back to start, staying inside the component: the shortest cycle.
  const pathTo = new Map<string, string[]>([[start, [start]]]);
  const queue = [start];
  for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
    const path = pathTo.get(node) ?? [];
    for (const target of [...(graph.get(node) ?? [])].sort()) {
      if (target === start) return path;
      if (members.has(target) && !pathTo.has(target)) {
        pathTo.set(target, [...path, target]);
        queue.push(target);
      }
    }
  }
  return [start];
}
