/**
 * The real probes behind health checks: a command in the task's sandbox, an
 * HTTP GET and a TCP connect to the loopback address (the task shares the
 * host's network). A probe never rejects: every fault is an unhealthy result.
 * The checker owns the timeout and aborts `signal` when it passes; a probe then
 * releases what it holds (the command's whole process group is killed).
 */
import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { HealthCheckTarget } from './types.js';
import type { ProbeSpec } from './health-check-spec.js';

export type ProbeResult = { readonly healthy: true } | { readonly healthy: false; readonly reason: string };

export type HealthProbe = (probe: ProbeSpec, target: HealthCheckTarget, signal: AbortSignal) => Promise<ProbeResult>;

const healthy: ProbeResult = { healthy: true };

function unhealthy(reason: string): ProbeResult {
  return { healthy: false, reason };
}

/** Used when the task's environment has no PATH, so that `value` of an exec check is found. */
const defaultPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface HealthProbeOptions {
  /** Whether the agent may switch users (it is root); default: the process's uid is 0. */
  readonly runningAsRoot?: boolean;
  /** Looks up a user's primary group id; default: `getent passwd`, then /etc/passwd. */
  readonly userGroupId?: (user: string) => Promise<number | undefined>;
}

/** The production probe: dispatches on the check's type. */
export function createHealthProbe(options: HealthProbeOptions = {}): HealthProbe {
  const runningAsRoot = options.runningAsRoot ?? process.getuid?.() === 0;
  const userGroupId = options.userGroupId ?? cachedUserGroupId();
  return async (probe, target, signal) => {
    try {
      switch (probe.type) {
        case 'COMMAND': {
          const gid = target.user !== undefined && runningAsRoot ? await userGroupId(target.user) : undefined;
          if (target.user !== undefined && runningAsRoot && gid === undefined) return unhealthy(`Unknown user '${target.user}'`);
          const argv = commandProbeArgv(probe, target.user !== undefined && gid !== undefined ? { user: target.user, gid } : undefined);
          return await runCommand(argv, target.sandbox, { ...target.environment, ...probe.environment }, signal);
        }
        case 'HTTP':
          return await httpProbe(probe, signal);
        case 'TCP':
          return await tcpProbe(probe.port, probe.ipv6, signal);
      }
    } catch (error) {
      return unhealthy(error instanceof Error ? error.message : String(error));
    }
  };
}

/**
 * The argv of a command check. As the task's user (only when the agent is
 * root) through setpriv, which sets real and effective ids and the user's
 * supplementary groups, then execs the command in the same process.
 */
export function commandProbeArgv(probe: Extract<ProbeSpec, { type: 'COMMAND' }>, switchTo: { readonly user: string; readonly gid: number } | undefined): readonly string[] {
  const command = probe.shell ? ['/bin/sh', '-c', probe.value] : [probe.value, ...probe.arguments.slice(1)];
  if (switchTo === undefined) return command;
  return ['setpriv', `--reuid=${switchTo.user}`, `--regid=${switchTo.gid}`, '--init-groups', '--', ...command];
}

/** Runs argv in its own process group; exit 0 is healthy. On abort the whole group is killed. */
export function runCommand(argv: readonly string[], cwd: string, environment: Readonly<Record<string, string>>, signal: AbortSignal): Promise<ProbeResult> {
  const [file, ...args] = argv;
  if (file === undefined) return Promise.resolve(unhealthy('Empty command'));
  return new Promise((resolve) => {
    // detached: the child leads a new process group (and session), so that a
    // timeout kills the command together with everything it started.
    const child = spawn(file, args, { cwd, env: { PATH: defaultPath, ...environment }, detached: true, stdio: 'ignore' });
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is gone already.
      }
    };
    const onAbort = (): void => {
      killGroup();
      resolve(unhealthy('Command was aborted'));
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    child.once('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      resolve(unhealthy(`Failed to launch the command: ${error.message}`));
    });
    // 'exit', not 'close': a background process keeping stdio open must not hold the result back.
    child.once('exit', (code, signalName) => {
      signal.removeEventListener('abort', onAbort);
      if (code === 0) return resolve(healthy);
      resolve(unhealthy(code !== null ? `Command exited with status ${code}` : `Command was terminated by signal ${signalName ?? '?'}`));
    });
  });
}

/** Mesos' rule when `statuses` is empty: 200 to 399 is healthy (curl's -w %{http_code}). */
export function isHealthyStatus(status: number, statuses: readonly number[]): boolean {
  if (statuses.length > 0) return statuses.includes(status);
  return status >= 200 && status < 400;
}

function httpProbe(probe: Extract<ProbeSpec, { type: 'HTTP' }>, signal: AbortSignal): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const client = probe.scheme === 'https' ? https : http;
    // Redirects are not followed (curl -L would): a 3xx is healthy by the 200-399 rule anyway.
    // Certificates are not verified, as Mesos' `curl -k`: the task's certificate names its service, not 127.0.0.1.
    const request = client.request(
      { host: probe.ipv6 ? '::1' : '127.0.0.1', port: probe.port, path: probe.path, method: 'GET', agent: false, signal, rejectUnauthorized: false, headers: { 'user-agent': 'berth-health-check' } },
      (response) => {
        const status = response.statusCode ?? 0;
        response.destroy();
        resolve(isHealthyStatus(status, probe.statuses) ? healthy : unhealthy(`Unexpected HTTP response code: ${status}`));
      },
    );
    request.once('error', (error) => resolve(unhealthy(`HTTP request failed: ${error.message}`)));
    request.end();
  });
}

function tcpProbe(port: number, ipv6: boolean, signal: AbortSignal): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: ipv6 ? '::1' : '127.0.0.1', port, signal });
    socket.once('connect', () => {
      socket.destroy();
      resolve(healthy);
    });
    socket.once('error', (error) => {
      socket.destroy();
      resolve(unhealthy(`TCP connection failed: ${error.message}`));
    });
  });
}

/** Users rarely change while the agent runs: one lookup per user name. */
function cachedUserGroupId(): (user: string) => Promise<number | undefined> {
  const cache = new Map<string, number>();
  return async (user) => {
    const known = cache.get(user);
    if (known !== undefined) return known;
    const gid = (await getentGroupId(user)) ?? (await passwdGroupId(user));
    if (gid !== undefined) cache.set(user, gid);
    return gid;
  };
}

/** `getent passwd` answers through NSS (LDAP and the like), as getpwnam(3) does. */
function getentGroupId(user: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    execFile('getent', ['passwd', user], { timeout: 5000 }, (error, stdout) => {
      resolve(error === null ? groupIdOfPasswdLine(stdout.split('\n')[0] ?? '', user) : undefined);
    });
  });
}

async function passwdGroupId(user: string): Promise<number | undefined> {
  const text = await readFile('/etc/passwd', 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const gid = groupIdOfPasswdLine(line, user);
    if (gid !== undefined) return gid;
  }
  return undefined;
}

/** name:password:uid:gid:gecos:home:shell */
export function groupIdOfPasswdLine(line: string, user: string): number | undefined {
  const fields = line.split(':');
  if (fields[0] !== user || fields[3] === undefined || !/^\d+$/.test(fields[3])) return undefined;
  return Number(fields[3]);
}
