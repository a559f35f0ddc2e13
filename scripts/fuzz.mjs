#!/usr/bin/env node
// `npm run fuzz -- --cases N --seed S`: builds, starts the platform exactly as the e2e fuzz suite does
// (e2e/fuzz.e2e-spec.ts, through jest), sends N generated hostile requests from seed S, and prints a
// summary: cases, seed, failures (each with the request that caused it), duration. Exit 1 on any failure.
// Needs DATABASE_URL and REDIS_URL like `npm test`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
function option(name, fallback) {
  const at = args.indexOf(`--${name}`);
  if (at === -1) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`fuzz: --${name} takes a non-negative integer`);
    process.exit(2);
  }
  return value;
}
const cases = option('cases', 1_000);
const seed = option('seed', Math.floor(Math.random() * 2 ** 31));
const summaryFile = join(tmpdir(), `conduit-fuzz-${process.pid}.json`);
const env = { ...process.env, NX_DAEMON: 'false', NODE_ENV: 'test', FUZZ_CASES: String(cases), FUZZ_SEED: String(seed), FUZZ_SUMMARY_FILE: summaryFile };

console.log(`fuzz: ${cases} cases, seed ${seed}`);
const build = spawnSync('node', ['scripts/build.mjs'], { cwd: root, env, stdio: 'inherit' });
if (build.status !== 0) process.exit(1);
const jest = spawnSync(join(root, 'node_modules', '.bin', 'jest'), ['--selectProjects', 'e2e', '--runTestsByPath', 'e2e/fuzz.e2e-spec.ts', '--forceExit'], {
  cwd: root,
  env,
  stdio: 'inherit',
});
if (!existsSync(summaryFile)) {
  console.log(`\nfuzz: no summary (the platform did not start, or the run broke off); jest exited ${jest.status}`);
  process.exit(1);
}
const summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
rmSync(summaryFile, { force: true });
for (const failure of summary.failures) {
  console.log(`\n#${failure.index}: ${failure.problem}\n  request:  ${failure.request}\n  response: ${failure.response}`);
}
const statuses = Object.entries(summary.statuses).map(([status, n]) => `${status}×${n}`).join(' ');
console.log(`\nfuzz: ${summary.cases} cases, seed ${summary.seed}, ${summary.failures.length} failures, ${(summary.durationMs / 1000).toFixed(1)} s (slowest answer ${summary.slowestMs} ms)`);
console.log(`fuzz: statuses ${statuses}`);
console.log(`fuzz: replay with \`npm run fuzz -- --cases ${summary.cases} --seed ${summary.seed}\``);
process.exit(summary.failures.length === 0 && jest.status === 0 ? 0 : 1);
