/**
 * The agent's side of the task launcher (native/launcher.c): one small native
 * process, started on first use, that starts supervisors for the agent. A
 * fork of the agent itself (Node's spawn) blocks its event loop for
 * milliseconds, since the kernel copies a process of a hundred megabytes; a
 * request to the launcher is one write.
 *
 * Requests go down the launcher's stdin, framed by length, strings
 * NUL-terminated; replies come back as lines on its stdout, in request order,
 * interleaved with `exited <pid> <wait status>` for each process it started
 * and reaped (always after that process's reply). Callbacks are called
 * synchronously as the lines are read, so an exit is never seen before the
 * launch it belongs to.
 *
 * If the launcher dies, the requests it has not answered fail, the processes
 * whose end it has not reported are handed to `lost`, and the next launch
 * starts a new launcher. close() closes its stdin: it exits, and what it
 * started keeps running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';

export const launcherName = 'berth-launcher';

/** The launcher that scripts/build-native.mjs builds beside the supervisor. */
export function launcherPathBeside(supervisorPath: string): string {
  return join(dirname(supervisorPath), launcherName);
}

export interface LaunchRequest {
  /** argv[0] is the program's absolute path (there is no PATH search). */
  readonly argv: readonly string[];
  /** The complete environment of the process. */
  readonly environment: Readonly<Record<string, string>>;
}

export type LaunchResult =
  /** Started; `startTime` is field 22 of its /proc/<pid>/stat. */
  | { readonly ok: true; readonly pid: number; readonly startTime: string }
  /**
   * Not started, or not known to be. `refused`: the request, or the exec,
   * failed (`message` says why: strerror or a word on the request);
   * `unavailable`: there is no launcher to ask (missing binary, closed);
   * `died`: the launcher died before it answered, and may have started the process.
   */
  | { readonly ok: false; readonly failure: 'refused' | 'unavailable' | 'died'; readonly message: string };

export interface LauncherListener {
  /** A process the launcher started has ended (it is reaped: its pid may be reused from now on). */
  exited(pid: number, waitStatus: number): void;
  /** The launcher died: the ends of these started processes will not be reported. */
  lost(pids: readonly number[]): void;
}

type Callback = (result: LaunchResult) => void;

/** One launcher process, with what it owes: replies (in order) and exits. */
interface Instance {
  readonly child: ChildProcess;
  /** Its stdin: requests. */
  readonly requests: Socket;
  /** Its stdout: replies and exits. Ref'd while something is owed. */
  readonly replies: Socket;
  readonly pending: Callback[];
  /** Started, end not reported yet. */
  readonly live: Set<number>;
  /** The start of a line not yet complete. */
  partial: string;
}

const replyPattern = /^ok (\d+) (\d+)$/;
const errorPattern = /^error (\d+) (.*)$/;
const exitedPattern = /^exited (\d+) (-?\d+)$/;

export class Launcher {
  private instance: Instance | undefined;
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly listener: LauncherListener,
  ) {}

  /** The running launcher's pid, if one runs. */
  get pid(): number | undefined {
    return this.instance?.child.pid;
  }

  /** Starts a process; `callback` is called once, never during this call. */
  launch(request: LaunchRequest, callback: Callback): void {
    const fail = (failure: 'refused' | 'unavailable', message: string): void => queueMicrotask(() => callback({ ok: false, failure, message }));
    if (this.closed) return fail('unavailable', 'the task launcher is closed');
    const frame = encodeRequest(request);
    if (frame === undefined) return fail('refused', 'an argument or environment entry contains a NUL byte');
    const instance = this.instance ?? this.start();
    if (instance === undefined) {
      return fail('unavailable', `cannot start the task launcher ${this.path}: it does not exist (build it: node scripts/build-native.mjs)`);
    }
    instance.pending.push(callback);
    this.updateRef(instance);
    instance.requests.write(frame);
  }

  /** Closes the launcher's stdin (it exits; what it started keeps running). Unanswered callbacks are never called. */
  close(): void {
    this.closed = true;
    const instance = this.instance;
    this.instance = undefined;
    if (instance === undefined) return;
    instance.requests.end();
    instance.replies.unref();
  }

  private start(): Instance | undefined {
    if (!existsSync(this.path)) return undefined;
    const child = spawn(this.path, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    // Pipes to a child process are sockets (socket pairs).
    const instance: Instance = { child, requests: child.stdin as Socket, replies: child.stdout as Socket, pending: [], live: new Set(), partial: '' };
    this.instance = instance;
    // Neither the process nor its stdin keeps the agent alive; its stdout does while something is owed (updateRef).
    child.unref();
    instance.requests.on('error', () => {
      // EPIPE once it has died: 'close' reports that.
    });
    instance.replies.setEncoding('latin1');
    instance.replies.on('data', (chunk: string) => this.read(instance, chunk));
    child.once('error', (error) => this.died(instance, `cannot be started: ${error.message}`));
    // After 'exit' and once its stdout is drained: every line it wrote has been read.
    child.once('close', (code, signal) => this.died(instance, signal !== null ? `was killed by ${signal}` : `exited with code ${code}`));
    return instance;
  }

  private read(instance: Instance, chunk: string): void {
    if (this.instance !== instance) return;
    const lines = (instance.partial + chunk).split('\n');
    instance.partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!this.handleLine(instance, line)) {
        // Not the protocol: nothing it says can be trusted any more.
        process.stderr.write(`berth: unexpected line from the task launcher: ${JSON.stringify(line.slice(0, 200))}\n`);
        instance.child.kill('SIGKILL');
        return;
      }
    }
    this.updateRef(instance);
  }

  private handleLine(instance: Instance, line: string): boolean {
    const exited = exitedPattern.exec(line);
    if (exited !== null) {
      const pid = Number(exited[1]);
      instance.live.delete(pid);
      this.listener.exited(pid, Number(exited[2]));
      return true;
    }
    const started = replyPattern.exec(line);
    const refused = started === null ? errorPattern.exec(line) : null;
    const callback = started !== null || refused !== null ? instance.pending.shift() : undefined;
    if (callback === undefined) return false;
    if (started !== null) {
      const pid = Number(started[1]);
      instance.live.add(pid);
      callback({ ok: true, pid, startTime: started[2] ?? '' });
    } else {
      callback({ ok: false, failure: 'refused', message: refused?.[2] ?? '' });
    }
    return true;
  }

  private died(instance: Instance, how: string): void {
    if (this.instance !== instance) return;
    this.instance = undefined;
    const message = `the task launcher (pid ${instance.child.pid ?? 'none'}) ${how}`;
    for (const callback of instance.pending.splice(0)) callback({ ok: false, failure: 'died', message });
    if (instance.live.size > 0) this.listener.lost([...instance.live]);
  }

  /** Keeps the agent alive while a reply or an exit is owed, as the supervisors' own handles did when they were its children. */
  private updateRef(instance: Instance): void {
    if (instance.pending.length > 0 || instance.live.size > 0) instance.replies.ref();
    else instance.replies.unref();
  }
}

/**
 * u32 length, then u32 argc, u32 envc and the NUL-terminated strings (all
 * integers little-endian). Undefined when a string holds a NUL.
 */
export function encodeRequest(request: LaunchRequest): Buffer | undefined {
  const strings = [...request.argv];
  for (const name in request.environment) strings.push(`${name}=${request.environment[name]}`);
  let length = 12;
  for (const string of strings) {
    if (string.includes('\0')) return undefined;
    length += Buffer.byteLength(string) + 1;
  }
  const frame = Buffer.allocUnsafe(length);
  frame.writeUInt32LE(length - 4, 0);
  frame.writeUInt32LE(request.argv.length, 4);
  frame.writeUInt32LE(strings.length - request.argv.length, 8);
  let offset = 12;
  for (const string of strings) {
    offset += frame.write(string, offset);
    frame[offset++] = 0;
  }
  return frame;
}
