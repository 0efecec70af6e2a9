/**
 * Fixtures for the containerizer's tests: real supervisors and real processes,
 * all under one directory of the test root. `useContainerizerFixture()` builds
 * the supervisor once per file and, after each test (pass or fail), closes the
 * test's containerizers, kills every supervisor marked with the test's work
 * directory (with what runs under it), kills the helper processes the test
 * started, and removes the directory.
 */
import { Resources } from '../../resources/index.js';
import type { ContainerIsolationSpec } from '../isolators/isolator.js';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { afterEach, beforeAll } from 'vitest';
import { testRoot } from '../../../test/support/test-root.js';
import { ok } from '../../lib/result.js';
import type { Fetcher, FetchRequest } from '../fetcher/types.js';
import { LinuxContainerizer, type LinuxContainerizerOptions } from './linux-containerizer.js';
import { readProcessStat } from './proc.js';
import type { ContainerEvent, ContainerLaunch } from './types.js';

const repositoryRoot = resolve(import.meta.dirname, '..', '..', '..');
export const supervisorPath = join(repositoryRoot, 'dist', 'native', 'berth-supervisor');

/** The events of one containerizer, in order, with a way to wait for the next one that matches. */
export class EventLog {
  readonly events: ContainerEvent[] = [];
  private waiters: Array<() => void> = [];

  constructor(containerizer: LinuxContainerizer) {
    containerizer.onEvent((event) => {
      this.events.push(event);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** The first event of `type` for `containerId`; fails the test after `timeoutMs`. */
  async waitFor<T extends ContainerEvent['type']>(
    containerId: string,
    type: T,
    timeoutMs = 10_000,
  ): Promise<Extract<ContainerEvent, { type: T }>> {
    const deadlineMs = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find((event) => event.containerId === containerId && event.type === type);
      if (found !== undefined) return found as Extract<ContainerEvent, { type: T }>;
      const remainingMs = deadlineMs - Date.now();
      if (remainingMs <= 0) {
        throw new Error(`expected ${type} for ${containerId} within ${timeoutMs} ms; events: ${JSON.stringify(this.events)}`);
      }
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, remainingMs);
        this.waiters.push(() => {
          clearTimeout(timer);
          wake();
        });
      });
    }
  }

  /** Every event for `containerId` so far. */
  of(containerId: string): ContainerEvent[] {
    return this.events.filter((event) => event.containerId === containerId);
  }
}

/** A fetcher that records its requests and answers with `error` when one is given. */
export class RecordingFetcher implements Fetcher {
  readonly requests: FetchRequest[] = [];

  constructor(private readonly error?: string) {}

  fetch(request: FetchRequest): ReturnType<Fetcher['fetch']> {
    this.requests.push(request);
    return Promise.resolve(this.error === undefined ? ok(undefined) : { ok: false, error: this.error });
  }
}

/** A container with no resources, limits or labels: what the isolators then do is only the filesystem's. */
export const noIsolationSpec: ContainerIsolationSpec = { resources: Resources.empty(), limits: {}, labels: {} };

export interface Fixture {
  /** This test's directory under the test root. */
  readonly root: string;
  /** The agent work directory the containerizers mark their supervisors with. */
  readonly workDir: string;
  containerizer(options?: Partial<LinuxContainerizerOptions>): { containerizer: LinuxContainerizer; log: EventLog };
  /** A launch with the Mesos layout under `workDir`, PATH as the only variable unless `environment` says more. */
  launch(containerId: string, argv: readonly string[], overrides?: Partial<ContainerLaunch>): ContainerLaunch;
  /** Registers a helper process for the cleanup (its group is SIGKILLed). */
  track(child: ChildProcess): void;
}

export function useContainerizerFixture(): () => Fixture {
  let current: { fixture: Fixture; containerizers: LinuxContainerizer[]; helpers: ChildProcess[] } | undefined;

  beforeAll(() => {
    execFileSync(process.execPath, [join(repositoryRoot, 'scripts', 'build-native.mjs')], { stdio: 'inherit' });
  });

  afterEach(async () => {
    const state = current;
    current = undefined;
    if (state === undefined) return;
    for (const containerizer of state.containerizers) containerizer.close();
    for (const helper of state.helpers) killGroup(helper.pid);
    const sweeper = new LinuxContainerizer({ workDir: state.fixture.workDir, fetcher: new RecordingFetcher(), supervisorPath, orphanGracePeriodMs: 0 });
    await sweeper.killOrphans([]);
    sweeper.close();
    killProcessesUnder(state.fixture.root);
    rmSync(state.fixture.root, { recursive: true, force: true });
  });

  return () => {
    if (current !== undefined) return current.fixture;
    mkdirSync(testRoot(), { recursive: true });
    const root = mkdtempSync(join(testRoot(), 'containerizer-'));
    const workDir = join(root, 'work');
    const state = { containerizers: [] as LinuxContainerizer[], helpers: [] as ChildProcess[], fixture: undefined as unknown as Fixture };
    state.fixture = {
      root,
      workDir,
      containerizer(options = {}) {
        const containerizer = new LinuxContainerizer({ workDir, fetcher: new RecordingFetcher(), supervisorPath, ...options });
        state.containerizers.push(containerizer);
        return { containerizer, log: new EventLog(containerizer) };
      },
      launch(containerId, argv, overrides = {}) {
        const run = join('frameworks', 'fw-1', 'executors', `ex-${containerId}`, 'runs', containerId);
        return {
          containerId,
          frameworkId: 'fw-1',
          executorId: `ex-${containerId}`,
          directory: join(workDir, 'slaves', 'agent-1', run),
          runDirectory: join(workDir, 'meta', 'slaves', 'agent-1', run),
          user: undefined,
          argv,
          environment: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
          uris: [],
          isolation: noIsolationSpec,
          volumes: [],
          ...overrides,
        };
      },
      track(child) {
        state.helpers.push(child);
      },
    };
    current = state;
    return state.fixture;
  };
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

/** Whatever still runs in a directory under `root` (a task whose supervisor died): SIGKILL. */
function killProcessesUnder(root: string): void {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cwd = readlinkCwd(name);
      if (cwd !== undefined && !relative(root, cwd).startsWith('..')) process.kill(Number(name), 'SIGKILL');
    } catch {
      // Gone, or not ours to read.
    }
  }
}

function readlinkCwd(pid: string): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

/** True while the process runs (a zombie has ended). */
export function isAlive(pid: number): boolean {
  const state = readProcessStat(pid)?.state;
  return state !== undefined && state !== 'Z' && state !== 'X';
}

/** Polls `condition` every 20 ms; fails with `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadlineMs = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadlineMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function readNumber(path: string): number {
  return Number(readFileSync(path, 'utf8').trim());
}

/**
 * The containerizer as plain JavaScript under `outDir` (a child Node process
 * cannot load TypeScript): linux-containerizer.ts and every module it imports,
 * transitively, type-stripped by the compiler. Returns the path of
 * linux-containerizer.js.
 */
export function transpileContainerizer(outDir: string): string {
  const entry = join(import.meta.dirname, 'linux-containerizer.ts');
  const pending = [entry];
  const done = new Set<string>();
  for (let source = pending.pop(); source !== undefined; source = pending.pop()) {
    if (done.has(source)) continue;
    done.add(source);
    const text = readFileSync(source, 'utf8');
    for (const match of text.matchAll(/(?:from|import) '(\.{1,2}\/[^']+)\.js'/g)) {
      const specifier = match[1];
      if (specifier !== undefined) pending.push(join(dirname(source), `${specifier}.ts`));
    }
    const output = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    const target = join(outDir, relative(repositoryRoot, source)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, output);
  }
  return join(outDir, 'src', 'agent', 'containerizer', 'linux-containerizer.js');
}

/**
 * Starts a Node process (in a process group of its own) that launches one
 * container with the transpiled containerizer, prints container_started as a
 * JSON line, and then waits to be killed. Resolves with that event.
 */
export async function launchFromChildProcess(
  fixture: Fixture,
  launch: ContainerLaunch,
): Promise<{ child: ChildProcess; started: Extract<ContainerEvent, { type: 'container_started' }> }> {
  const module = transpileContainerizer(join(fixture.root, 'js'));
  const script = join(fixture.root, 'js', 'launch-one.mjs');
  writeFileSync(
    script,
    [
      `import { LinuxContainerizer } from ${JSON.stringify(module)};`,
      `const [workDir, supervisorPath, launch] = process.argv.slice(2);`,
      `const containerizer = new LinuxContainerizer({ workDir, supervisorPath, fetcher: { fetch: async () => ({ ok: true, value: undefined }) } });`,
      `containerizer.onEvent((event) => process.stdout.write(JSON.stringify(event) + '\\n'));`,
      `containerizer.launch(JSON.parse(launch));`,
      `setInterval(() => {}, 60_000);`,
    ].join('\n'),
  );
  const child = spawn(process.execPath, [script, fixture.workDir, supervisorPath, JSON.stringify(launch)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  fixture.track(child);
  const line = await new Promise<string>((resolveLine, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const end = buffered.indexOf('\n');
      if (end >= 0) resolveLine(buffered.slice(0, end));
    });
    child.once('exit', (code) => reject(new Error(`the launching process exited (${code}) before the container started`)));
  });
  const event = JSON.parse(line) as ContainerEvent;
  if (event.type !== 'container_started') throw new Error(`expected container_started from the child, got ${line}`);
  return { child, started: event };
}
