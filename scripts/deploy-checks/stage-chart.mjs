#!/usr/bin/env node
// Copies a Helm chart to a scratch directory and drops the Chart.yaml dependencies that are not
// vendored in its charts/ folder, so that `helm lint` and `helm template` work without network.
// Helm refuses a chart whose declared dependency is missing from charts/ even when the
// dependency's condition is false; after `helm dependency update` nothing is dropped and the
// real sub-chart is rendered.
//
// Usage: node scripts/deploy-checks/stage-chart.mjs <chartDir> <destDir>
// Prints JSON: {"dir": "<destDir>", "removed": ["qdrant", ...]}
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';

const [chartDir, destDir] = process.argv.slice(2);
if (!chartDir || !destDir) {
  console.error('usage: stage-chart.mjs <chartDir> <destDir>');
  process.exit(2);
}

rmSync(destDir, { recursive: true, force: true });
cpSync(chartDir, destDir, { recursive: true });

const chartYaml = join(destDir, 'Chart.yaml');
const doc = parseDocument(readFileSync(chartYaml, 'utf8'));
const deps = doc.toJS().dependencies ?? [];
const chartsDir = join(destDir, 'charts');
const vendored = existsSync(chartsDir) ? readdirSync(chartsDir) : [];
const isVendored = (name) =>
  vendored.some((entry) => entry === name || (entry.startsWith(`${name}-`) && entry.endsWith('.tgz')));

const removed = deps.filter((dep) => !isVendored(dep.name)).map((dep) => dep.name);
if (removed.length > 0) {
  const kept = deps.filter((dep) => isVendored(dep.name));
  if (kept.length === 0) doc.delete('dependencies');
  else doc.set('dependencies', kept);
  writeFileSync(chartYaml, doc.toString());
  // A Chart.lock that still lists the dropped dependencies would make helm complain.
  rmSync(join(destDir, 'Chart.lock'), { force: true });
}

process.stdout.write(`${JSON.stringify({ dir: destDir, removed })}\n`);
