#!/usr/bin/env node
// Lints in-memory files with the repository's ESLint config: reads `[{ file, code }]` (paths
// relative to the repository) as JSON on stdin and prints, per file, the lint messages and the
// options of `@nx/enforce-module-boundaries` that apply to it. Jest cannot load ESLint's ESM
// config inside its VM, so scripts/checks/module-boundaries.spec.ts runs this as a process.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const probes = JSON.parse(readFileSync(0, 'utf8'));
const eslint = new ESLint({ cwd: root });
const results = [];
for (const { file, code } of probes) {
  const path = join(root, file);
  const [result] = await eslint.lintText(code, { filePath: path });
  const config = await eslint.calculateConfigForFile(path);
  results.push({
    file,
    messages: result.messages.map(({ ruleId, message, line }) => ({ ruleId, message, line })),
    boundaries: config.rules['@nx/enforce-module-boundaries']?.[1] ?? null,
  });
}
process.stdout.write(JSON.stringify(results));
