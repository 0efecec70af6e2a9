/**
 * The internal master-agent protocol, version 1 (docs/protocol.md):
 * POST /internal/v1/link opens the master-to-agent stream with a
 * (re-)registration; POST /internal/v1/message carries one agent-to-master
 * message in its (agent id, epoch, sequence number) envelope, and
 * POST /internal/v1/messages several consecutive ones of a link.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decodeJson } from '../../protocol/decode.js';
import { AgentMessageBatch, AgentMessageEnvelope, LinkRequest } from '../../protocol/internal.js';
import { checkJsonContentType } from '../../lib/http/negotiation.js';
import { RecordStream, startStream } from '../../lib/http/record-stream.js';
import { bodyText } from '../../lib/http/server.js';
import type { Reply } from '../core/events.js';
import type { MasterRuntime } from '../shell/runtime.js';
import { sendReply } from './replies.js';

export function registerInternalRoutes(app: FastifyInstance, runtime: () => MasterRuntime | undefined): void {
  app.post('/internal/v1/link', (request, reply) => link(request, reply, runtime()));
  app.post('/internal/v1/message', (request, reply) => message(request, reply, runtime()));
  app.post('/internal/v1/messages', (request, reply) => messages(request, reply, runtime()));
}

function link(request: FastifyRequest, reply: FastifyReply, runtime: MasterRuntime | undefined): void {
  if (runtime === undefined) return void sendReply(reply, { status: 503, body: 'Master has not finished recovery' });
  const contentType = checkJsonContentType(request.headers['content-type']);
  if (!contentType.ok) return void sendReply(reply, { status: contentType.status, body: contentType.message });
  const decoded = decodeJson(LinkRequest, bodyText(request.body), 'LinkRequest');
  if (!decoded.ok) return void sendReply(reply, { status: 400, body: decoded.error });
  reply.hijack();
  const response = reply.raw;
  const linkId = runtime.newConnectionId('l');
  runtime.dispatch({ type: 'agent_link', linkId, request: decoded.value }, (result: Reply | undefined) => {
    if (result?.status !== 200) {
      response.writeHead(result?.status ?? 500, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(typeof result?.body === 'string' ? result.body : '');
      return;
    }
    startStream(response, {});
    runtime.attachLink(linkId, new RecordStream(response, () => runtime.dispatch({ type: 'agent_link_closed', linkId })));
  });
}

function message(request: FastifyRequest, reply: FastifyReply, runtime: MasterRuntime | undefined): void {
  if (runtime === undefined) return void sendReply(reply, { status: 503, body: 'Master has not finished recovery' });
  const contentType = checkJsonContentType(request.headers['content-type']);
  if (!contentType.ok) return void sendReply(reply, { status: contentType.status, body: contentType.message });
  const decoded = decodeJson(AgentMessageEnvelope, bodyText(request.body), 'AgentMessage');
  if (!decoded.ok) return void sendReply(reply, { status: 400, body: decoded.error });
  const output = runtime.dispatch({ type: 'agent_message', envelope: decoded.value });
  runtime.whenPerformed(() => sendReply(reply, output.reply ?? { status: 202 }));
}

/**
 * A batch is applied message by message, as if each had come alone. Only a
 * 409 (a stale link or epoch, a gap in sequence numbers) ends it and is the
 * answer: nothing after it can apply on this link, and the agent links again.
 * Any other refusal concerns that one message: the core consumed its sequence
 * number (it applies each once, refused or not), so it is logged and the batch
 * goes on; stopping there would leave the rest unapplied while the agent,
 * having its batch answered, would not send them again.
 */
function messages(request: FastifyRequest, reply: FastifyReply, runtime: MasterRuntime | undefined): void {
  if (runtime === undefined) return void sendReply(reply, { status: 503, body: 'Master has not finished recovery' });
  const contentType = checkJsonContentType(request.headers['content-type']);
  if (!contentType.ok) return void sendReply(reply, { status: contentType.status, body: contentType.message });
  const decoded = decodeJson(AgentMessageBatch, bodyText(request.body), 'AgentMessageBatch');
  if (!decoded.ok) return void sendReply(reply, { status: 400, body: decoded.error });
  const { agent_id, epoch } = decoded.value;
  for (const { seq, message } of decoded.value.messages) {
    const output = runtime.dispatch({ type: 'agent_message', envelope: { agent_id, epoch, seq, message } });
    const status = output.reply?.status ?? 202;
    if (status === 409) return runtime.whenPerformed(() => sendReply(reply, output.reply ?? { status }));
    if (status >= 300) {
      const body = typeof output.reply?.body === 'string' ? output.reply.body : JSON.stringify(output.reply?.body ?? '');
      runtime.logger.warn(`Message ${seq} (${message.type}) of agent ${agent_id.value} refused with ${status}: ${body}`);
    }
  }
  runtime.whenPerformed(() => sendReply(reply, { status: 202 }));
}
