/** Method: pure helpers with literal inputs; SystemOwnerNames over small fixture files. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../lib/clock.js';
import { modeString, parseIdFile, SystemOwnerNames } from './file-info.js';

describe('files: file info', () => {
  it('modeString prints the type and rwx bits as Mesos does (no setuid or sticky letters)', () => {
    expect(modeString(0o100644)).toBe('-rw-r--r--');
    expect(modeString(0o040755)).toBe('drwxr-xr-x');
    expect(modeString(0o041777)).toBe('drwxrwxrwx');
    expect(modeString(0o120777)).toBe('lrwxrwxrwx');
    expect(modeString(0o010600)).toBe('prw-------');
    expect(modeString(0o104755)).toBe('-rwxr-xr-x');
  });

  it('parseIdFile reads names by id, the first name of an id winning', () => {
    expect(parseIdFile('root:x:0:0:root:/root:/bin/sh\n# comment\nalias:x:0:0::/:/bin/sh\nbad:x:nan:1\nalice:x:1000:1000::/home/alice:/bin/sh\n')).toEqual(
      new Map([
        [0, 'root'],
        [1000, 'alice'],
      ]),
    );
  });

  it('SystemOwnerNames names known ids, numbers others, and rereads after a minute', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'berth-names-'));
    const passwd = join(directory, 'passwd');
    const group = join(directory, 'group');
    await writeFile(passwd, 'alice:x:1000:1000::/home/alice:/bin/sh\n');
    await writeFile(group, 'staff:x:50:\n');
    const clock = new FakeClock();
    const names = new SystemOwnerNames(clock, { passwd, group });
    expect((await names.current()).user(1000)).toBe('alice');
    expect((await names.current()).user(1001)).toBe('1001');
    expect((await names.current()).group(50)).toBe('staff');
    await writeFile(passwd, 'bob:x:1001:1001::/home/bob:/bin/sh\n');
    expect((await names.current()).user(1001)).toBe('1001');
    clock.advance(60_000);
    expect((await names.current()).user(1001)).toBe('bob');
    await rm(directory, { recursive: true, force: true });
  });
});
