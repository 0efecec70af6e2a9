/**
 * The legacy storage endpoints (spec/storage.md 5.1): POST /master/reserve,
 * /master/unreserve, /master/create-volumes and /master/destroy-volumes (also
 * without the /master prefix, as Mesos serves its master's routes), with
 * form-encoded bodies. This layer does steps 2-7 in Mesos' order (no master
 * yet, method, body decoding, missing and unparsable parameters) and hands the
 * equivalent v1 operator call to the core, which does steps 8-14 exactly as
 * for POST /api/v1: one set of rules for both APIs.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { assert } from '../../lib/assert.js';
import { bodyText } from '../../lib/http/server.js';
import type { MasterRuntime } from '../shell/runtime.js';
import { sendReply } from './replies.js';
import { answerNotLeading, noOtherLeader, type LeaderLocator } from './standby.js';
import { authenticatedPrincipal } from './authentication.js';
import { legacyStorageCall, legacyStorageEndpoints, type LegacyStorageEndpoint } from './storage-form.js';

export function registerStorageRoutes(app: FastifyInstance, runtime: () => MasterRuntime | undefined, leader: LeaderLocator = noOtherLeader): void {
  for (const endpoint of legacyStorageEndpoints) {
    for (const prefix of ['/master', '']) {
      app.all(`${prefix}/${endpoint}`, (request, reply) => handleStorageRequest(endpoint, request, reply, runtime(), leader));
    }
  }
}

function handleStorageRequest(
  endpoint: LegacyStorageEndpoint,
  request: FastifyRequest,
  reply: FastifyReply,
  runtime: MasterRuntime | undefined,
  leader: LeaderLocator,
): void {
  const principal = authenticatedPrincipal(request);
  if (runtime === undefined) return answerNotLeading(request, reply, leader);
  if (request.method !== 'POST') {
    // libprocess' MethodNotAllowed, word for word.
    const body = `405 Method Not Allowed. Expecting one of { 'POST' }, but received '${request.method}'.`;
    return void reply.code(405).header('Allow', 'POST').type('text/plain; charset=utf-8').send(body);
  }
  const call = legacyStorageCall(endpoint, bodyText(request.body));
  if (!call.ok) return void sendReply(reply, { status: 400, body: call.error });
  const output = runtime.dispatch({ type: 'operator_call', call: call.value, ...(principal !== undefined && { principal }) });
  const answer = output.reply;
  assert(answer !== undefined, `the core answers every ${call.value.type ?? 'storage'} call`);
  runtime.whenPerformed(() => sendReply(reply, answer));
}
