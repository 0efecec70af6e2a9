/**
 * POST /api/v1/executor (and /slave(1)/api/v1/executor): the executor API's
 * request pipeline and status codes (spec/core.md 2.1). SUBSCRIBE answers 200
 * with a RecordIO stream of events; UPDATE, MESSAGE and HEARTBEAT answer 202.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkAcceptsJson, checkJsonContentType } from '../../lib/http/negotiation.js';
import { RecordStream, startStream } from '../../lib/http/record-stream.js';
import { bodyText } from '../../lib/http/server.js';
import { decodeJson } from '../../protocol/decode.js';
import { ExecutorCall } from '../../protocol/executor.js';
import { lookupExecutor } from '../core/custom-executor.js';
import { validateExecutorCall } from '../core/executor-call-validation.js';
import type { ExecutorReply } from '../core/events.js';
import type { AgentRuntime } from './runtime.js';

export function registerExecutorRoutes(app: FastifyInstance, runtime: () => AgentRuntime | undefined): void {
  for (const url of ['/api/v1/executor', '/slave(1)/api/v1/executor']) {
    app.all(url, (request, reply) => handleExecutorRequest(request, reply, runtime()));
  }
}

function handleExecutorRequest(request: FastifyRequest, reply: FastifyReply, runtime: AgentRuntime | undefined): void {
  if (runtime === undefined) return send(reply, { status: 503, body: 'Agent has not finished recovery' });
  if (request.method !== 'POST') {
    return void reply.code(405).header('Allow', 'POST').type('text/plain').send(`Expecting 'POST', received '${request.method}'`);
  }
  const contentType = checkJsonContentType(request.headers['content-type']);
  if (!contentType.ok) return send(reply, { status: contentType.status, body: contentType.message });
  const decoded = decodeJson(ExecutorCall, bodyText(request.body), 'Call');
  if (!decoded.ok) return send(reply, { status: 400, body: decoded.error });
  const call = decoded.value;
  const invalid = validateExecutorCall(call);
  if (invalid !== undefined) return send(reply, { status: 400, body: `Failed to validate Executor::Call: ${invalid}` });
  switch (call.type) {
    case 'HEARTBEAT':
      return send(reply, { status: 202 });
    case 'UNKNOWN':
      return send(reply, { status: 501, body: 'Received an unknown call type' });
    case 'SUBSCRIBE':
      return subscribe(request, reply, runtime, call);
    default:
      return send(reply, runtime.dispatch({ type: 'executor_call', call }) ?? { status: 202 });
  }
}

function subscribe(request: FastifyRequest, reply: FastifyReply, runtime: AgentRuntime, call: ExecutorCall): void {
  const accept = checkAcceptsJson(request.headers.accept);
  if (!accept.ok) return send(reply, { status: accept.status, body: accept.message });
  const unknown = lookupExecutor(runtime.core.state, call);
  if ('status' in unknown) return send(reply, unknown);
  const connectionId = runtime.executorStreams.newConnectionId();
  reply.hijack();
  const response = reply.raw;
  // The stream is in place before the core's events for it are performed (the lookup above
  // and this step run in one turn of the event loop, so the answer cannot change between them).
  startStream(response, {});
  const stream = new RecordStream(response, () => closed());
  runtime.executorStreams.attach(connectionId, stream);
  const closed = (): void => {
    if (runtime.executorStreams.detach(connectionId)) runtime.dispatch({ type: 'executor_closed', connectionId });
  };
  response.on('close', closed);
  runtime.dispatch({ type: 'executor_subscribe', connectionId, call });
}

function send(reply: FastifyReply, result: ExecutorReply): void {
  reply.code(result.status);
  if (result.body === undefined) return void reply.send();
  void reply.type('text/plain; charset=utf-8').send(result.body);
}
