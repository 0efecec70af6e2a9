/**
 * Watching a supervisor that is not this process's child (one found again
 * after an agent restart): its end shows as `exit_status` appearing in its run
 * directory (inotify, through fs.watch), and, should that event be missed or
 * the supervisor die without writing the file, as its pid no longer running
 * with the same start time (a slow poll).
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { isRunning, type ProcessIdentity } from './proc.js';

export interface SupervisorWatch {
  stop(): void;
}

/** Calls `onEnd` once, when the supervisor has written `exitStatusPath` or is gone; never after stop(). */
export function watchSupervisor(
  supervisor: ProcessIdentity,
  exitStatusPath: string,
  livenessPollMs: number,
  onEnd: () => void,
): SupervisorWatch {
  let stopped = false;
  let watcher: FSWatcher | undefined;
  const fileName = basename(exitStatusPath);
  const stop = (): void => {
    stopped = true;
    watcher?.close();
    clearInterval(poll);
  };
  const end = (): void => {
    if (stopped) return;
    stop();
    onEnd();
  };
  const check = (): void => {
    if (existsSync(exitStatusPath) || !isRunning(supervisor)) end();
  };
  try {
    watcher = watch(dirname(exitStatusPath), { persistent: false }, (_event, name) => {
      if (name === null || name === fileName) check();
    });
    // A watch that fails later (the directory removed) leaves the poll to notice.
    watcher.on('error', () => watcher?.close());
  } catch {
    // No inotify (limits reached): the poll alone will do, more slowly.
  }
  const poll = setInterval(check, livenessPollMs);
  poll.unref();
  // The file may have appeared before the watch began.
  check();
  return { stop };
}
