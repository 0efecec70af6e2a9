/**
 * From the master's authentication flags to what the HTTP layer needs: the
 * credentials each realm checks against, or none when the realm is open.
 * Mirrors the master's startup order and wording (src/master/master.cpp):
 * credentials are loaded first, then the read-only realm, then the read-write
 * one; a realm that must authenticate without credentials is an error.
 */
import { err, ok, type Result } from '../../lib/result.js';
import { readOnlyRealm, readWriteRealm } from './basic-auth.js';
import { loadCredentials, type Credentials } from './credentials.js';

export interface HttpAuthenticationFlags {
  readonly credentials: string | undefined;
  readonly authenticate_http_readwrite: boolean;
  readonly authenticate_http_readonly: boolean;
}

export interface HttpAuthentication {
  /** Everything `--credentials` holds; undefined without the flag. */
  readonly credentials: Credentials | undefined;
  /** What read-write endpoints check (e.g. /master/reserve, /api/v1); undefined: open. */
  readonly readWrite: Credentials | undefined;
  /** What read-only endpoints check (e.g. /master/state); undefined: open. */
  readonly readOnly: Credentials | undefined;
}

function missingCredentials(realm: string): string {
  return (
    "Failed to create HTTP authenticator module 'basic': No credentials provided for the default 'basic' " +
    `HTTP authenticator for realm '${realm}'`
  );
}

export function compileHttpAuthentication(
  flags: HttpAuthenticationFlags,
  readFile: (path: string) => string,
): Result<HttpAuthentication, string> {
  let credentials: Credentials | undefined;
  if (flags.credentials !== undefined) {
    const loaded = loadCredentials(flags.credentials, readFile);
    if (!loaded.ok) return loaded;
    credentials = loaded.value;
  }
  if (flags.authenticate_http_readonly && credentials === undefined) return err(missingCredentials(readOnlyRealm));
  if (flags.authenticate_http_readwrite && credentials === undefined) return err(missingCredentials(readWriteRealm));
  return ok({
    credentials,
    readWrite: flags.authenticate_http_readwrite ? credentials : undefined,
    readOnly: flags.authenticate_http_readonly ? credentials : undefined,
  });
}
