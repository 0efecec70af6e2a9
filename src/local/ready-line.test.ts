// Method: recognise ready lines, then wait on a real log file that another
// timer appends to, as a starting process would.
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testRoot } from '../../test/support/test-root.js';
import { listeningUrl, logSizeBytes, logTail, waitForListeningUrl } from './ready-line.js';

function logFile(): string {
  mkdirSync(testRoot(), { recursive: true });
  return join(mkdtempSync(join(testRoot(), 'local-ready-')), 'process.log');
}

describe('local: ready line', () => {
  it('local: ready line: the master and agent lines give their URL', () => {
    expect(listeningUrl('berth master 5f3c-aa listening on http://127.0.0.1:5050')).toBe('http://127.0.0.1:5050');
    expect(listeningUrl('berth agent listening on http://127.0.0.1:5051\r')).toBe('http://127.0.0.1:5051');
  });

  it('local: ready line: log lines that mention a URL are not ready lines', () => {
    expect(listeningUrl('{"level":30,"url":"http://127.0.0.1:5050","msg":"listening"}')).toBeUndefined();
    expect(listeningUrl('agent listening on http://127.0.0.1:5051')).toBeUndefined();
  });

  it('local: ready line: only output after the offset counts, even a line written in pieces', async () => {
    const path = logFile();
    writeFileSync(path, 'berth master old listening on http://127.0.0.1:1\n');
    const offset = logSizeBytes(path);
    setTimeout(() => appendFileSync(path, 'starting\nberth master new listening on http://127.0.'), 60);
    setTimeout(() => appendFileSync(path, '0.1:2\n'), 160);
    const never = new Promise<void>(() => undefined);
    expect(await waitForListeningUrl(path, offset, never)).toEqual({ ready: true, url: 'http://127.0.0.1:2' });
  });

  it('local: ready line: waiting ends when told to stop, with no URL', async () => {
    const path = logFile();
    const stopped = new Promise<void>((resolve) => setTimeout(resolve, 100));
    expect(await waitForListeningUrl(path, 0, stopped)).toEqual({ ready: false });
  });

  it('local: ready line: the tail is the last non-empty lines after the offset', () => {
    const path = logFile();
    writeFileSync(path, 'before\n');
    const offset = logSizeBytes(path);
    appendFileSync(path, 'one\n\ntwo\nthree\n');
    expect(logTail(path, offset, 2)).toEqual(['two', 'three']);
    expect(logTail(path, offset, 10)).toEqual(['one', 'two', 'three']);
    expect(logTail(join(path, 'missing'), 0, 3)).toEqual([]);
  });
});
