/**
 * The legacy JSON endpoints tools read (spec/core.md 6.4): /master/state,
 * /master/state-summary, /master/slaves, /master/frameworks, /master/tasks,
 * /master/roles, /master/flags, /master/weights, /master/quota, /master/health,
 * /master/redirect and /metrics/snapshot, each also without the /master
 * prefix where Mesos serves it so. State endpoints support ?jsonp=. With
 * --acls they show only what the request's principal may view.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { answerNotLeading, noOtherLeader, type LeaderLocator } from './standby.js';
import { stringifyAscii } from '../../lib/json-ascii.js';
import {
  flagsJson,
  frameworksJson,
  masterStateJson,
  rolesJson,
  slavesJson,
  stateSummaryJson,
  tasksJson,
  weightsJson,
  quotaJson,
} from '../views/legacy.js';
import type { MasterState } from '../core/state.js';
import type { MasterRuntime } from '../shell/runtime.js';
import { metricsSnapshot } from './metrics-snapshot.js';
import { sendJsonView } from './replies.js';
import { authenticatedPrincipal } from './authentication.js';
import { viewerFor, type Viewer } from '../core/operator/viewer.js';

type Query = Record<string, string | undefined>;
/** `viewer`: what the request's principal may view under --acls (view_frameworks, view_tasks, ...). */
type View = (state: MasterState, query: Query, viewer: Viewer) => unknown;

const stateViews: Record<string, View> = {
  state: (state, _query, viewer) => masterStateJson(state, { viewer, showFlags: viewer.mayViewFlags() }),
  'state.json': (state, _query, viewer) => masterStateJson(state, { viewer, showFlags: viewer.mayViewFlags() }),
  'state-summary': (state, _query, viewer) => stateSummaryJson(state, viewer),
  slaves: (state, query) => slavesJson(state, query),
  frameworks: (state, query, viewer) => frameworksJson(state, query, viewer),
  tasks: (state, query, viewer) => tasksJson(state, query, viewer),
  'tasks.json': (state, query, viewer) => tasksJson(state, query, viewer),
  roles: (state, _query, viewer) => rolesJson(state, viewer),
  'roles.json': (state, _query, viewer) => rolesJson(state, viewer),
  flags: (state) => flagsJson(state),
  weights: (state, _query, viewer) => weightsJson(state, viewer),
  quota: (state, _query, viewer) => quotaJson(state, viewer),
};

export function registerLegacyRoutes(app: FastifyInstance, runtime: () => MasterRuntime | undefined, leader: LeaderLocator = noOtherLeader): void {
  for (const [name, view] of Object.entries(stateViews)) {
    for (const prefix of ['/master', '']) {
      app.get(`${prefix}/${name}`, (request, reply) => {
        const current = runtime();
        if (current === undefined) return answerNotLeading(request, reply, leader);
        current.whenPerformed(() => serveView(request, reply, current, view));
      });
    }
  }
  for (const url of ['/master/health', '/health']) app.get(url, (_request, reply) => void reply.code(200).send());
  for (const url of ['/master/redirect', '/redirect']) {
    app.get(url, (_request, reply) => {
      const info = runtime()?.core.state.info;
      const elsewhere = leader();
      if (info !== undefined) return void reply.code(307).header('Location', `//${info.hostname}:${info.port}`).send();
      if (elsewhere !== undefined) return void reply.code(307).header('Location', `//${new URL(elsewhere).host}`).send();
      void reply.code(503).type('text/plain').send('No leader elected');
    });
  }
  // A redirect to a sub-path would loop between masters, so Mesos answers 404.
  app.get('/master/redirect/*', (_request, reply) => void reply.code(404).send());
  app.get('/metrics/snapshot', (_request, reply) => {
    const current = runtime();
    if (current === undefined) return void reply.code(503).type('text/plain').send('Master has not finished recovery');
    void reply.type('application/json').send(stringifyAscii(metricsSnapshot(current)));
  });
}

function serveView(request: FastifyRequest, reply: FastifyReply, runtime: MasterRuntime, view: View): void {
  const query = request.query as Query;
  const state = runtime.core.state;
  const viewer = viewerFor(state.acls, authenticatedPrincipal(request));
  // /flags is refused whole, as Mesos does; /state leaves the flags out instead.
  if (view === stateViews['flags'] && !viewer.mayViewFlags()) return void reply.code(403).send();
  sendJsonView(reply, query, view(state, query, viewer));
}
