/**
 * Leader election after the leading master dies (issue 6): real processes.
 *
 * Method: a ZooKeeper server (Debian's package, src/ha/zookeeper-server.ts)
 * and three masters (the built CLI) with `--zk=zk://<address>/bench-<pid>`
 * and `--zk_session_timeout=2secs`, all under a temporary directory in
 * os.tmpdir(). The leader is the one master that answers GET /master/state
 * (redirects not followed) with 200; the standbys answer 307. The leader is
 * killed with SIGKILL (its process group), and the two others are polled
 * every 10 ms until one answers 200.
 *
 * What is measured, per run: from just before the SIGKILL to the first 200
 * from another master. Beside it, the moment the dead leader's ephemeral
 * znode disappeared, as a watch of this process's own ZooKeeper client saw
 * it: its session's expiry, before which no other master may lead. The
 * anchor is the session timeout: ZooKeeper expires a session once it has
 * not heard from the client for that long (checked every 100 ms tick here);
 * the client pings every third of it. (Measured on the machine this was
 * written on, the node went about the full timeout after the kill, 1.96 to
 * 2.07 s over 13 runs, not up to a ping interval earlier.) What comes after the expiry is
 * berth's part: the standbys' watches firing, the next one seeing itself
 * lowest, making its master's core, answering.
 *
 * Between runs the killed master is started again (a fresh work directory,
 * joining as a standby with a higher sequence number), and the next run
 * waits for one leader and two standbys that redirect to it. Every master
 * and the ZooKeeper server are stopped and the directory removed at the end,
 * also on failure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zookeeper from 'node-zookeeper-client';
import { freePort } from '../src/lib/free-port.js';
import { signalGroup } from '../src/local/process-group.js';
import { startZooKeeperServer, zooKeeperInstalled, type ZooKeeperServer } from '../src/ha/zookeeper-server.js';
import { connectZooKeeper } from '../src/ha/zookeeper-group.js';
import { startBerthProcess, stopBerthProcesses, type Started } from './launch-rate.js';

export const sessionTimeoutSeconds = 2;
export const leaderElectionRuns = 3;
const masterCount = 3;
const pollMs = 10;
/** How long a new leader may take before the run fails. */
const electionTimeoutMs = 30_000;
const settleTimeoutMs = 30_000;

export interface ElectionRun {
  /** From just before the SIGKILL to the first 200 from another master. */
  readonly electedMs: number;
  /** From just before the SIGKILL until the dead leader's znode was gone (its session expired). */
  readonly sessionExpiredMs: number;
  /** The new leader's 200 after the node was gone. */
  readonly afterExpiryMs: number;
}

export interface LeaderElectionResult {
  readonly sessionTimeoutSeconds: number;
  readonly runs: readonly ElectionRun[];
}

export interface LeaderElectionOptions {
  readonly progress: (line: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** How a master answers GET /master/state, redirects not followed: 200 (leads), 307 (standby), 503, or 0 (no answer). */
async function stateStatus(master: Started): Promise<number> {
  try {
    const answer = await fetch(`${master.url}/master/state`, { redirect: 'manual' });
    await answer.body?.cancel();
    return answer.status;
  } catch {
    return 0;
  }
}

/** Waits for one master answering 200 and every other 307. */
async function stableLeader(masters: readonly Started[]): Promise<Started> {
  const deadlineMs = Date.now() + settleTimeoutMs;
  for (;;) {
    const statuses = await Promise.all(masters.map(stateStatus));
    const leaders = masters.filter((_, index) => statuses[index] === 200);
    if (leaders.length === 1 && statuses.filter((status) => status === 307).length === masters.length - 1) return leaders[0] as Started;
    if (Date.now() > deadlineMs) throw new Error(`no stable leader among ${masters.length} masters within ${settleTimeoutMs} ms (answers: ${statuses.join(', ')})`);
    await sleep(100);
  }
}

/** Polls `masters` every `pollMs` until one answers 200; resolves with it and the moment of that answer. */
async function firstLeader(masters: readonly Started[]): Promise<{ master: Started; atMs: number }> {
  let found: { master: Started; atMs: number } | undefined;
  const deadlineMs = performance.now() + electionTimeoutMs;
  await Promise.all(
    masters.map(async (master) => {
      while (found === undefined && performance.now() < deadlineMs) {
        if ((await stateStatus(master)) === 200) {
          found ??= { master, atMs: performance.now() };
          return;
        }
        await sleep(pollMs);
      }
    }),
  );
  if (found === undefined) throw new Error(`no master answered 200 within ${electionTimeoutMs} ms of the leader's kill`);
  return found;
}

/** A plain ZooKeeper client, to see the group's nodes as the masters do. */
async function connectClient(address: string): Promise<zookeeper.Client> {
  const connected = await connectZooKeeper(address, 10_000, 10_000);
  if (!connected.ok) throw new Error(connected.error);
  return connected.value;
}

/** The leader's znode: the lowest contender, checked against the leader's port. */
function leaderNode(client: zookeeper.Client, path: string, leader: Started): Promise<string> {
  return new Promise((resolve, reject) => {
    client.getChildren(path, (error, children) => {
      if (error) return reject(new Error(`cannot list ${path}: ${String(error)}`));
      const lowest = children.filter((child) => child.startsWith('json.info_')).sort()[0];
      if (lowest === undefined) return reject(new Error(`no contender under ${path}`));
      client.getData(`${path}/${lowest}`, (dataError, data) => {
        if (dataError) return reject(new Error(`cannot read ${path}/${lowest}: ${String(dataError)}`));
        const info = JSON.parse(data.toString('utf8')) as { address?: { port?: number } };
        const port = Number(new URL(leader.url).port);
        if (info.address?.port !== port) return reject(new Error(`the lowest contender ${lowest} is at port ${String(info.address?.port)}, the leader at ${port}`));
        resolve(lowest);
      });
    });
  });
}

/** Resolves with the moment `node` is seen gone (a watch on it; looked at again after each event). */
function nodeGone(client: zookeeper.Client, node: string): Promise<number> {
  return new Promise((resolve) => {
    let done = false;
    const look = (): void => {
      if (done) return;
      client.exists(
        node,
        () => look(),
        (error, stat) => {
          if (done) return;
          if (error) {
            setTimeout(look, pollMs);
            return;
          }
          if (stat === null || stat === undefined) {
            done = true;
            resolve(performance.now());
          }
        },
      );
    };
    look();
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function summarizeLeaderElection(result: LeaderElectionResult): { medianMs: number; maxMs: number; medianExpiredMs: number; medianAfterExpiryMs: number } {
  return {
    medianMs: median(result.runs.map((run) => run.electedMs)),
    maxMs: Math.max(...result.runs.map((run) => run.electedMs)),
    medianExpiredMs: median(result.runs.map((run) => run.sessionExpiredMs)),
    medianAfterExpiryMs: median(result.runs.map((run) => run.afterExpiryMs)),
  };
}

export async function runLeaderElection(options: LeaderElectionOptions): Promise<LeaderElectionResult> {
  if (!zooKeeperInstalled()) throw new Error('leader-election cannot run here: ZooKeeper is not installed (/usr/share/java/zookeeper.jar): run scripts/install-deps.sh, or apt-get install zookeeper');
  const root = mkdtempSync(join(tmpdir(), 'berth-bench-leader-election-'));
  const started: Started[] = [];
  let server: ZooKeeperServer | undefined;
  let client: zookeeper.Client | undefined;
  try {
    const zk = await startZooKeeperServer(join(root, 'zookeeper'), await freePort(), process.env);
    if (!zk.ok) throw new Error(zk.error);
    server = zk.value;
    const path = `/bench-${process.pid}`;
    const flags = [`--zk=zk://${server.address}${path}`, `--zk_session_timeout=${sessionTimeoutSeconds}secs`];
    const startMaster = async (): Promise<Started> => {
      const master = await startBerthProcess(root, 'master', flags);
      started.push(master);
      return master;
    };
    let masters = await Promise.all(Array.from({ length: masterCount }, startMaster));
    client = await connectClient(server.address);
    const runs: ElectionRun[] = [];
    for (let run = 1; run <= leaderElectionRuns; run++) {
      const leader = await stableLeader(masters);
      const node = await leaderNode(client, path, leader);
      const survivors = masters.filter((master) => master !== leader);
      const gone = nodeGone(client, `${path}/${node}`);
      const killedAtMs = performance.now();
      signalGroup(leader.child.pid, 'SIGKILL');
      const elected = await firstLeader(survivors);
      const goneAtMs = await gone;
      const electedMs = elected.atMs - killedAtMs;
      const sessionExpiredMs = goneAtMs - killedAtMs;
      runs.push({ electedMs, sessionExpiredMs, afterExpiryMs: electedMs - sessionExpiredMs });
      options.progress(
        `  run ${run} of ${leaderElectionRuns}: ${electedMs.toFixed(0)} ms from the SIGKILL to another master's 200 ` +
          `(the dead leader's node gone after ${sessionExpiredMs.toFixed(0)} ms, the new leader answering ${(electedMs - sessionExpiredMs).toFixed(0)} ms later)`,
      );
      await leader.child.exited;
      // The killed master comes back as a standby, for the next run's trio.
      masters = [...survivors, await startMaster()];
    }
    return { sessionTimeoutSeconds, runs };
  } finally {
    try {
      client?.close();
      await stopBerthProcesses(started);
    } finally {
      try {
        await server?.stop();
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    }
  }
}
