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

/** A JSON view, wrapped in `?jsonp=callback(...)` when asked (the legacy endpoints). */
export function sendJsonView(reply: FastifyReply, query: Record<string, string | undefined>, body: unknown): void {
  const text = stringifyAscii(body);
  const jsonp = query['jsonp'];
  if (jsonp !== undefined) {
    if (!/^[A-Za-z_$][\w$.]*$/.test(jsonp)) return void reply.code(400).type('text/plain').send("Invalid 'jsonp' callback name");
    return void reply.type('text/javascript').send(`${jsonp}(${text});`);
  }
  void reply.type('application/json').send(text);
}
