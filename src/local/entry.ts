/**
 * Where the `berth` CLI's compiled entry is, so that `berth local` and the test
 * fixture run `node <entry> master ...` directly: no shell, no PATH lookup, and
 * the same build as the caller.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const entryInPackage = join('dist', 'src', 'cli', 'main.js');

/**
 * Compiled, this module is `<repo>/dist/src/local/entry.js`; under vitest it is
 * `<repo>/src/local/entry.ts`. Either way the entry is `<repo>/dist/src/cli/main.js`.
 */
export function cliEntryPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const compiledSibling = resolve(here, '..', 'cli', 'main.js');
  if (here.endsWith(join('dist', 'src', 'local')) && existsSync(compiledSibling)) return compiledSibling;
  return resolve(here, '..', '..', entryInPackage);
}
