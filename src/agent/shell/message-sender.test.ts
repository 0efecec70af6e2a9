/**
 * The agent-to-master sender against a local HTTP server standing in for the
 * master: batches are bounded by serialized size as well as by count, and a
 * message bigger than the bound still goes, alone.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentToMasterMessage } from '../../protocol/internal.js';
import { batchBytesMax, MessageSender } from './message-sender.js';

interface Received {
  readonly path: string;
  readonly bytes: number;
  readonly seqs: number[];
}

const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A master that answers 202 to everything and records each request. */
async function fakeMaster(): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server: Server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const parsed = JSON.parse(body.toString('utf8')) as { seq?: number; messages?: { seq: number }[] };
      const seqs = parsed.messages?.map((m) => m.seq) ?? [parsed.seq ?? -1];
      received.push({ path: request.url ?? '', bytes: body.length, seqs });
      response.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

function sender(url: string): MessageSender {
  const dispatcher = new Agent();
  const sender = new MessageSender(() => url, dispatcher, () => 'agent-1', () => undefined, () => undefined);
  closers.push(async () => {
    sender.stop();
    await dispatcher.close();
  });
  return sender;
}

function executorMessage(dataBytes: number): AgentToMasterMessage {
  return {
    type: 'EXECUTOR_TO_FRAMEWORK',
    executor_to_framework: { framework_id: { value: 'f' }, executor_id: { value: 'e' }, data: 'A'.repeat(dataBytes) },
  };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

/** Slack for the envelope around the entries: agent id, epoch, brackets. */
const envelopeBytes = 200;

describe('MessageSender', () => {
  it('splits queued messages into batches of at most batchBytesMax, in order', async () => {
    const master = await fakeMaster();
    const s = sender(master.url);
    // The first goes alone at once; the other nine (9 MiB) queue behind it.
    for (let seq = 1; seq <= 10; seq++) s.enqueue(1, seq, executorMessage(1024 * 1024));
    await until(() => master.received.flatMap((r) => r.seqs).length === 10);
    expect(master.received.flatMap((r) => r.seqs)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(master.received.length).toBeGreaterThanOrEqual(4);
    for (const request of master.received) expect(request.bytes).toBeLessThanOrEqual(batchBytesMax + envelopeBytes);
  });

  it('sends a message bigger than batchBytesMax alone, and the ones around it in their own batches', async () => {
    const master = await fakeMaster();
    const s = sender(master.url);
    s.enqueue(1, 1, { type: 'PONG' });
    s.enqueue(1, 2, { type: 'PONG' });
    s.enqueue(1, 3, executorMessage(batchBytesMax + 1));
    s.enqueue(1, 4, { type: 'PONG' });
    await until(() => master.received.flatMap((r) => r.seqs).length === 4);
    expect(master.received.map((r) => [r.path, r.seqs])).toEqual([
      ['/internal/v1/message', [1]],
      ['/internal/v1/message', [2]],
      ['/internal/v1/message', [3]],
      ['/internal/v1/message', [4]],
    ]);
  });

  it('still batches small messages together (up to 500)', async () => {
    const master = await fakeMaster();
    const s = sender(master.url);
    for (let seq = 1; seq <= 600; seq++) s.enqueue(1, seq, { type: 'PONG' });
    await until(() => master.received.flatMap((r) => r.seqs).length === 600);
    expect(master.received.map((r) => r.seqs.length)).toEqual([1, 500, 99]);
  });
});
