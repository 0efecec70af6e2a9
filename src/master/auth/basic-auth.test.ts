// Method: Authorization headers as curl and browsers send them, and each way
// libprocess' BasicAuthenticator refuses one, against a fixed credentials
// map; every refusal must be the same 401 challenge naming the realm.
import { describe, expect, it } from 'vitest';
import { authenticateBasic, readOnlyRealm, readWriteRealm } from './basic-auth.js';

const credentials = new Map([
  ['ops', 's3cret'],
  ['colon', 'a:b'],
  ['blank', ''],
  ['ünï', 'çødé'],
]);

function basic(pair: string): string {
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
}

const challenge = { ok: false, status: 401, headers: { 'WWW-Authenticate': 'Basic realm="mesos-master-readwrite"' } };

describe('auth: basic', () => {
  it('auth: basic: a known principal with its secret is authenticated (curl -u ops:s3cret)', () => {
    expect(authenticateBasic(basic('ops:s3cret'), credentials)).toEqual({ ok: true, principal: 'ops' });
    expect(authenticateBasic('Basic b3BzOnMzY3JldA==', credentials)).toEqual({ ok: true, principal: 'ops' });
  });

  it('auth: basic: the challenge names the realm, read-write by default', () => {
    expect(readWriteRealm).toBe('mesos-master-readwrite');
    expect(authenticateBasic(undefined, credentials)).toEqual(challenge);
    expect(authenticateBasic(undefined, credentials, readOnlyRealm)).toEqual({
      ...challenge,
      headers: { 'WWW-Authenticate': 'Basic realm="mesos-master-readonly"' },
    });
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['another scheme', 'Bearer abc'],
    ['the scheme in lower case', basic('ops:s3cret').replace('Basic', 'basic')],
    ['two spaces after the scheme', basic('ops:s3cret').replace('Basic ', 'Basic  ')],
    ['a third component', `${basic('ops:s3cret')} extra`],
    ['a character outside base64', 'Basic b3Bz*nMzY3JldA=='],
    ['no colon', basic('ops')],
    ['a wrong secret', basic('ops:s3cre')],
    ['a longer secret', basic('ops:s3cret!')],
    ['an unknown principal', basic('dev:s3cret')],
    ['the secret of another principal', basic('blank:s3cret')],
  ])('auth: basic: refuses %s with the challenge', (_case, header) => {
    expect(authenticateBasic(header, credentials)).toEqual(challenge);
  });

  it('auth: basic: base64 is read as stout reads it: no padding needed, text after "=" ignored', () => {
    const unpadded = basic('ops:s3cret').replace(/=+$/, '');
    expect(authenticateBasic(unpadded, credentials)).toEqual({ ok: true, principal: 'ops' });
    expect(authenticateBasic(`${basic('ops:s3cret')}junk*`, credentials)).toEqual({ ok: true, principal: 'ops' });
  });

  it('auth: basic: an empty secret authenticates with "principal:"', () => {
    expect(authenticateBasic(basic('blank:'), credentials)).toEqual({ ok: true, principal: 'blank' });
  });

  it('auth: basic: berth splits at the first colon, so a secret may hold colons (Mesos refuses it)', () => {
    expect(authenticateBasic(basic('colon:a:b'), credentials)).toEqual({ ok: true, principal: 'colon' });
  });

  it('auth: basic: principals and secrets are UTF-8', () => {
    expect(authenticateBasic(basic('ünï:çødé'), credentials)).toEqual({ ok: true, principal: 'ünï' });
    const latin1 = `Basic ${Buffer.from('ünï:çødé', 'latin1').toString('base64')}`;
    expect(authenticateBasic(latin1, credentials)).toEqual(challenge);
  });
});
