/**
 * HTTP Basic authentication of a request against `--credentials`, as
 * libprocess' BasicAuthenticator does it: the `Authorization` header must be
 * exactly `Basic <base64>` (one space, scheme spelled so), the base64 is read
 * leniently (padding ends it, whitespace is skipped, any other stray
 * character fails), and the decoded `principal:secret` must name a known
 * principal and its secret. Any failure is the same 401 with a challenge
 * naming the realm, so a caller learns nothing about which part was wrong.
 *
 * berth differs on one point: the pair is split at the first colon (RFC 7617
 * allows colons in the password). Mesos splits at every colon and refuses
 * more than two parts, so a secret holding a colon could never authenticate.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Credentials } from './credentials.js';

/** The realms of Mesos' master (src/master/constants.hpp), named in the challenge. */
export const readWriteRealm = 'mesos-master-readwrite';
export const readOnlyRealm = 'mesos-master-readonly';

export type BasicAuthentication =
  | { readonly ok: true; readonly principal: string }
  | { readonly ok: false; readonly status: 401; readonly headers: { readonly 'WWW-Authenticate': string } };

/** stout's base64::decode: stops at '=', skips whitespace, refuses other non-alphabet characters. */
function decodeBase64(text: string): Buffer | undefined {
  const beforePadding = text.split('=', 1)[0] ?? '';
  const compact = beforePadding.replace(/[ \t\n\v\f\r]/g, '');
  return /^[A-Za-z0-9+/]*$/.test(compact) ? Buffer.from(compact, 'base64') : undefined;
}

function digest(bytes: Buffer): Buffer {
  return createHash('sha256').update(bytes).digest();
}

/**
 * Compares in time that does not depend on where the secrets differ: both
 * are hashed to equal-length digests first, which timingSafeEqual requires.
 */
function secretsEqual(given: Buffer, expected: Buffer): boolean {
  return timingSafeEqual(digest(given), digest(expected)) && given.length === expected.length;
}

export function authenticateBasic(
  header: string | undefined,
  credentials: Credentials,
  realm: string = readWriteRealm,
): BasicAuthentication {
  const unauthorized: BasicAuthentication = {
    ok: false,
    status: 401,
    headers: { 'WWW-Authenticate': `Basic realm="${realm}"` },
  };
  if (header === undefined) return unauthorized;
  const components = header.split(' ');
  if (components.length !== 2 || components[0] !== 'Basic') return unauthorized;
  const decoded = decodeBase64(components[1] ?? '');
  if (decoded === undefined) return unauthorized;
  const colon = decoded.indexOf(':');
  if (colon < 0) return unauthorized;
  const principalBytes = decoded.subarray(0, colon);
  const principal = principalBytes.toString('utf8');
  // Bytes that are not UTF-8 would decode to replacement characters: never a principal's name.
  if (!Buffer.from(principal, 'utf8').equals(principalBytes)) return unauthorized;
  const expected = credentials.get(principal);
  // An unknown principal still costs one comparison, so timing does not tell known principals apart.
  const isMatch = secretsEqual(decoded.subarray(colon + 1), Buffer.from(expected ?? '', 'utf8'));
  return isMatch && expected !== undefined ? { ok: true, principal } : unauthorized;
}
