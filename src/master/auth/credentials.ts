/**
 * The `--credentials` file: principals and their secrets, for HTTP Basic
 * authentication of operators (and later of frameworks and agents).
 *
 * The flag is a path, as in Mesos (`/path` or `file:///path`); the file holds
 * `{"credentials": [{"principal": "p", "secret": "s"}]}`. Mesos up to 1.10
 * also read a text form, one `principal secret` pair per line; 1.11 dropped
 * it. berth still reads it, because deployment scripts write it, but only
 * when the file does not start with `{`: JSON that fails to parse is reported
 * as JSON rather than re-read as text, which in 1.10 turned a typo into a
 * baffling "Invalid credential format at line 1".
 */
import { z } from 'zod';
import { err, ok, type Result } from '../../lib/result.js';
import { decodeValue } from '../../protocol/decode.js';

/** Secret by principal. */
export type Credentials = ReadonlyMap<string, string>;

const fileUrlPrefix = 'file://';

const credentialsSchema = z.object({
  credentials: z.array(z.object({ principal: z.string(), secret: z.string().optional() })).optional(),
});

/** The file's path from the flag's value: stout's Path drops a `file://` prefix. */
export function credentialsPath(flagValue: string): string {
  return flagValue.startsWith(fileUrlPrefix) ? flagValue.slice(fileUrlPrefix.length) : flagValue;
}

/**
 * Parses the file's contents. A principal given twice is refused (Mesos keeps
 * the last one silently). An absent secret is the empty string, as in Mesos.
 */
export function parseCredentials(text: string): Result<Credentials, string> {
  if (text.trim() === '') return err('Credentials file must contain at least one credential');
  const pairs = text.trimStart().startsWith('{') ? parseJsonCredentials(text) : parseTextCredentials(text);
  if (!pairs.ok) return pairs;
  const credentials = new Map<string, string>();
  for (const [principal, secret] of pairs.value) {
    if (credentials.has(principal)) return err(`Failed to parse credentials: principal '${principal}' is given more than once`);
    credentials.set(principal, secret);
  }
  return ok(credentials);
}

function parseJsonCredentials(text: string): Result<[string, string][], string> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return err(`Invalid json format: ${(error as Error).message}`);
  }
  const decoded = decodeValue(credentialsSchema, json, 'Credentials');
  if (!decoded.ok) return err(`Failed to parse credentials: ${decoded.error}`);
  return ok((decoded.value.credentials ?? []).map(({ principal, secret }) => [principal, secret ?? '']));
}

/** Mesos 1.10's text form: non-empty lines split on '\n', each exactly two tokens split on ' '. */
function parseTextCredentials(text: string): Result<[string, string][], string> {
  const pairs: [string, string][] = [];
  for (const line of text.split('\n').filter((part) => part !== '')) {
    const tokens = line.split(' ').filter((part) => part !== '');
    const [principal, secret] = tokens;
    if (tokens.length !== 2 || principal === undefined || secret === undefined) {
      return err(`Invalid credential format at line ${pairs.length + 1}`);
    }
    pairs.push([principal, secret]);
  }
  return ok(pairs);
}

/**
 * Reads and parses the file the flag names. Errors are the one line the
 * master exits with, worded as Mesos words them.
 */
export function loadCredentials(flagValue: string, readFile: (path: string) => string): Result<Credentials, string> {
  const path = credentialsPath(flagValue);
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    return err(`Failed to read credentials file '${path}': ${(error as Error).message} (see --credentials flag)`);
  }
  const credentials = parseCredentials(text);
  return credentials.ok ? credentials : err(`${credentials.error} (see --credentials flag)`);
}
