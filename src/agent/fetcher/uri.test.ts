/** Method: each kind of URI and output_file, valid and not, through the pure parsers. */
import { describe, expect, it } from 'vitest';
import type { FetchUri } from '../containerizer/types.js';
import { archiveKind, fetchedFileName, parseFetchSource, validateOutputFile } from './uri.js';

function uri(value: string, outputFile?: string): FetchUri {
  return { value, executable: false, extract: false, cache: false, outputFile };
}

describe('fetcher: URIs', () => {
  it('reads absolute paths, file:// and http(s):// URLs', () => {
    expect(parseFetchSource('/opt/app.tgz')).toEqual({ ok: true, value: { kind: 'local', path: '/opt/app.tgz' } });
    expect(parseFetchSource('  /opt/app.tgz')).toEqual({ ok: true, value: { kind: 'local', path: '/opt/app.tgz' } });
    expect(parseFetchSource('file:///opt/my%20app.tgz')).toEqual({ ok: true, value: { kind: 'local', path: '/opt/my app.tgz' } });
    expect(parseFetchSource('file://localhost/opt/a')).toEqual({ ok: true, value: { kind: 'local', path: '/opt/a' } });
    const http = parseFetchSource('https://example.com/a/b.tgz?x=1');
    expect(http.ok && http.value.kind).toBe('http');
  });

  it('refuses what it cannot fetch', () => {
    expect(parseFetchSource('s3://bucket/key')).toEqual({ ok: false, error: "unsupported URI scheme 's3'" });
    expect(parseFetchSource('file://otherhost/x')).toEqual({ ok: false, error: "file URL on another host 'otherhost'" });
    expect(parseFetchSource('app.tgz').ok).toBe(false);
    expect(parseFetchSource('http://[bad/x')).toEqual({ ok: false, error: 'malformed URL' });
  });

  it("names the file after the URI's last segment, or output_file", () => {
    const name = (value: string, outputFile?: string): unknown => {
      const source = parseFetchSource(value);
      if (!source.ok) return source.error;
      const result = fetchedFileName(uri(value, outputFile), source.value);
      return result.ok ? result.value : result.error;
    };
    expect(name('http://h/dir/app%201.tgz?version=2')).toBe('app 1.tgz');
    expect(name('/srv/files/tool')).toBe('tool');
    expect(name('http://h/')).toBe('the URI names no file (set output_file)');
    expect(name('http://h/', 'index.html')).toBe('index.html');
    expect(name('http://h/a', './bin//tool')).toBe('bin/tool');
  });

  it('validates output_file', () => {
    expect(validateOutputFile('a/b')).toEqual({ ok: true, value: 'a/b' });
    expect(validateOutputFile('')).toEqual({ ok: false, error: 'output_file is empty' });
    expect(validateOutputFile('/abs').ok).toBe(false);
    expect(validateOutputFile('a/../../b').ok).toBe(false);
    expect(validateOutputFile('dir/').ok).toBe(false);
    expect(validateOutputFile('.').ok).toBe(false);
  });

  it('knows archives by extension', () => {
    expect(['a.tar', 'a.tar.gz', 'a.TGZ', 'a.tar.bz2', 'a.tbz2', 'a.tar.xz', 'a.txz', 'a.zip', 'a.gz', 'a.txt', '.tar'].map(archiveKind)).toEqual([
      'tar',
      'tar.gz',
      'tar.gz',
      'tar.bz2',
      'tar.bz2',
      'tar.xz',
      'tar.xz',
      'zip',
      'gz',
      undefined,
      undefined,
    ]);
  });
});
