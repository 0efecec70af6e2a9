/**
 * Checks, before anything starts, that the ports `berth local` will listen on are
 * free, so that a second cluster (or a leftover master) is named up front rather
 * than found in a log after the fact.
 */
import { createServer } from 'node:net';

export interface PlannedPort {
  readonly port: number;
  /** Who will listen on it: `master`, `agent2`. */
  readonly name: string;
}

/** The first planned port something else already listens on; port 0 is always free. */
export async function firstTakenPort(ports: readonly PlannedPort[], host: string): Promise<PlannedPort | undefined> {
  for (const planned of ports) {
    if (planned.port !== 0 && !(await isPortFree(planned.port, host))) return planned;
  }
  return undefined;
}

/** Binds and releases the port: free means a listener could be opened there now. */
export function isPortFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
