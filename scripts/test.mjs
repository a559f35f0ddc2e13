#!/usr/bin/env node
// `npm test`: typecheck, lint, build, then every jest tier (unit, integration against real
// Postgres/Redis, end-to-end with the services as processes). Ends with one line
// `tests: N passed, N failed` and a non-zero exit on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const env = { ...process.env, NX_DAEMON: 'false', NODE_ENV: 'test', FORCE_COLOR: process.env.CI ? '0' : '1' };
const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('--'));
const skipStatic = args.includes('--no-static');

function step(title, command, commandArgs) {
  console.log(`\n== ${title}`);
  const started = Date.now();
  const result = spawnSync(command, commandArgs, { cwd: root, env, stdio: 'inherit' });
  console.log(`== ${title}: ${result.status === 0 ? 'ok' : 'FAILED'} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return result.status === 0;
}

let failedSteps = 0;
if (!skipStatic) {
  if (!step('prisma generate', 'node', ['scripts/prisma-generate.mjs'])) failedSteps += 1;
  if (!step('typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit'])) failedSteps += 1;
  if (!step('nx project graph', bin('nx'), ['show', 'projects'])) failedSteps += 1;
  if (!step('lint', bin('eslint'), ['.', '--max-warnings=0'])) failedSteps += 1;
}
if (!step('build', 'node', ['scripts/build.mjs'])) failedSteps += 1;

const resultsFile = join(root, 'tmp', 'jest-results.json');
mkdirSync(dirname(resultsFile), { recursive: true });
rmSync(resultsFile, { force: true });
const jestArgs = ['--json', `--outputFile=${resultsFile}`, '--forceExit'];
if (only.length > 0) jestArgs.push('--selectProjects', ...only);
step('jest', bin('jest'), jestArgs);

let passed = 0;
let failed = 0;
if (existsSync(resultsFile)) {
  const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  passed = results.numPassedTests;
  failed = results.numFailedTests;
  // A suite that fails to load, or whose beforeAll/afterAll hook fails, can have no failed test
  // but must still fail the run.
  const brokenSuites = results.testResults.filter(
    (suite) => suite.status === 'failed' && !suite.assertionResults.some((test) => test.status === 'failed'),
  );
  for (const suite of brokenSuites) console.log(`suite failed to run: ${suite.name}\n${suite.message}`);
  failed += brokenSuites.length;
  if (results.numTotalTests === 0) failed += 1;
} else {
  failed += 1;
}
failed += failedSteps;
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
