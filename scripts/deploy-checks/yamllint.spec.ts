import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repoRoot = join(__dirname, '..', '..');
const config = join(repoRoot, '.yamllint');
/** The deployment YAML this suite owns (other YAML in the repository is its owners' business). */
const TARGETS = ['.yamllint', 'docker-compose.yml', '.github', 'deploy', 'helm', 'k8s'];

function yamllint(args: string[]) {
  return spawnSync('yamllint', ['--config-file', config, '--strict', '--format', 'parsable', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
}

const probe = spawnSync('yamllint', ['--version'], { encoding: 'utf8' });
const installed = !probe.error && probe.status === 0;
if (!installed) {
  console.warn('yamllint is not installed: skipping the YAML lint check (apt-get install -y yamllint, or pip install yamllint)');
}

(installed ? describe : describe.skip)('yamllint', () => {
  it('passes on the deployment YAML (Helm templates excluded)', () => {
    const result = yamllint(TARGETS);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('fails on a broken file with the repository configuration', () => {
    const dir = mkdtempSync(join(tmpdir(), 'yamllint-'));
    try {
      const file = join(dir, 'bad.yml');
      writeFileSync(file, 'services:\n  a: 1\n  a: 2\n');
      const result = yamllint([file]);
      expect(result.status).not.toBe(0);
      expect(result.stdout).toContain('key-duplicates');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
