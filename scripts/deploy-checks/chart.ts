import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Repository root (this file lives in scripts/deploy-checks). */
export const repoRoot = resolve(__dirname, '..', '..');
export const chartDir = join(repoRoot, 'helm', 'conduit');
export const helmScript = join(repoRoot, 'scripts', 'helm.sh');
export const fullValuesFile = join(chartDir, 'ci', 'full-values.yaml');
export const k8sValuesFile = join(chartDir, 'ci', 'k8s-values.yaml');

export interface CommandResult {
  status: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[]): CommandResult {
  const result = spawnSync(command, args, {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  if (result.error) throw result.error;
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/** Runs helm through scripts/helm.sh (PATH, or the binary shipped in node_modules). */
export function helm(args: string[]): CommandResult {
  return run('bash', [helmScript, ...args]);
}

export interface StagedChart {
  /** Path of the staged chart directory. */
  dir: string;
  /** Dependencies dropped from Chart.yaml because they are not vendored in charts/. */
  removed: string[];
  cleanup(): void;
}

/**
 * Copies the chart to a scratch directory without the dependencies that are not vendored
 * (see stage-chart.mjs: helm refuses to lint or render a chart whose dependency is missing,
 * even when its condition is false, and `helm dependency build` needs the network).
 */
export function stageChart(source: string = chartDir): StagedChart {
  const root = mkdtempSync(join(tmpdir(), 'conduit-chart-'));
  const dest = join(root, 'conduit');
  const result = run(process.execPath, [join(__dirname, 'stage-chart.mjs'), source, dest]);
  if (result.status !== 0) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`stage-chart.mjs failed: ${result.stderr}`);
  }
  const { removed } = JSON.parse(result.stdout) as { removed: string[] };
  return { dir: dest, removed, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export interface RenderOptions {
  release?: string;
  namespace?: string;
  valuesFiles?: string[];
  set?: Record<string, string>;
}

function valueArgs(options: RenderOptions): string[] {
  const args: string[] = [];
  for (const file of options.valuesFiles ?? []) args.push('--values', file);
  for (const [key, value] of Object.entries(options.set ?? {})) args.push('--set', `${key}=${value}`);
  return args;
}

/** `helm template`; returns the command result without throwing so callers can assert failures. */
export function templateChart(dir: string, options: RenderOptions = {}): CommandResult {
  return helm([
    'template',
    options.release ?? 'conduit',
    dir,
    '--namespace',
    options.namespace ?? 'conduit',
    '--skip-tests',
    ...valueArgs(options),
  ]);
}

/** `helm template` that throws with helm's message when rendering fails. */
export function renderChart(dir: string, options: RenderOptions = {}): string {
  const result = templateChart(dir, options);
  if (result.status !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return result.stdout;
}

export function lintChart(dir: string, options: RenderOptions = {}): CommandResult {
  return helm(['lint', '--strict', dir, '--namespace', options.namespace ?? 'conduit', ...valueArgs(options)]);
}
