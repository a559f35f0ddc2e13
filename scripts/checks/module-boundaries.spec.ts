import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * Lint fails on a deliberate violation of each boundary rule. In-memory files placed in each
 * project import every lib (and, for the required examples, test doubles, fixtures and other
 * apps); ESLint with the repository's own config must report exactly the imports the layer table
 * in eslint.config.mjs forbids. The lint runs in a child process (scripts/checks/lint-probes.mjs).
 */

const root = join(__dirname, '..', '..');
const RULE = '@nx/enforce-module-boundaries';
const TAG_CONSTRAINT = /^A project tagged with "[^"]+" can only depend on libs tagged with/;
const CYCLE = /^Circular dependency between/;

interface Project {
  name: string;
  root: string;
  tags: string[];
}
interface DepConstraint {
  sourceTag: string;
  onlyDependOnLibsWithTags?: string[];
}
interface ProbeResult {
  file: string;
  messages: { ruleId: string | null; message: string; line: number }[];
  boundaries: { depConstraints: DepConstraint[] } | null;
}

function projects(): Project[] {
  const roots = ['apps', 'libs'].flatMap((top) => readdirSync(join(root, top)).map((name) => `${top}/${name}`)).concat('e2e', 'prisma');
  return roots.map((projectRoot) => {
    const json = JSON.parse(readFileSync(join(root, projectRoot, 'project.json'), 'utf8')) as { name: string; tags?: string[] };
    return { name: json.name, root: projectRoot, tags: json.tags ?? [] };
  });
}

/** `@conduit/x` → the project whose root holds its entry point (from tsconfig.base.json). */
function aliases(all: Project[]): Map<string, Project> {
  const { paths } = (JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } }).compilerOptions;
  const byAlias = new Map<string, Project>();
  for (const [alias, [target]] of Object.entries(paths)) {
    const owner = all.find((project) => target.startsWith(`${project.root}/`));
    if (owner && !alias.includes('/', '@conduit/'.length)) byAlias.set(alias, owner);
  }
  return byAlias;
}

function lint(probes: { file: string; code: string }[]): ProbeResult[] {
  const output = execFileSync(process.execPath, [join(root, 'scripts', 'checks', 'lint-probes.mjs')], {
    cwd: root,
    input: JSON.stringify(probes),
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(output) as ProbeResult[];
}

const probeFile = (project: Project, suffix = '.ts') => (project.root === 'e2e' ? `e2e/boundary-probe${suffix}` : `${project.root}/src/boundary-probe${suffix}`);
const importing = (specifiers: string[]) =>
  `${specifiers.map((specifier, i) => `import * as probe${i} from '${specifier}';`).join('\n')}\nexport const probes = [${specifiers.map((_, i) => `probe${i}`).join(', ')}];\n`;

describe('module boundaries (eslint.config.mjs)', () => {
  const all = projects();
  const libs = aliases(all);
  /**
   * Per project, in its production code: the `@conduit/*` imports lint refuses by a tag constraint,
   * those it refuses because they would close a cycle of projects (tests count: a lib whose tests
   * use the testing lib is above it), and the rule's options for that code.
   */
  const refused = new Map<string, { imports: string[]; cycles: string[]; constraints: DepConstraint[] }>();
  let required: ProbeResult[] = [];

  beforeAll(() => {
    // The rule reads Nx's cached project graph: make sure it is current.
    execFileSync(join(root, 'node_modules', '.bin', 'nx'), ['show', 'projects'], { cwd: root, env: { ...process.env, NX_DAEMON: 'false' }, stdio: 'ignore' });
    const everyLib = all.map((p) => ({ project: p, specifiers: [...libs].filter(([, lib]) => lib !== p).map(([alias]) => alias) }));
    const matrix = lint(everyLib.map(({ project: p, specifiers }) => ({ file: probeFile(p), code: importing(specifiers) })));
    everyLib.forEach(({ project: p, specifiers }, i) => {
      const { messages, boundaries } = matrix[i];
      const linesOf = (pattern: RegExp) => new Set(messages.filter((m) => m.ruleId === RULE && pattern.test(m.message)).map((m) => m.line - 1));
      const [tagLines, cycleLines] = [linesOf(TAG_CONSTRAINT), linesOf(CYCLE)];
      refused.set(p.name, {
        imports: specifiers.filter((_, line) => tagLines.has(line)),
        cycles: specifiers.filter((_, line) => cycleLines.has(line)),
        constraints: boundaries?.depConstraints ?? [],
      });
    });
    required = lint([
      { file: 'apps/billing/src/boundary-probe.spec.ts', code: importing(['@conduit/mock-llm', '@conduit/testing']) },
      { file: 'apps/api-gateway/src/boundary-probe.int-spec.ts', code: importing(['@conduit/testing']) },
      { file: 'libs/llm/src/testing/boundary-probe.ts', code: importing(['@conduit/mock-llm']) },
      { file: 'e2e/boundary-probe.e2e-spec.ts', code: importing(['@conduit/mock-llm', '@conduit/testing', '@conduit/contracts']) },
      { file: 'e2e/support/boundary-probe.ts', code: importing(['../../apps/api-gateway/src/testing/api-error.assertion']) },
      { file: 'apps/billing/src/boundary-probe.ts', code: importing(['../../api-gateway/src/app.module']) },
      { file: 'libs/budget/src/boundary-probe.ts', code: importing(['../../../apps/billing/src/billing.metrics']) },
    ]);
  }, 120_000);

  const refusedAtAll = (name: string) => [...(refused.get(name)?.imports ?? []), ...(refused.get(name)?.cycles ?? [])];
  const messagesOf = (file: string) => {
    const result = required.find((r) => r.file === file);
    if (!result) throw new Error(`no probe ${file}`);
    return result.messages.map((m) => m.message);
  };

  it('gives every project a type:* and a scope:* tag', () => {
    for (const p of all) {
      expect({ project: p.name, type: p.tags.filter((t) => t.startsWith('type:')).length }).toEqual({ project: p.name, type: 1 });
      expect({ project: p.name, scope: p.tags.filter((t) => t.startsWith('scope:')).length }).toEqual({ project: p.name, scope: 1 });
    }
  });

  it('has a rule for every scope, and lint refuses at least one lib under each (production code)', () => {
    for (const p of all) {
      const scope = p.tags.find((t) => t.startsWith('scope:'));
      const { imports, constraints } = refused.get(p.name) ?? { imports: [], cycles: [], constraints: [] };
      expect({ project: p.name, rule: constraints.some((c) => c.sourceTag === scope) }).toEqual({ project: p.name, rule: true });
      expect({ project: p.name, refused: imports.length > 0 }).toEqual({ project: p.name, refused: true });
    }
  });

  it('refuses exactly the libs outside the scope layer table, for every project', () => {
    for (const p of all) {
      const { imports, cycles, constraints } = refused.get(p.name) ?? { imports: [], cycles: [], constraints: [] };
      const applying = constraints.filter((c) => p.tags.includes(c.sourceTag) && c.onlyDependOnLibsWithTags);
      const allowed = (lib: Project) => applying.every((c) => c.onlyDependOnLibsWithTags?.some((tag) => lib.tags.includes(tag)));
      const expected = [...libs].filter(([alias, lib]) => lib !== p && !cycles.includes(alias) && !allowed(lib)).map(([alias]) => alias);
      expect({ project: p.name, refused: imports }).toEqual({ project: p.name, refused: expected });
    }
  });

  it('keeps mock-llm out of production code: only the mock-llm app may import it', () => {
    // e2e is test code throughout (see the next tests).
    const importers = all.filter((p) => p.name !== 'mock-llm-server' && p.name !== 'e2e' && !refusedAtAll(p.name).includes('@conduit/mock-llm'));
    expect(importers.map((p) => p.name)).toEqual(['mock-llm']);
  });

  it('keeps the testing lib out of production code', () => {
    const importers = all.filter((p) => p.name !== 'testing' && p.name !== 'e2e' && !refusedAtAll(p.name).includes('@conduit/testing'));
    expect(importers.map((p) => p.name)).toEqual([]);
  });

  it('lets tests, test helpers and e2e use mock-llm and the testing lib', () => {
    expect(messagesOf('apps/billing/src/boundary-probe.spec.ts')).toEqual([]);
    expect(messagesOf('apps/api-gateway/src/boundary-probe.int-spec.ts')).toEqual([]);
    expect(messagesOf('libs/llm/src/testing/boundary-probe.ts')).toEqual([]);
    expect(messagesOf('e2e/boundary-probe.e2e-spec.ts')).toEqual([]);
  });

  it('refuses e2e imports from apps/*/src/testing: e2e has its own fixtures', () => {
    expect(messagesOf('e2e/support/boundary-probe.ts')).toEqual([expect.stringMatching(/cannot be imported by a relative or absolute path/)]);
  });

  it('refuses an app importing another app, and a lib importing an app', () => {
    expect(messagesOf('apps/billing/src/boundary-probe.ts')).toEqual([expect.stringMatching(/cannot be imported by a relative or absolute path/)]);
    expect(messagesOf('libs/budget/src/boundary-probe.ts')).toEqual([expect.stringMatching(/cannot be imported by a relative or absolute path/)]);
  });

  it('layers: contracts depend on nothing, infrastructure not on capabilities, capabilities not on each other unless listed', () => {
    expect(refusedAtAll('contracts').sort()).toEqual([...libs.keys()].filter((alias) => alias !== '@conduit/contracts').sort());
    expect(refusedAtAll('queue')).toEqual(expect.arrayContaining(['@conduit/runtime', '@conduit/db', '@conduit/llm']));
    expect(refusedAtAll('runtime')).toEqual(expect.arrayContaining(['@conduit/llm', '@conduit/budget', '@conduit/jobs']));
    expect(refusedAtAll('llm')).toEqual(expect.arrayContaining(['@conduit/budget', '@conduit/embeddings', '@conduit/retrieval']));
    expect(refusedAtAll('billing')).toEqual(expect.arrayContaining(['@conduit/llm', '@conduit/retrieval', '@conduit/vector-store']));
    // The ingestion worker bills its embeddings through the usage producer of @conduit/budget (issue 13), nothing else of it.
    expect(refusedAtAll('ingestion-worker')).toEqual(expect.arrayContaining(['@conduit/llm', '@conduit/retrieval', '@conduit/jobs']));
  });
});
