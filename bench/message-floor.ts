/**
 * The message floor: what a CREATE's path costs with no work on it, on this
 * machine, in this run. A second anchor beside one fsync for the CREATE
 * latency (create-latency.ts), since that path is three Node processes and
 * two HTTP hops before one synchronous journal write, and on a 2-core shared
 * machine the processes' scheduling, not the work, sets the tail.
 *
 * Method: this process plays the framework, a child the master and another
 * the agent, each a plain node:http server on keep-alive connections, as
 * berth's are. The framework posts a 600-byte JSON body to the relay (about
 * an ACCEPT with one CREATE); the relay answers 202 and posts the body on to
 * the end (about an APPLY_OPERATION); the end answers 202, appends the body
 * to a file and fdatasyncs it (about the agent's journal record), then tells
 * the framework, over the fork channel, when it was durable on the
 * monotonic clock all processes share. No parsing, validation or allocation:
 * whatever berth's figure is above this one is berth's.
 *
 * One run file acts as all three: `node message-floor.js relay <port>` and
 * `node message-floor.js end <file>` are the children.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, fdatasyncSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { Agent, createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Size of the body passed along: about an ACCEPT of one CREATE. */
const bodyBytes = 600;
/** Pause between messages, as the CREATE loop's offer waits leave one. */
const pauseMs = 2;

/** Monotonic milliseconds, comparable across processes of one machine. */
function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function readBody(message: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    message.on('data', (chunk: Buffer) => chunks.push(chunk));
    message.on('end', () => resolve(Buffer.concat(chunks)));
    message.on('error', reject);
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function post(port: number, agent: Agent, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent, headers: { 'content-type': 'application/json' } }, (answer) => {
      answer.resume();
      answer.on('end', resolve);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** The master's stand-in: answers 202, then passes the body on. */
async function relay(endPort: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const server = createServer((incoming, answer) => {
    void readBody(incoming).then((body) => {
      answer.writeHead(202).end();
      post(endPort, agent, body).catch((error: unknown) => process.send?.({ error: String(error) }));
    });
  });
  process.send?.({ port: await listen(server) });
}

/** The agent's stand-in: answers 202, appends the body durably, reports when. */
async function end(file: string): Promise<void> {
  const fd = openSync(file, 'w', 0o600);
  const server = createServer((incoming, answer) => {
    void readBody(incoming).then((body) => {
      answer.writeHead(202).end();
      writeSync(fd, body);
      fdatasyncSync(fd);
      process.send?.({ durableAtMs: monotonicMs() });
    });
  });
  process.on('disconnect', () => closeSync(fd));
  process.send?.({ port: await listen(server) });
}

interface ChildMessage {
  readonly port?: number;
  readonly durableAtMs?: number;
  readonly error?: string;
}

function nextMessage(child: ChildProcess): Promise<ChildMessage> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`message-floor child exited with ${code}`));
    child.once('exit', onExit);
    child.once('message', (message: ChildMessage) => {
      child.off('exit', onExit);
      if (message.error !== undefined) reject(new Error(message.error));
      else resolve(message);
    });
  });
}

function startChild(args: readonly string[]): ChildProcess {
  return fork(fileURLToPath(import.meta.url), [...args], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
}

/**
 * `count` messages framework -> relay -> end, one at a time; each one's
 * ms from the framework's post to the end's durable write. `directory` is
 * made, used for the end's file and removed.
 */
export async function measureMessageFloor(directory: string, count: number): Promise<number[]> {
  mkdirSync(directory, { recursive: true });
  const children: ChildProcess[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const endChild = startChild(['end', join(directory, 'journal')]);
    children.push(endChild);
    const endPort = (await nextMessage(endChild)).port;
    const relayChild = startChild(['relay', String(endPort)]);
    children.push(relayChild);
    const relayPort = (await nextMessage(relayChild)).port;
    if (endPort === undefined || relayPort === undefined) throw new Error('message-floor children did not report their ports');
    const body = Buffer.from(JSON.stringify({ type: 'ACCEPT', padding: 'x'.repeat(bodyBytes - 30) }));
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const startMs = monotonicMs();
      const durable = nextMessage(endChild);
      await post(relayPort, agent, body);
      const { durableAtMs } = await durable;
      if (durableAtMs === undefined) throw new Error('message-floor end did not report a durable time');
      times.push(durableAtMs - startMs);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    return times;
  } finally {
    agent.destroy();
    for (const child of children) child.kill();
    rmSync(directory, { recursive: true, force: true });
  }
}

const [role, argument] = process.argv.slice(2);
if (process.argv[1] === fileURLToPath(import.meta.url) && argument !== undefined) {
  if (role === 'relay') void relay(Number(argument));
  else if (role === 'end') void end(argument);
}
