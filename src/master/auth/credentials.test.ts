// Method: parse the --credentials forms Mesos reads (JSON; the text form of
// Mesos up to 1.10) and each refusal by its message; loading goes through an
// injected reader, so the path handling is checked without files.
import { describe, expect, it } from 'vitest';
import { err } from '../../lib/result.js';
import { credentialsPath, loadCredentials, parseCredentials, type Credentials } from './credentials.js';

function parsed(text: string): Credentials {
  const result = parseCredentials(text);
  if (!result.ok) throw new Error(`expected credentials to parse, got: ${result.error}`);
  return result.value;
}

describe('auth: credentials: JSON', () => {
  it("auth: credentials: JSON: Mesos' --credentials help example", () => {
    expect(parsed('{"credentials": [{"principal": "sherman", "secret": "kitesurf"}]}')).toEqual(new Map([['sherman', 'kitesurf']]));
  });

  it('auth: credentials: JSON: an absent secret is the empty string; no list is no credentials', () => {
    expect(parsed('{"credentials": [{"principal": "a"}, {"principal": "b", "secret": "s"}]}')).toEqual(
      new Map([
        ['a', ''],
        ['b', 's'],
      ]),
    );
    expect(parsed('{}')).toEqual(new Map());
    expect(parsed('{"credentials": []}')).toEqual(new Map());
  });

  it('auth: credentials: JSON: broken JSON is reported as JSON', () => {
    expect(parseCredentials('{"credentials": [')).toMatchObject({ ok: false, error: expect.stringMatching(/^Invalid json format: /) });
  });

  it('auth: credentials: JSON: a credential without principal names the field', () => {
    expect(parseCredentials('{"credentials": [{"secret": "s"}]}')).toEqual(
      err('Failed to parse credentials: Failed to convert JSON into Credentials protobuf: Missing required fields: credentials.0.principal'),
    );
  });

  it('auth: credentials: JSON: a principal given twice is refused', () => {
    expect(parseCredentials('{"credentials": [{"principal": "a", "secret": "1"}, {"principal": "a", "secret": "2"}]}')).toEqual(
      err("Failed to parse credentials: principal 'a' is given more than once"),
    );
  });

  it('auth: credentials: JSON: an empty file has no credential', () => {
    expect(parseCredentials('')).toEqual(err('Credentials file must contain at least one credential'));
    expect(parseCredentials(' \n')).toEqual(err('Credentials file must contain at least one credential'));
  });
});

describe('auth: credentials: text', () => {
  it('auth: credentials: text: one "principal secret" pair per line, blank lines and extra spaces skipped', () => {
    expect(parsed('ops s3cret\n\nadmin  hunter2\n')).toEqual(
      new Map([
        ['ops', 's3cret'],
        ['admin', 'hunter2'],
      ]),
    );
  });

  it('auth: credentials: text: a line without exactly two tokens names its number', () => {
    expect(parseCredentials('ops s3cret\nadmin\n')).toEqual(err('Invalid credential format at line 2'));
    expect(parseCredentials('a b c')).toEqual(err('Invalid credential format at line 1'));
  });
});

describe('auth: credentials: load', () => {
  it('auth: credentials: load: the flag value is a path, file:// dropped as stout does', () => {
    expect(credentialsPath('file:///etc/berth/credentials')).toBe('/etc/berth/credentials');
    expect(credentialsPath('/etc/berth/credentials')).toBe('/etc/berth/credentials');
  });

  it('auth: credentials: load: reads the named file', () => {
    const files = new Map([['/etc/creds', '{"credentials":[{"principal":"ops","secret":"s"}]}']]);
    const read = (path: string) => files.get(path) ?? '';
    expect(loadCredentials('file:///etc/creds', read)).toEqual({ ok: true, value: new Map([['ops', 's']]) });
  });

  it('auth: credentials: load: errors point at the flag', () => {
    const missing = () => {
      throw new Error('ENOENT: no such file or directory');
    };
    expect(loadCredentials('/etc/creds', missing)).toEqual(
      err("Failed to read credentials file '/etc/creds': ENOENT: no such file or directory (see --credentials flag)"),
    );
    expect(loadCredentials('/etc/creds', () => '')).toEqual(
      err('Credentials file must contain at least one credential (see --credentials flag)'),
    );
  });
});
