/**
 * `berth local`: one master and N agents as separate processes on this machine,
 * until Ctrl-C. Order: preflight checks, claim the control socket, start the
 * master, start the agents (at once), print where everything is, wait for a
 * stop signal, stop every process, sweep what the agents left, release the socket.
 */
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { startZooKeeperServer, type ZooKeeperServer } from '../ha/zookeeper-server.js';
import { freePort } from '../lib/free-port.js';
import type { Server } from 'node:http';
import { basename } from 'node:path';
import { localFlags, type LocalFlags } from '../cli/flags/local-flags.js';
import { err, ok, type Result } from '../lib/result.js';
import { startControlServer } from './control-server.js';
import { cliEntryPath } from './entry.js';
import { localLayout, type LocalLayout } from './layout.js';
import { findMarkedProcesses, killProcesses, localMarkerVariable, markerEntry } from './leftovers.js';
import type { LocalIo } from './local-io.js';
import { preflight } from './preflight.js';
import { addressOfUrl, agentSpec, masterSpec, portOfUrl } from './process-specs.js';
import { onStopSignals } from './signals.js';
import { LocalSupervisor } from './supervisor.js';
import { formatProcessTable, shownPath } from './table.js';

/** A berth process starts in well under a second; 30 s covers a loaded machine. */
const readyTimeoutMs = 30_000;

/** Time a process has between SIGTERM and SIGKILL, on stop and on restart. */
const stopGraceMs = 10_000;

/** Time tasks the agents left behind have between SIGTERM and SIGKILL. */
const leftoverGraceMs = 5_000;

export async function runLocalCluster(flags: LocalFlags, io: LocalIo): Promise<number> {
  const layout = localLayout(flags.work_dir, io.cwd);
  const show = (path: string): string => shownPath(path, io.cwd);
  const checked = await preflight(layout, flags, show(layout.workDir));
  if (!checked.ok) {
    io.error(`berth local: ${checked.error}`);
    return 1;
  }
  const supervisor = new LocalSupervisor({
    cliEntry: cliEntryPath(),
    env: { ...process.env, [localMarkerVariable]: layout.workDir },
    readyTimeoutMs,
    stopGraceMs,
    showPath: show,
    onUnexpectedExit: (line) => io.error(`berth local: ${line}`),
    restartCommand: (name) => restartCommand(flags, io, name),
  });
  const server = await startControlServer(checked.value.connectPath, {
    status: () => ({ pid: process.pid, workDir: layout.workDir, processes: supervisor.rows() }),
    restart: async (name, report) => {
      // Both terminals see the progress: the one that asked, and this one.
      const restarted = await supervisor.restart(name, (line) => {
        report(line);
        io.out(`berth local: ${line}`);
      });
      return restarted.ok ? ok(`restarted ${name}`) : restarted;
    },
  });
  if (!server.ok) {
    io.error(`berth local: ${server.error}`);
    return 1;
  }
  // If berth local itself dies (an exception, process.exit), its children go with it.
  process.on('exit', () => supervisor.killAllNow());

  const zookeeper: { server: ZooKeeperServer | undefined } = { server: undefined };
  const stopper = new Stopper(() => stopCluster(supervisor, server.value, checked.value.connectPath, layout, io, zookeeper));
  const removeSignalHandlers = onStopSignals(
    (signal) => {
      io.out(`berth local: ${signal}: stopping (again to kill at once)`);
      void stopper.stop();
    },
    () => supervisor.killAllNow(),
  );

  const started = await startCluster(supervisor, layout, flags, checked.value.agentResources, io, zookeeper);
  if (!stopper.isStopping) {
    if (started.ok) printSummary(supervisor, layout, flags, started.value, io);
    else io.error(`berth local: ${started.error}`);
  }
  const code = started.ok || stopper.isStopping ? 0 : 1;
  if (started.ok) await stopper.requested;
  await stopper.stop();
  removeSignalHandlers();
  return code;
}

/** Masters that --ha runs, with one ZooKeeper: a majority survives one loss. */
const haMasters = 3;

/** A session short enough that a killed leader is replaced within seconds on one machine. */
const haSessionTimeout = '5secs';

/**
 * Starts the master (with --ha: a ZooKeeper, then three masters electing a
 * leader through it), then every agent at once; the first failure is the
 * error. Answers where the masters are: a URL, or with --ha their zk:// URL.
 */
async function startCluster(
  supervisor: LocalSupervisor,
  layout: LocalLayout,
  flags: LocalFlags,
  agentResources: readonly string[],
  io: LocalIo,
  zookeeper: { server: ZooKeeperServer | undefined },
): Promise<Result<string, string>> {
  let masterAddress: string;
  let masterUrl: string;
  if (flags.ha) {
    io.out('starting zookeeper');
    const started = await startZooKeeperServer(join(layout.workDir, 'zookeeper'), await freePort(), { ...process.env, [localMarkerVariable]: layout.workDir });
    if (!started.ok) return started;
    zookeeper.server = started.value;
    masterAddress = `zk://${started.value.address}/berth`;
    const masters = Array.from({ length: haMasters }, (_, index) =>
      masterSpec(layout, index === 0 ? flags.port : 0, `master${index + 1}`, [`--zk=${masterAddress}`, `--zk_session_timeout=${haSessionTimeout}`]),
    );
    io.out(`starting ${masters.map((spec) => spec.name).join(', ')}`);
    const startedMasters = await Promise.all(masters.map((spec) => supervisor.start(spec)));
    const failed = startedMasters.find((master) => !master.ok);
    if (failed !== undefined && !failed.ok) return err(failed.error);
    masterUrl = masterAddress;
  } else {
    io.out('starting master');
    const master = await supervisor.start(masterSpec(layout, flags.port));
    if (!master.ok) return master;
    masterUrl = master.value.url;
    masterAddress = addressOfUrl(masterUrl);
  }
  const specs = agentResources.map((resources, index) =>
    agentSpec(layout, {
      agentIndex: index + 1,
      masterPort: flags.port === 0 ? 0 : flags.ha ? flags.port : portOfUrl(masterUrl),
      masterAddress,
      resources,
    }),
  );
  io.out(`starting ${specs.map((spec) => spec.name).join(', ')}`);
  const agents = await Promise.all(specs.map((spec) => supervisor.start(spec)));
  const failed = agents.find((agent) => !agent.ok);
  return failed !== undefined && !failed.ok ? err(failed.error) : ok(masterUrl);
}

function printSummary(
  supervisor: LocalSupervisor,
  layout: LocalLayout,
  flags: LocalFlags,
  masterUrl: string,
  io: LocalIo,
): void {
  const restart = restartCommand(flags, io, '<name>');
  io.out('');
  io.out(flags.ha ? `berth local: masters elect a leader through ${masterUrl} (any master redirects to it)` : `berth local: master at ${masterUrl}`);
  io.out('');
  for (const line of formatProcessTable(supervisor.rows(), io.cwd).split('\n')) io.out(line);
  io.out('');
  io.out(`Restart one of them from another terminal here: ${restart}`);
  io.out(`(control socket: ${shownPath(layout.socketPath, io.cwd)})`);
  io.out('Press Ctrl-C to stop');
}

/** `berth local restart <name>`, as this user can run it from the same directory. */
function restartCommand(flags: LocalFlags, io: LocalIo, name: string): string {
  const workDirFlag = flags.work_dir === localFlags.work_dir.defaultValue ? '' : ` --work_dir=${flags.work_dir}`;
  return `${berthCommand(io)} local restart ${name}${workDirFlag}`;
}

/** `berth` when run as the installed bin, else `node <path of the entry>` (e.g. under `npm start`). */
function berthCommand(io: LocalIo): string {
  const invoked = process.argv[1] ?? '';
  return basename(invoked) === 'berth' ? 'berth' : `node ${shownPath(cliEntryPath(), io.cwd)}`;
}

async function stopCluster(
  supervisor: LocalSupervisor,
  server: Server,
  connectPath: string,
  layout: LocalLayout,
  io: LocalIo,
  zookeeper: { server: ZooKeeperServer | undefined },
): Promise<void> {
  await supervisor.stopAll(io.out);
  // After the masters (they would exit on losing their sessions), before the sweep for leftovers (it carries the marker too).
  if (zookeeper.server !== undefined) {
    io.out('stopping zookeeper');
    await zookeeper.server.stop();
  }
  const leftovers = findMarkedProcesses(markerEntry(layout.workDir));
  if (leftovers.length > 0) {
    const processes = leftovers.length === 1 ? 'process' : 'processes';
    io.out(`stopping ${leftovers.length} ${processes} the agents left running (pids ${leftovers.join(' ')})`);
    await killProcesses(leftovers, leftoverGraceMs);
  }
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
  removeSocketFile(connectPath);
  io.out('berth local stopped');
}

function removeSocketFile(connectPath: string): void {
  try {
    unlinkSync(connectPath);
  } catch {
    // Already gone: Node may remove it on close.
  }
}

/**
 * Runs the stop once, whether a signal or a failed start asks first, and lets
 * the main flow wait until a stop is asked for.
 */
class Stopper {
  private stopping: Promise<void> | undefined;
  private resolveRequested: () => void = () => undefined;
  readonly requested = new Promise<void>((resolve) => {
    this.resolveRequested = resolve;
  });

  constructor(private readonly run: () => Promise<void>) {}

  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  stop(): Promise<void> {
    this.resolveRequested();
    this.stopping ??= this.run();
    return this.stopping;
  }
}
