import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');

interface LintMessage {
  ruleId: string | null;
  message: string;
}
interface ProbeResult {
  messages: LintMessage[];
  /** The options of `@nx/enforce-module-boundaries` that apply to the probe. */
  boundaries: { depConstraints: { sourceTag: string; notDependOnLibsWithTags?: string[] }[] } | null;
}

/**
 * Lints source texts as if they were files at the given paths (relative to the repository), with
 * the repository's ESLint config, through scripts/checks/lint-probes.mjs (the config is ESM, which
 * jest's module system does not load). The boundary rule reads Nx's project graph from its cache,
 * which `nx show projects` writes, as `npm run lint` does.
 */
function lint(probes: { file: string; code: string }[]): ProbeResult[] {
  execFileSync(path.join(root, 'node_modules', '.bin', 'nx'), ['show', 'projects'], { cwd: root, env: { ...process.env, NX_DAEMON: 'false' }, stdio: 'ignore' });
  const output = execFileSync(process.execPath, [path.join(root, 'scripts', 'checks', 'lint-probes.mjs')], { cwd: root, input: JSON.stringify(probes), encoding: 'utf8' });
  return JSON.parse(output) as ProbeResult[];
}

/**
 * Billing prices usage with `@conduit/budget` and never loads the provider SDKs: lint refuses
 * `@conduit/llm` anywhere in apps/billing — directly (billing's row of the scope table in
 * eslint.config.mjs) and through every library billing uses (`scope:billing` ↛ `scope:llm`, a
 * transitive ban, so that adding `llm` to budget's row would fail billing's lint).
 */
describe('billing may not depend on the LLM library', () => {
  it('fails lint on an import of @conduit/llm from apps/billing, and not on the price list of @conduit/budget', () => {
    const probe = 'apps/billing/src/boundary-probe.ts';
    const [llm, budget, webhooks] = lint([
      { file: probe, code: "import { LlmGateway } from '@conduit/llm';\nexport const gateway = LlmGateway;\n" },
      { file: probe, code: "import { PriceBook } from '@conduit/budget';\nexport const prices = PriceBook;\n" },
      // Billing delivers every webhook: the libs that takes (and what they use) do not reach @conduit/llm either.
      { file: probe, code: "import { DeliveryStore } from '@conduit/webhooks';\nimport { jobWebhookEvent } from '@conduit/jobs';\nexport const used = [DeliveryStore, jobWebhookEvent];\n" },
    ]);
    const boundary = (result: ProbeResult) => result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
    // Nx reports the first constraint an import breaks: here billing's row of the table.
    expect(boundary(llm)).toEqual([expect.stringMatching(/^A project tagged with "scope:billing" can (only|not) depend on libs tagged with/)]);
    expect(boundary(llm)[0]).not.toContain('"scope:llm"');
    // The transitive ban applies to billing's code, and @conduit/budget (and everything it uses) does not reach @conduit/llm.
    expect(llm.boundaries?.depConstraints).toContainEqual({ sourceTag: 'scope:billing', notDependOnLibsWithTags: ['scope:llm'] });
    expect(boundary(budget)).toEqual([]);
    expect(boundary(webhooks)).toEqual([]);
  }, 60_000);
});
