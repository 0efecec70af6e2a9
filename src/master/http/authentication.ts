/**
 * HTTP Basic authentication of operators (--credentials,
 * --authenticate_http_readwrite, --authenticate_http_readonly): before a route
 * looks at anything, a request to a protected endpoint must carry valid
 * credentials, else 401 with the realm's challenge (spec/storage.md 5.1 step
 * 0). The principal it authenticated as travels with the request to the core,
 * where the storage rules and the ACLs read it.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticateBasic, readOnlyRealm, readWriteRealm } from '../auth/basic-auth.js';
import type { HttpAuthentication } from '../auth/http-authentication.js';
import { legacyStorageEndpoints } from './storage-form.js';

/** Mesos' legacy maintenance endpoints, all read-write (its MaintenanceTest.EndpointsBadAuthentication). */
const maintenanceEndpoints = ['maintenance/schedule', 'maintenance/status', 'machine/down', 'machine/up'];

/** Mesos serves /weights and /quota in its read-write realm, reads included. */
const policyEndpoints = ['weights', 'quota'];

const readWritePaths = new Set(['/api/v1', '/master/api/v1', ...[...legacyStorageEndpoints, ...maintenanceEndpoints, ...policyEndpoints].flatMap((name) => [`/master/${name}`, `/${name}`])]);

const readOnlyViews = ['state', 'state.json', 'state-summary', 'slaves', 'frameworks', 'tasks', 'tasks.json', 'roles', 'roles.json', 'flags'];
const readOnlyPaths = new Set(readOnlyViews.flatMap((name) => [`/master/${name}`, `/${name}`]));

const principals = new WeakMap<FastifyRequest, string>();

export function registerAuthentication(app: FastifyInstance, authentication: HttpAuthentication): void {
  if (authentication.readWrite === undefined && authentication.readOnly === undefined) return;
  app.addHook('onRequest', (request, reply, done) => {
    // The route the router chose, not the raw URL: the router decodes %XX, so
    // '/master/%61pi/v1' reaches the handler of '/master/api/v1'.
    const path = request.routeOptions.url ?? '';
    const [credentials, realm] = readWritePaths.has(path)
      ? [authentication.readWrite, readWriteRealm]
      : readOnlyPaths.has(path)
        ? [authentication.readOnly, readOnlyRealm]
        : [undefined, undefined];
    if (credentials === undefined || realm === undefined) return done();
    const result = authenticateBasic(request.headers.authorization, credentials, realm);
    if (!result.ok) return void reply.code(result.status).headers(result.headers).send();
    principals.set(request, result.principal);
    done();
  });
}

/** The principal the request authenticated as; undefined when its endpoint is open. */
export function authenticatedPrincipal(request: FastifyRequest): string | undefined {
  return principals.get(request);
}
