/**
 * A master that does not lead (with --zk, before or without its election):
 * requests that need the leader are sent there with 307 and the same path,
 * as Mesos' standby masters do, or answered 503 while no leader is known
 * (spec/core.md 5.1).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendReply } from './replies.js';

/** `http://host:port` of the leader, when this master knows one other than itself. */
export type LeaderLocator = () => string | undefined;

export const noOtherLeader: LeaderLocator = () => undefined;

export function answerNotLeading(request: FastifyRequest, reply: FastifyReply, leader: LeaderLocator): void {
  const url = leader();
  if (url === undefined) return void sendReply(reply, { status: 503, body: 'Master has not finished recovery' });
  void reply.code(307).header('Location', `//${new URL(url).host}${request.url}`).send();
}
