import type { FastifyReply } from 'fastify';
import { stringifyAscii } from '../../lib/json-ascii.js';
import type { Reply } from '../core/events.js';

/** A core reply as HTTP: text bodies as text/plain, objects as JSON, nothing for 202. */
export function sendReply(reply: FastifyReply, result: Reply): void {
  reply.code(result.status);
  if (result.body === undefined) return void reply.send();
  if (typeof result.body === 'string') return void reply.type('text/plain; charset=utf-8').send(result.body);
  void reply.type('application/json').send(stringifyAscii(result.body));
}
