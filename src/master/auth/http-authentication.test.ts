// Method: every combination of the authentication flags, as the master would
// compile them at startup, with an injected file reader.
import { describe, expect, it } from 'vitest';
import { err } from '../../lib/result.js';
import { compileHttpAuthentication, type HttpAuthenticationFlags } from './http-authentication.js';

const file = '{"credentials":[{"principal":"ops","secret":"s"}]}';
const read = (path: string): string => {
  if (path !== '/etc/creds') throw new Error('ENOENT: no such file or directory');
  return file;
};
const credentials = new Map([['ops', 's']]);

function flags(overrides: Partial<HttpAuthenticationFlags>): HttpAuthenticationFlags {
  return { credentials: undefined, authenticate_http_readwrite: false, authenticate_http_readonly: false, ...overrides };
}

describe('auth: http authentication', () => {
  it('auth: http authentication: without flags every realm is open', () => {
    expect(compileHttpAuthentication(flags({}), read)).toEqual({
      ok: true,
      value: { credentials: undefined, readWrite: undefined, readOnly: undefined },
    });
  });

  it('auth: http authentication: credentials alone load but open no realm', () => {
    expect(compileHttpAuthentication(flags({ credentials: '/etc/creds' }), read)).toEqual({
      ok: true,
      value: { credentials, readWrite: undefined, readOnly: undefined },
    });
  });

  it('auth: http authentication: each realm flag closes its realm', () => {
    const both = compileHttpAuthentication(
      flags({ credentials: 'file:///etc/creds', authenticate_http_readwrite: true, authenticate_http_readonly: true }),
      read,
    );
    expect(both).toEqual({ ok: true, value: { credentials, readWrite: credentials, readOnly: credentials } });
    const readWrite = compileHttpAuthentication(flags({ credentials: '/etc/creds', authenticate_http_readwrite: true }), read);
    expect(readWrite).toEqual({ ok: true, value: { credentials, readWrite: credentials, readOnly: undefined } });
  });

  it('auth: http authentication: a closed realm without credentials is the error Mesos exits with', () => {
    expect(compileHttpAuthentication(flags({ authenticate_http_readwrite: true }), read)).toEqual(
      err(
        "Failed to create HTTP authenticator module 'basic': No credentials provided for the default 'basic' " +
          "HTTP authenticator for realm 'mesos-master-readwrite'",
      ),
    );
    expect(compileHttpAuthentication(flags({ authenticate_http_readonly: true, authenticate_http_readwrite: true }), read)).toMatchObject(
      err(expect.stringMatching(/realm 'mesos-master-readonly'$/)),
    );
  });

  it('auth: http authentication: a credentials file that cannot be read comes first', () => {
    expect(compileHttpAuthentication(flags({ credentials: '/nowhere', authenticate_http_readwrite: true }), read)).toEqual(
      err("Failed to read credentials file '/nowhere': ENOENT: no such file or directory (see --credentials flag)"),
    );
  });
});
