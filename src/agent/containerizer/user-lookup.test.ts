/** Users by name: /etc/passwd lines and `id` output. */
import { describe, expect, it } from 'vitest';
import { UserLookup, parseIdOutput, parsePasswd } from './user-lookup.js';

describe('containerizer: user lookup', () => {
  it('reads uid and gid from passwd lines, skipping malformed ones and keeping the first of a name', () => {
    const users = parsePasswd('root:x:0:0:root:/root:/bin/bash\n# comment\nbroken\nalice:x:1000:1001::/home/alice:/bin/sh\nalice:x:5:5::/:/bin/sh\n');
    expect([...users]).toEqual([
      ['root', { uid: 0, gid: 0 }],
      ['alice', { uid: 1000, gid: 1001 }],
    ]);
  });

  it('reads uid and gid from `id` output', () => {
    expect(parseIdOutput('uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n')).toEqual({ uid: 65534, gid: 65534 });
    expect(parseIdOutput('')).toBeUndefined();
  });

  it('finds root and nobody on this machine, and no user that does not exist', async () => {
    const lookup = new UserLookup();
    expect(lookup.cached('root')).toEqual({ uid: 0, gid: 0 });
    expect((await lookup.lookup('nobody'))?.uid).toBe(65534);
    expect(await lookup.lookup('no-such-user-here')).toBeUndefined();
  });
});
