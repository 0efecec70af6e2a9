/**
 * POST /api/v1/scheduler (and /master/api/v1/scheduler): the request pipeline
 * of spec/core.md 1.2, steps 4 to 8, in that order; step 9 is the core's.
 * SUBSCRIBE answers 200 with a RecordIO stream; other calls 202 (or the core's
 * status).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decodeJson } from '../../protocol/decode.js';
import { SchedulerCall } from '../../protocol/scheduler.js';
import { checkAcceptsJson, checkJsonContentType } from '../../lib/http/negotiation.js';
import { RecordStream, startStream } from '../../lib/http/record-stream.js';
import { bodyText } from '../../lib/http/server.js';
import { validateSchedulerCall } from '../core/calls/call-validation.js';
import type { Reply } from '../core/events.js';
import type { MasterRuntime } from '../shell/runtime.js';
import { sendReply } from './replies.js';
import { answerNotLeading, noOtherLeader, type LeaderLocator } from './standby.js';

export function registerSchedulerRoutes(app: FastifyInstance, runtime: () => MasterRuntime | undefined, leader: LeaderLocator = noOtherLeader): void {
  for (const url of ['/api/v1/scheduler', '/master/api/v1/scheduler']) {
    app.all(url, (request, reply) => handleSchedulerRequest(request, reply, runtime(), leader));
  }
}

function handleSchedulerRequest(request: FastifyRequest, reply: FastifyReply, runtime: MasterRuntime | undefined, leader: LeaderLocator): void {
  if (runtime === undefined) return answerNotLeading(request, reply, leader);
  if (request.method !== 'POST') {
    return void reply.code(405).header('Allow', 'POST').type('text/plain').send(`Expecting 'POST', received '${request.method}'`);
  }
  const contentType = checkJsonContentType(request.headers['content-type']);
  if (!contentType.ok) return void sendReply(reply, { status: contentType.status, body: contentType.message });
  const decoded = decodeJson(SchedulerCall, bodyText(request.body), 'Call');
  if (!decoded.ok) return void sendReply(reply, { status: 400, body: decoded.error });
  const call = decoded.value;
  const invalid = validateSchedulerCall(call);
  if (invalid !== undefined) return void sendReply(reply, { status: 400, body: `Failed to validate scheduler::Call: ${invalid}` });
  const streamIdHeader = headerValue(request, 'mesos-stream-id');
  if (call.type === 'SUBSCRIBE' || call.type === 'RECONCILE_OPERATIONS') {
    const accept = checkAcceptsJson(request.headers.accept);
    if (!accept.ok) return void sendReply(reply, { status: accept.status, body: accept.message });
  }
  if (call.type === 'SUBSCRIBE') {
    if (streamIdHeader !== undefined) {
      return void sendReply(reply, { status: 400, body: "Subscribe calls should not include the 'Mesos-Stream-Id' header" });
    }
    return subscribe(runtime, reply, call);
  }
  const output = runtime.dispatch({ type: 'scheduler_call', call, streamId: streamIdHeader });
  runtime.whenPerformed(() => sendReply(reply, output.reply ?? { status: 202 }));
}

function subscribe(runtime: MasterRuntime, reply: FastifyReply, call: SchedulerCall): void {
  const subscribeCall = call.subscribe;
  if (subscribeCall === undefined) return void sendReply(reply, { status: 400, body: "Expecting 'subscribe' to be present" });
  reply.hijack();
  const response = reply.raw;
  const connectionId = runtime.newConnectionId('c');
  runtime.dispatch({ type: 'subscribe', connectionId, subscribe: subscribeCall }, (result: Reply | undefined) => {
    startStream(response, { 'Mesos-Stream-Id': result?.streamId ?? '' });
    const stream = new RecordStream(response, () => runtime.dispatch({ type: 'connection_closed', connectionId }));
    runtime.attachStream(connectionId, stream);
  });
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
