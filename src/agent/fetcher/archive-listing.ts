/**
 * Reading and checking an archive's table of contents before anything is
 * extracted (pure). The listing is GNU tar's verbose one, taken with
 * `-P --quoting-style=c --numeric-owner` under LC_ALL=C, so names are shown as
 * stored (leading `/` and `..` kept) and every byte that is not printable ASCII
 * is escaped: the listing is exact, whatever the names hold.
 *
 *   -rw-r--r-- 0/0   3 2024-01-01 00:00 "dir/a b.txt"
 *   lrwxrwxrwx 0/0   0 2024-01-01 00:00 "lnk" -> "a b.txt"
 *   hrw-r--r-- 0/0   0 2024-01-01 00:00 "hard" link to "dir/a b.txt"
 */
import { err, ok, type Result } from '../../lib/result.js';

export type ArchiveEntryType = 'file' | 'directory' | 'symlink' | 'hardlink';

export interface ArchiveEntry {
  readonly name: string;
  readonly type: ArchiveEntryType;
  /** The target of a link, as stored. */
  readonly linkTarget: string | undefined;
}

const entryTypes: Readonly<Record<string, ArchiveEntryType>> = { '-': 'file', d: 'directory', l: 'symlink', h: 'hardlink' };
const otherTypeNames: Readonly<Record<string, string>> = { c: 'character device', b: 'block device', p: 'FIFO', s: 'socket' };

export function parseTarListing(listing: string): Result<ArchiveEntry[]> {
  const entries: ArchiveEntry[] = [];
  for (const line of listing.split('\n')) {
    if (line === '') continue;
    const entry = parseTarListingLine(line);
    if (!entry.ok) return entry;
    entries.push(entry.value);
  }
  return ok(entries);
}

function parseTarListingLine(line: string): Result<ArchiveEntry> {
  const typeChar = line[0] ?? '';
  const quote = line.indexOf('"');
  if (quote < 0) return err(`unexpected tar listing line: ${line}`);
  const name = readCString(line, quote);
  if (name === undefined) return err(`unexpected tar listing line: ${line}`);
  const type = entryTypes[typeChar];
  if (type === undefined) return err(`archive entry '${name.value}' is a ${otherTypeNames[typeChar] ?? `'${typeChar}' entry`}, which is not extracted`);
  const rest = line.slice(name.end);
  if (type !== 'symlink' && type !== 'hardlink') {
    if (rest !== '') return err(`unexpected tar listing line: ${line}`);
    return ok({ name: name.value, type, linkTarget: undefined });
  }
  const separator = type === 'symlink' ? ' -> ' : ' link to ';
  if (!rest.startsWith(`${separator}"`)) return err(`unexpected tar listing line: ${line}`);
  const target = readCString(rest, separator.length);
  if (target === undefined || target.end !== rest.length) return err(`unexpected tar listing line: ${line}`);
  return ok({ name: name.value, type, linkTarget: target.value });
}

const simpleEscapes: Readonly<Record<string, number>> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, '\\': 92, '"': 34, '?': 63 };

/** Decodes the C-quoted string that opens at `start` (a `"`); `end` is the index after its closing quote. */
export function readCString(text: string, start: number): { value: string; end: number } | undefined {
  const bytes: number[] = [];
  let index = start + 1;
  while (index < text.length) {
    const char = text[index] as string;
    if (char === '"') return { value: Buffer.from(bytes).toString('utf8'), end: index + 1 };
    if (char !== '\\') {
      bytes.push(...Buffer.from(char, 'utf8'));
      index++;
      continue;
    }
    const escaped = text[index + 1] ?? '';
    const octal = /^[0-7]{1,3}/.exec(text.slice(index + 1, index + 4))?.[0];
    if (octal !== undefined) {
      bytes.push(parseInt(octal, 8) & 0xff);
      index += 1 + octal.length;
    } else if (simpleEscapes[escaped] !== undefined) {
      bytes.push(simpleEscapes[escaped]);
      index += 2;
    } else {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Refuses an archive that would put anything outside the directory it is
 * extracted into: absolute names, `..` in a name or a hard link target, and
 * symbolic links to absolute paths or above the archive's root.
 */
export function checkArchiveEntries(entries: readonly ArchiveEntry[]): Result<void> {
  for (const entry of entries) {
    const nameProblem = archiveNameProblem(entry.name);
    if (nameProblem !== undefined) return err(`archive entry '${entry.name}' ${nameProblem}`);
    if (entry.type === 'hardlink') {
      const targetProblem = archiveNameProblem(entry.linkTarget ?? '');
      if (targetProblem !== undefined) return err(`archive entry '${entry.name}' is a hard link whose target ${targetProblem}`);
    }
    if (entry.type === 'symlink' && !symlinkStaysInside(entry.name, entry.linkTarget ?? '')) {
      return err(`archive entry '${entry.name}' is a symbolic link out of the sandbox (to '${entry.linkTarget ?? ''}')`);
    }
  }
  return ok(undefined);
}

/**
 * Checks the names of `unzip -Z1`: one per line, control characters shown as
 * ^X (so a name is never split), `.`, `/` and `\` shown as they are stored.
 * A backslash is refused because unzip turns it into `/` for archives made on
 * DOS or Windows.
 */
export function checkZipNames(listing: string): Result<void> {
  for (const name of listing.split('\n')) {
    if (name === '') continue;
    const problem = name.includes('\\') ? 'has a backslash in its name' : archiveNameProblem(name);
    if (problem !== undefined) return err(`archive entry '${name}' ${problem}`);
  }
  return ok(undefined);
}

/** Why a stored name could land outside the extraction directory, or undefined. */
export function archiveNameProblem(name: string): string | undefined {
  if (name === '') return 'has an empty name';
  if (name.includes('\0')) return 'has a NUL in its name';
  if (name.startsWith('/')) return 'has an absolute name';
  if (name.split('/').includes('..')) return "climbs out of the sandbox with '..'";
  return undefined;
}

/** Lexically: an absolute target escapes, and so does one whose `..`s climb above the root. */
export function symlinkStaysInside(name: string, target: string): boolean {
  if (target === '' || target.startsWith('/')) return false;
  const parts = name.split('/').filter((part) => part !== '' && part !== '.');
  parts.pop(); // the link itself
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') parts.push(part);
    else if (parts.pop() === undefined) return false;
  }
  return true;
}
