/**
 * Method: listing lines as GNU tar prints them (taken from real runs of
 * `tar -tvP --quoting-style=c --numeric-owner` under LC_ALL=C), and names and
 * link targets chosen to sit on each side of every rule.
 */
import { describe, expect, it } from 'vitest';
import { archiveNameProblem, checkArchiveEntries, checkZipNames, parseTarListing, symlinkStaysInside } from './archive-listing.js';

describe('fetcher: tar listing', () => {
  it('reads names, types and link targets exactly, escapes included', () => {
    const listing = [
      'drwxr-xr-x 0/0               0 2026-11-21 14:56 "./"',
      '-rw-r--r-- 0/0               3 2026-11-21 14:56 "./a b.txt"',
      'lrwxrwxrwx 0/0               0 2026-11-21 14:56 "./lnk" -> "a b.txt"',
      '-rw-r--r-- 0/0               1 2026-11-21 14:56 "./new\\nline"',
      'hrw-r--r-- 0/0               0 2026-11-21 14:56 "./hard" link to "./a b.txt"',
      '-rw-r--r-- 0/0               2 2026-11-21 14:56 "./d/\\303\\251\\"q"',
      '',
    ].join('\n');
    const parsed = parseTarListing(listing);
    expect(parsed).toEqual({
      ok: true,
      value: [
        { name: './', type: 'directory', linkTarget: undefined },
        { name: './a b.txt', type: 'file', linkTarget: undefined },
        { name: './lnk', type: 'symlink', linkTarget: 'a b.txt' },
        { name: './new\nline', type: 'file', linkTarget: undefined },
        { name: './hard', type: 'hardlink', linkTarget: './a b.txt' },
        { name: './d/é"q', type: 'file', linkTarget: undefined },
      ],
    });
  });

  it('refuses devices and FIFOs', () => {
    const parsed = parseTarListing('crw-r--r-- 0/0             1,3 2026-11-21 14:56 "null"');
    expect(parsed).toEqual({ ok: false, error: "archive entry 'null' is a character device, which is not extracted" });
    expect(parseTarListing('prw-r--r-- 0/0 0 2026-11-21 14:56 "fifo"').ok).toBe(false);
  });

  it('refuses a line it cannot read rather than guess', () => {
    expect(parseTarListing('-rw-r--r-- 0/0 3 2026-11-21 14:56 unquoted').ok).toBe(false);
    expect(parseTarListing('-rw-r--r-- 0/0 3 2026-11-21 14:56 "open').ok).toBe(false);
    expect(parseTarListing('lrwxrwxrwx 0/0 0 2026-11-21 14:56 "l" => "x"').ok).toBe(false);
  });
});

describe('fetcher: archive entry rules', () => {
  it('refuses absolute names and .. components, and allows dots that are not ..', () => {
    expect(archiveNameProblem('/etc/passwd')).toBe('has an absolute name');
    expect(archiveNameProblem('../x')).toBe("climbs out of the sandbox with '..'");
    expect(archiveNameProblem('a/../../x')).toBe("climbs out of the sandbox with '..'");
    expect(archiveNameProblem('a/..')).toBe("climbs out of the sandbox with '..'");
    expect(archiveNameProblem('./a/..b/c...')).toBeUndefined();
    expect(archiveNameProblem('')).toBe('has an empty name');
  });

  it('keeps symbolic links inside the archive root', () => {
    expect(symlinkStaysInside('a/b/link', '../c')).toBe(true);
    expect(symlinkStaysInside('a/b/link', '../../c')).toBe(true);
    expect(symlinkStaysInside('a/b/link', '../../../c')).toBe(false);
    expect(symlinkStaysInside('./link', '..')).toBe(false);
    expect(symlinkStaysInside('link', '/etc')).toBe(false);
    expect(symlinkStaysInside('link', '')).toBe(false);
  });

  it('checks hard link targets like names', () => {
    const checked = checkArchiveEntries([{ name: 'h', type: 'hardlink', linkTarget: '../../etc/shadow' }]);
    expect(checked).toEqual({ ok: false, error: "archive entry 'h' is a hard link whose target climbs out of the sandbox with '..'" });
  });

  it('checks zip names, refusing backslashes', () => {
    expect(checkZipNames('a\nb/c\n').ok).toBe(true);
    expect(checkZipNames('a\n../b\n')).toEqual({ ok: false, error: "archive entry '../b' climbs out of the sandbox with '..'" });
    expect(checkZipNames('..\\b\n')).toEqual({ ok: false, error: "archive entry '..\\b' has a backslash in its name" });
  });
});
