/** `berth local restart <name>`: asks the `berth local` running in a work directory to restart one process. */
import { localLayout } from './layout.js';
import { requestRestart } from './control-client.js';
import { socketConnectPath } from './control-socket.js';
import { shownPath } from './table.js';
import type { LocalIo } from './local-io.js';

export async function runLocalRestart(workDir: string, name: string, io: LocalIo): Promise<number> {
  const layout = localLayout(workDir, io.cwd);
  const where = shownPath(layout.workDir, io.cwd);
  // The kernel resolves a relative socket path against this process's directory.
  const connectPath = socketConnectPath(layout.socketPath, process.cwd());
  if (!connectPath.ok) {
    io.error(`berth local restart: ${connectPath.error}`);
    return 1;
  }
  const result = await requestRestart(connectPath.value, name, io.out);
  if (!result.ok) {
    io.error(`berth local restart: ${result.error} (work dir ${where})`);
    return 1;
  }
  io.out(result.value);
  return 0;
}
