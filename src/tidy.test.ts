/**
 * Style checks that run with the tests (STYLE.md 20): file budgets and TODOs
 * that name their issue. Lint (eslint, run by `npm test` first) covers the
 * purity of the core and floating promises.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

/** One concept per file: a file this long should be split (STYLE.md 15 budgets ~400; this is the hard line). */
const fileLinesMax = 600;

function sourceFiles(directory: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

const files = [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'test')), ...sourceFiles(join(root, 'bench'))];

describe('tidy', () => {
  it(`keeps every source file under ${fileLinesMax} lines`, () => {
    const long = files
      .map((file) => ({ file: relative(root, file), lines: readFileSync(file, 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > fileLinesMax);
    expect(long).toEqual([]);
  });

  it('has no TODO without the issue it waits for ("TODO(issue N)")', () => {
    const bare = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, index) => ({ file: relative(root, file), line: index + 1, text: line }))
        .filter(({ text }) => /\bTODO\b/.test(text) && !/TODO\(issue \d+\)/.test(text))
        .filter(({ file }) => !file.endsWith('tidy.test.ts')),
    );
    expect(bare).toEqual([]);
  });
});
