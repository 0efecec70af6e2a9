/**
 * Measures directories with `du`, a bounded number at a time (better than
 * Mesos' one `du` at a time for the whole agent): the scan runs in a child
 * process, never file by file in the agent's event loop, and with several
 * scanners the time to notice a path over quota does not grow with the
 * number of containers being measured, only with the slowest scans.
 *
 * Requests are served first come, first served. `du -k -s -x` prints the
 * path's total in KiB, staying on its file system (a volume mounted under a
 * sandbox by filesystem/linux is invisible from the agent anyway). Files
 * that vanish during the scan make du exit 1 but it still prints the total
 * of what it saw, which is taken.
 */
import { execFile } from 'node:child_process';
import { err, ok, type Result } from '../../lib/result.js';

/** Longest a single du may run: a hung file system must not hold a scanner for ever. */
const scanTimeoutMs = 10 * 60 * 1000;

interface Request {
  readonly path: string;
  readonly resolve: (result: Result<number>) => void;
}

export class DuScanner {
  private readonly queue: Request[] = [];
  private running = 0;
  private closed = false;

  constructor(private readonly scannersMax: number) {}

  /** The bytes under `path` (du's KiB × 1024), or why not. */
  measure(path: string): Promise<Result<number>> {
    return new Promise((resolve) => {
      this.queue.push({ path, resolve });
      this.next();
    });
  }

  /** Requests not started yet are answered with an error; running scans finish. */
  close(): void {
    this.closed = true;
    for (const request of this.queue.splice(0)) request.resolve(err('the agent is stopping'));
  }

  private next(): void {
    while (!this.closed && this.running < this.scannersMax) {
      const request = this.queue.shift();
      if (request === undefined) return;
      this.running++;
      execFile('du', ['-k', '-s', '-x', request.path], { timeout: scanTimeoutMs, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
        this.running--;
        const kibibytes = /^(\d+)\s/.exec(stdout)?.[1];
        if (kibibytes !== undefined) request.resolve(ok(Number(kibibytes) * 1024));
        else request.resolve(err(`du ${request.path} failed: ${(stderr.trim().split('\n')[0] ?? '') || (error?.message ?? 'no output')}`));
        this.next();
      });
    }
  }
}
