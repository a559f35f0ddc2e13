#!/usr/bin/env node
// Compiles apps/*/src and libs/*/src to dist/ with SWC (decorator metadata on, path aliases
// rewritten to relative requires). Type checking is `npm run typecheck`; this only emits.
import { readFileSync, readdirSync, mkdirSync, writeFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformFile } from '@swc/core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');
const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8'));
const swcrc = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;

const skip = /\.(spec|int-spec|e2e-spec)\.ts$|\.d\.ts$/;

function* sources(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith('.ts') && !skip.test(entry.name)) yield path;
  }
}

const roots = ['apps', 'libs'].flatMap((top) =>
  readdirSync(join(root, top))
    .map((name) => join(root, top, name, 'src'))
    .filter((dir) => {
      try {
        return statSync(dir).isDirectory();
      } catch {
        return false;
      }
    }),
);

const started = Date.now();
rmSync(out, { recursive: true, force: true });
let count = 0;
const files = roots.flatMap((dir) => [...sources(dir)]);
const batch = 32;
for (let i = 0; i < files.length; i += batch) {
  await Promise.all(
    files.slice(i, i + batch).map(async (file) => {
      const { code, map } = await transformFile(file, {
        ...swcrc,
        swcrc: false,
        filename: file,
        sourceFileName: relative(join(out, relative(root, dirname(file))), file),
        jsc: { ...swcrc.jsc, baseUrl: root, paths: tsconfig.compilerOptions.paths },
      });
      const target = join(out, relative(root, file)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, map ? `${code}\n//# sourceMappingURL=${target.split('/').pop()}.map\n` : code);
      if (map) writeFileSync(`${target}.map`, map);
      count += 1;
    }),
  );
}
console.log(`build: ${count} files compiled to dist/ in ${Date.now() - started} ms`);
