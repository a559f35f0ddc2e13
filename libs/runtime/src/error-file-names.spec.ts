import { readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'generated' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') ? [path.relative(root, full)] : [];
  });
}

/**
 * The naming rule for error files (DEVELOPMENT.md → "Errors"): a file that defines error types is
 * `<module>.exception.ts` (`sessions.exception.ts`, `llm-unavailable.exception.ts`); never
 * `errors.ts`, `*.errors.ts`, `*.error.ts` or `*-error.ts`.
 */
describe('error files', () => {
  it('are named *.exception.ts', () => {
    const files = ['apps', 'libs'].flatMap((top) => sourceFiles(path.join(root, top)));
    expect(files.length).toBeGreaterThan(100);
    expect(files.filter((file) => /(^|[./-])errors?\.ts$/.test(path.basename(file)))).toEqual([]);
  });
});
