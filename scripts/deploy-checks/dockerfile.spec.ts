import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const repoRoot = join(__dirname, '..', '..');

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

/** Splits a Dockerfile into stages of instructions (continuation lines joined, comments dropped). */
function parseDockerfile(text: string): { args: Instruction[]; stages: Stage[] } {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (current === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push(current + line);
    current = '';
  }
  const args: Instruction[] = [];
  const stages: Stage[] = [];
  for (const line of logical) {
    const [keyword, ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      stages.push({ from: m?.[1] ?? '', name: m?.[2] ?? String(stages.length), instructions: [] });
    } else if (stages.length === 0) args.push(instruction);
    else stages[stages.length - 1].instructions.push(instruction);
  }
  return { args, stages };
}

describe('Dockerfile', () => {
  const { args, stages } = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
  const stage = (name: string) => {
    const found = stages.find((s) => s.name === name);
    if (!found) throw new Error(`no stage ${name}: ${stages.map((s) => s.name).join(', ')}`);
    return found;
  };
  const has = (s: Stage, keyword: string, pattern: RegExp) => s.instructions.some((i) => i.keyword === keyword && pattern.test(i.args));
  const last = (s: Stage, keyword: string) => s.instructions.filter((i) => i.keyword === keyword).pop()?.args;

  it('builds on a pinned slim Node 20 base image', () => {
    const nodeImage = args.find((a) => a.args.startsWith('NODE_IMAGE='))?.args.split('=')[1];
    expect(nodeImage).toMatch(/^node:20\.\d+\.\d+-[a-z]+-slim$/);
    for (const s of stages) expect(s.from).toMatch(/^(\$\{NODE_IMAGE\}|base|deps|build)$/);
  });

  it('installs with npm ci, builds, generates the Prisma client and prunes dev dependencies', () => {
    expect(has(stage('deps'), 'RUN', /npm ci\b/)).toBe(true);
    const build = stage('build');
    expect(build.from).toBe('deps');
    expect(has(build, 'RUN', /prisma-generate\.mjs/)).toBe(true);
    expect(has(build, 'RUN', /npm run build/)).toBe(true);
    expect(has(build, 'RUN', /npm prune --omit=dev/)).toBe(true);
  });

  it('has a runtime stage, last so it is the default target, that runs the chosen service as uid 10001', () => {
    const runtime = stages[stages.length - 1];
    expect(runtime.name).toBe('runtime');
    expect(has(runtime, 'ARG', /^SERVICE$/)).toBe(true);
    expect(last(runtime, 'USER')).toBe('10001:10001');
    expect(last(runtime, 'CMD')).toContain('node dist/apps/${SERVICE}/src/main.js');
    expect(has(runtime, 'COPY', /--from=build \/app\/node_modules/)).toBe(true);
    expect(has(runtime, 'RUN', /npm|apt-get/)).toBe(false);
  });

  it('has a node-based HEALTHCHECK on /health (no curl in the slim image)', () => {
    const healthcheck = last(stages[stages.length - 1], 'HEALTHCHECK') ?? '';
    expect(healthcheck).toMatch(/CMD \["node", "-e"/);
    expect(healthcheck).toContain("/health'");
    expect(healthcheck).toContain('process.env.PORT');
    expect(healthcheck).not.toMatch(/curl|wget/);
  });

  it('keeps writable state under /tmp for read-only root filesystems', () => {
    for (const s of [stage('runtime'), stage('migrate')]) {
      expect(has(s, 'ENV', /HOME=\/tmp/)).toBe(true);
      expect(has(s, 'ENV', /NPM_CONFIG_CACHE=\/tmp\/\.npm/)).toBe(true);
    }
  });

  it('has a migrate target with the Prisma CLI, schema and migrations that runs prisma migrate deploy as non-root', () => {
    const migrate = stage('migrate');
    expect(migrate.from).toBe('deps');
    expect(has(migrate, 'COPY', /^prisma \.\/prisma$/)).toBe(true);
    expect(has(migrate, 'COPY', /prisma\.config\.ts/)).toBe(true);
    expect(last(migrate, 'USER')).toBe('10001:10001');
    expect(last(migrate, 'CMD')).toBe('["npx", "prisma", "migrate", "deploy"]');
  });

  it('keeps node_modules, build output and secrets out of the build context', () => {
    const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const entry of ['**/node_modules', 'dist', '.git', '**/.env', 'libs/db/src/generated']) expect(ignored).toContain(entry);
    for (const needed of ['prisma', 'scripts', 'apps', 'libs', 'package.json', 'package-lock.json']) expect(ignored).not.toContain(needed);
  });
});
