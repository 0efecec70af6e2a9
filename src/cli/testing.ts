/** For tests of CLI commands run in process: a CommandIo that keeps what the command printed. */
import type { CommandIo } from './storage/operator-client.js';

export function captureIo(): CommandIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out: (text: string) => void (io.stdout += text),
    err: (text: string) => void (io.stderr += text),
  };
  return io;
}
