/** Method: passwd text in, ids or a reason out; plus one real lookup of a user every Debian has. */
import { describe, expect, it } from 'vitest';
import { findUser, lookupUser } from './users.js';

const passwd = ['root:x:0:0:root:/root:/bin/bash', 'svc:x:1001:1002::/home/svc:/bin/sh', 'broken:x::5::/:/bin/sh', ''].join('\n');

describe('fetcher: users', () => {
  it('finds a user by name', () => {
    expect(findUser(passwd, 'svc')).toEqual({ ok: true, value: { name: 'svc', uid: 1001, gid: 1002 } });
    expect(findUser(passwd, 'root')).toEqual({ ok: true, value: { name: 'root', uid: 0, gid: 0 } });
  });

  it('names an unknown user and a malformed entry', () => {
    expect(findUser(passwd, 'sv')).toEqual({ ok: false, error: "unknown user 'sv'" });
    expect(findUser(passwd, 'broken')).toEqual({ ok: false, error: "malformed passwd entry for user 'broken'" });
  });

  it('reads /etc/passwd', async () => {
    expect(await lookupUser('root')).toEqual({ ok: true, value: { name: 'root', uid: 0, gid: 0 } });
  });
});
