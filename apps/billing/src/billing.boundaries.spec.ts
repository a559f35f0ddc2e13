import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');

interface LintMessage {
  ruleId: string | null;
  severity: number;
  message: string;
}

/**
 * Lints source texts as if they were files at the given paths, with the repository's ESLint
 * config, through ESLint's Node API in a child process (the config is ESM, which jest's module
 * system does not load). The boundary rule reads Nx's project graph from its cache, which
 * `nx show projects` writes, as `npm run lint` does.
 */
function lint(files: { filePath: string; code: string }[]): LintMessage[][] {
  const env = { ...process.env, NX_DAEMON: 'false' };
  execFileSync(path.join(root, 'node_modules', '.bin', 'nx'), ['show', 'projects'], { cwd: root, env, stdio: 'ignore' });
  const script = `
    import { ESLint } from 'eslint';
    const files = JSON.parse(await new Promise((resolve) => { let text = ''; process.stdin.on('data', (c) => (text += c)).on('end', () => resolve(text)); }));
    const eslint = new ESLint({ cwd: process.cwd() });
    const out = [];
    for (const file of files) out.push((await eslint.lintText(file.code, { filePath: file.filePath }))[0].messages);
    process.stdout.write(JSON.stringify(out));`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, env, input: JSON.stringify(files) });
  return JSON.parse(output.toString()) as LintMessage[][];
}

/**
 * Billing prices usage with `@conduit/budget` and never loads the provider SDKs: lint refuses
 * `@conduit/llm` anywhere in apps/billing (eslint.config.mjs, `scope:billing` ↛ `scope:llm`,
 * checked through every library billing uses).
 */
describe('billing may not depend on the LLM library', () => {
  it('fails lint on an import of @conduit/llm from apps/billing, and not on the price list of @conduit/budget', () => {
    const probe = path.join(root, 'apps', 'billing', 'src', 'boundary-probe.ts');
    const [llm, budget] = lint([
      { filePath: probe, code: "import { LlmGateway } from '@conduit/llm';\nexport const gateway = LlmGateway;\n" },
      { filePath: probe, code: "import { PriceBook } from '@conduit/budget';\nexport const prices = PriceBook;\n" },
    ]);
    const boundary = (messages: LintMessage[]) => messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries');
    expect(boundary(llm)).toEqual([
      expect.objectContaining({ severity: 2, message: expect.stringContaining('"scope:billing" can not depend on libs tagged with "scope:llm"') }),
    ]);
    // @conduit/budget (and everything it uses) does not reach @conduit/llm either.
    expect(boundary(budget)).toEqual([]);
  }, 60_000);
});
