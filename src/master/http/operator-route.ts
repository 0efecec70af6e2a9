/**
 * POST /api/v1 (and /master/api/v1): the operator API (spec/core.md 6.1). The
 * same pipeline as the scheduler endpoint, with Accept negotiated for every
 * call. Process-level calls are answered here; calls on the cluster's state go
 * to the core; SUBSCRIBE opens an event stream.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decodeJson } from '../../protocol/decode.js';
import { OperatorCall } from '../../protocol/operator.js';
import { checkAcceptsJson, checkJsonContentType } from '../../lib/http/negotiation.js';
import { RecordStream, startStream } from '../../lib/http/record-stream.js';
import { bodyText } from '../../lib/http/server.js';
import { getFlags, getVersion } from '../views/v1.js';
import { getMetrics } from '../views/metrics.js';
import type { MasterRuntime } from '../shell/runtime.js';
import { metricsSnapshot } from './metrics-snapshot.js';
import { sendReply } from './replies.js';
import { answerNotLeading, noOtherLeader, type LeaderLocator } from './standby.js';
import { authenticatedPrincipal } from './authentication.js';
import { viewerFor } from '../core/operator/viewer.js';

export function registerOperatorRoutes(app: FastifyInstance, runtime: () => MasterRuntime | undefined, leader: LeaderLocator = noOtherLeader): void {
  for (const url of ['/api/v1', '/master/api/v1']) {
    app.all(url, (request, reply) => handleOperatorRequest(request, reply, runtime(), leader));
  }
}

function handleOperatorRequest(request: FastifyRequest, reply: FastifyReply, runtime: MasterRuntime | undefined, leader: LeaderLocator): void {
  if (runtime === undefined) return answerNotLeading(request, reply, leader);
  if (request.method !== 'POST') {
    return void reply.code(405).header('Allow', 'POST').type('text/plain').send(`Expecting 'POST', received '${request.method}'`);
  }
  const contentType = checkJsonContentType(request.headers['content-type']);
  if (!contentType.ok) return void sendReply(reply, { status: contentType.status, body: contentType.message });
  const decoded = decodeJson(OperatorCall, bodyText(request.body), 'Call');
  if (!decoded.ok) return void sendReply(reply, { status: 400, body: decoded.error });
  const accept = checkAcceptsJson(request.headers.accept);
  if (!accept.ok) return void sendReply(reply, { status: accept.status, body: accept.message });
  const call = decoded.value;
  const state = runtime.core.state;
  switch (call.type) {
    case undefined:
      return void sendReply(reply, { status: 400, body: "Failed to validate master::Call: Expecting 'type' to be present" });
    case 'GET_HEALTH':
      return void sendReply(reply, { status: 200, body: { type: 'GET_HEALTH', get_health: { healthy: true } } });
    case 'GET_FLAGS':
      if (!viewerFor(state.acls, authenticatedPrincipal(request)).mayViewFlags()) return void sendReply(reply, { status: 403 });
      return void sendReply(reply, { status: 200, body: { type: 'GET_FLAGS', get_flags: getFlags(state) } });
    case 'GET_VERSION':
      return void sendReply(reply, { status: 200, body: { type: 'GET_VERSION', get_version: getVersion() } });
    case 'GET_METRICS':
      return void sendReply(reply, { status: 200, body: { type: 'GET_METRICS', get_metrics: getMetrics(metricsSnapshot(runtime)) } });
    case 'GET_LOGGING_LEVEL':
      return void sendReply(reply, { status: 200, body: { type: 'GET_LOGGING_LEVEL', get_logging_level: { level: 0 } } });
    case 'SET_LOGGING_LEVEL':
    case 'LIST_FILES':
    case 'READ_FILE':
      return void sendReply(reply, { status: 501, body: `berth does not support ${call.type} on the master yet` });
    case 'SUBSCRIBE':
      return subscribeOperator(runtime, reply, authenticatedPrincipal(request));
    default: {
      const principal = authenticatedPrincipal(request);
      const output = runtime.dispatch({ type: 'operator_call', call, ...(principal !== undefined && { principal }) });
      runtime.whenPerformed(() => sendReply(reply, output.reply ?? { status: 200 }));
    }
  }
}

/** The principal decides, under --acls, what the stream shows (view_frameworks, view_tasks, ...). */
function subscribeOperator(runtime: MasterRuntime, reply: FastifyReply, principal: string | undefined): void {
  reply.hijack();
  const response = reply.raw;
  const connectionId = runtime.newConnectionId('o');
  runtime.dispatch({ type: 'operator_subscribe', connectionId, ...(principal !== undefined && { principal }) }, () => {
    startStream(response, {});
    runtime.attachStream(connectionId, new RecordStream(response, () => runtime.dispatch({ type: 'connection_closed', connectionId })));
  });
}
