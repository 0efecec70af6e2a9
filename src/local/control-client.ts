/** `berth local restart <name>`'s end of the control socket (see control-socket.ts). */
import { request } from 'node:http';
import { err, ok, type Result } from '../lib/result.js';
import { parseControlMessage } from './control-socket.js';

/**
 * Asks the running `berth local` to restart `name`. Progress lines go to
 * `onProgress` as they come; the result is the final line, or why it failed.
 */
export function requestRestart(
  connectPath: string,
  name: string,
  onProgress: (line: string) => void,
): Promise<Result<string, string>> {
  return new Promise((resolve) => {
    const call = request({ socketPath: connectPath, path: `/restart/${encodeURIComponent(name)}`, method: 'POST' });
    call.once('error', (error: NodeJS.ErrnoException) => resolve(err(connectionError(error))));
    call.once('response', (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        resolve(err(`berth local answered ${response.statusCode ?? 'nothing'}`));
        return;
      }
      let outcome: Result<string, string> = err('berth local ended the answer before the restart finished');
      let pending = '';
      const onLine = (line: string): void => {
        if (line.trim() === '') return;
        const message = parseControlMessage(line);
        if ('progress' in message) onProgress(message.progress);
        else outcome = 'done' in message ? ok(message.done) : err(message.error);
      };
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        const lines = (pending + chunk).split('\n');
        pending = lines.pop() ?? '';
        lines.forEach(onLine);
      });
      response.once('end', () => {
        onLine(pending);
        resolve(outcome);
      });
      response.once('error', (error) => resolve(err(`lost berth local during the restart: ${error.message}`)));
    });
    call.end();
  });
}

function connectionError(error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') return 'no berth local is running there';
  return `cannot reach berth local: ${error.message}`;
}
