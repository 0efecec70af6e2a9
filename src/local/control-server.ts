/** The running `berth local`'s end of the control socket (see control-socket.ts). */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { err, ok, type Result } from '../lib/result.js';
import type { ControlMessage } from './control-socket.js';

export interface ControlHandlers {
  /** Anything JSON; `pid` is what a probe reads. */
  status(): { readonly pid: number } & Record<string, unknown>;
  /** Restarts one process, reporting each step; the result's text ends the stream. */
  restart(name: string, report: (line: string) => void): Promise<Result<string, string>>;
}

const restartPath = /^\/restart\/([A-Za-z0-9_-]+)$/;

/** Listens on `connectPath`; the error is one line (the socket is taken, or cannot be made). */
export function startControlServer(connectPath: string, handlers: ControlHandlers): Promise<Result<Server, string>> {
  const server = createServer((incoming, response) => {
    void onControlRequest(incoming, response, handlers);
  });
  return new Promise((resolve) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'EADDRINUSE' ? 'another berth local owns it' : error.message;
      resolve(err(`cannot listen on the control socket ${connectPath}: ${why}`));
    });
    server.listen(connectPath, () => resolve(ok(server)));
  });
}

async function onControlRequest(
  incoming: IncomingMessage,
  response: ServerResponse,
  handlers: ControlHandlers,
): Promise<void> {
  incoming.resume();
  const restart = restartPath.exec(incoming.url ?? '');
  if (incoming.method === 'GET' && incoming.url === '/status') {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(handlers.status()));
    return;
  }
  if (incoming.method === 'POST' && restart?.[1] !== undefined) {
    response.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const send = (message: ControlMessage): void => {
      response.write(`${JSON.stringify(message)}\n`);
    };
    const result = await handlers.restart(restart[1], (line) => send({ progress: line }));
    send(result.ok ? { done: result.value } : { error: result.error });
    response.end();
    return;
  }
  response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
}
