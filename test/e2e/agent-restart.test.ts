/**
 * Method: a real master and one agent whose work directory survives a crash
 * of the agent process (spec/core.md 5.5). A framework launches `sleep` tasks
 * through the SDK and records every update it receives, so that a doubled or
 * lost update is caught. The agent is killed with SIGKILL and started again
 * with the same work directory and flags (ProcessHandle.restart); the tests
 * then check what the framework sees, the agent's /state, and whether the
 * tasks' processes (pids written into their sandboxes) are alive. A host
 * reboot is simulated as Mesos' own tests do: by changing the boot id the
 * agent recorded in <work_dir>/meta/boot_id.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WireTaskStatus } from '../../src/protocol/outputs.js';
import type { SchedulerSession } from '../../src/sdk/index.js';
import { fetchJson, startAgent, startMaster, useCluster, waitFor, type ProcessHandle } from '../support/cluster.js';
import { fastMasterFlags, frameworkInfo, pidIn, subscribeFramework, waitForActiveAgents } from './helpers.js';

useCluster();

const cliEntry = resolve(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
const agentFlags = ['--registration_backoff_factor=10ms', '--resources=cpus:4;mem:4096', '--status_update_retry_interval=1secs'];

interface Seen {
  readonly statuses: Map<string, WireTaskStatus[]>;
  /** Updates received again after they were acknowledged: "task/uuid state". */
  readonly doubled: string[];
}

/** Records every update; acknowledges it unless `acknowledge` says no. */
function recordUpdates(session: SchedulerSession, acknowledge: (status: WireTaskStatus) => boolean = () => true): Seen {
  const acknowledged = new Set<string>();
  const seen: Seen = { statuses: new Map(), doubled: [] };
  session.on('UPDATE', (event) => {
    const status = (event as { update: { status: WireTaskStatus } }).update.status;
    const key = `${status.task_id.value}/${status.uuid ?? ''}`;
    if (acknowledged.has(key)) seen.doubled.push(`${key} ${status.state}`);
    const list = seen.statuses.get(status.task_id.value) ?? [];
    list.push(status);
    seen.statuses.set(status.task_id.value, list);
    if (status.uuid !== undefined && acknowledge(status)) {
      acknowledged.add(key);
      void session.acknowledgeStatus(status);
    }
  });
  return seen;
}

function states(seen: Seen, taskId: string): string[] {
  return (seen.statuses.get(taskId) ?? []).map((status) => status.state);
}

function lastState(seen: Seen, taskId: string): string | undefined {
  return states(seen, taskId).at(-1);
}

function commandTask(id: string, agentId: string, command: string): object {
  return {
    name: id,
    task_id: { value: id },
    agent_id: { value: agentId },
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.05 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 16 } },
    ],
    command: { value: command },
  };
}

/** Writes the shell's pid to `pid` in the sandbox, then becomes `sleep`. */
const sleeper = 'echo $$ > pid; exec sleep 1000';

interface Cluster {
  readonly master: ProcessHandle;
  readonly agent: ProcessHandle;
  readonly session: SchedulerSession;
  readonly seen: Seen;
  readonly agentId: string;
}

async function startCluster(checkpoint: boolean, acknowledge?: (status: WireTaskStatus) => boolean, extraAgentFlags: readonly string[] = []): Promise<Cluster & { offerId: { value: string } }> {
  const master = await startMaster({ flags: fastMasterFlags });
  const agent = await startAgent(master.url, { flags: [...agentFlags, ...extraAgentFlags] });
  await waitForActiveAgents(master.url, 1);
  const session = await subscribeFramework(master.url, frameworkInfo({ user: 'root', checkpoint }));
  const seen = recordUpdates(session, acknowledge);
  const offers = (await session.nextEvent('OFFERS', 10_000)) as { offers: { offers: { id: { value: string }; agent_id: { value: string } }[] } };
  const offer = offers.offers.offers[0];
  if (offer === undefined) throw new Error('no offer');
  return { master, agent, session, seen, agentId: offer.agent_id.value, offerId: offer.id };
}

async function sandboxes(agentUrl: string): Promise<Map<string, string>> {
  const state = await fetchJson<{ frameworks: { executors: { id: string; directory: string }[] }[] }>(`${agentUrl}/state`);
  return new Map(state.frameworks.flatMap((f) => f.executors).map((e) => [e.id, e.directory]));
}


function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Acknowledgements recorded in the agent's journal. */
function acknowledgementsIn(workDir: string, agentId: string): number {
  const journal = readFileSync(join(workDir, 'meta', 'slaves', agentId, 'journal'), 'utf8');
  return journal.split('\n').filter((line) => line.includes('"type":"ack"')).length;
}

async function crash(agent: ProcessHandle): Promise<void> {
  agent.kill('SIGKILL');
  await agent.exited;
}

describe('agent restart (spec/core.md 5.5)', () => {
  it('keeps 20 tasks running through a SIGKILL of the agent; a task that ended meanwhile is FINISHED; nothing doubled', async () => {
    const { agent, session, seen, agentId, offerId } = await startCluster(true);
    const tasks = Array.from({ length: 20 }, (_, i) => commandTask(`sleeper-${i}`, agentId, sleeper));
    // Ends once the marker file `go` appears, which the test creates while the agent is down.
    const waiter = commandTask('waiter', agentId, 'while [ ! -e go ]; do sleep 0.05; done; exit 0');
    await session.accept([offerId], [{ type: 'LAUNCH', launch: { task_infos: [...tasks, waiter] } }] as never);
    const ids = [...Array(20).keys()].map((i) => `sleeper-${i}`);
    await waitFor(() => [...ids, 'waiter'].every((id) => lastState(seen, id) === 'TASK_RUNNING'), { message: 'every task to run', timeoutMs: 20_000 });
    const directories = await sandboxes(agent.url);
    const pids = await Promise.all(ids.map((id) => pidIn(directories.get(id))));
    // An acknowledgement the agent has not recorded when it dies makes the update come again (at least
    // once, spec/core.md 2.4); here every one is recorded first, so that any repeat is a real double.
    await waitFor(() => acknowledgementsIn(agent.workDir, agentId) === 2 * 21, { message: 'the agent to record every acknowledgement' });

    await crash(agent);
    writeFileSync(join(directories.get('waiter') ?? '', 'go'), '');
    const restarted = await agent.restart();
    await waitFor(() => lastState(seen, 'waiter') === 'TASK_FINISHED', { message: 'the waiter to be reported FINISHED', timeoutMs: 20_000 });

    const after = await fetchJson<{ id: string; frameworks: { executors: { id: string }[] }[] }>(`${restarted.url}/state`);
    expect(after.id).toBe(agentId);
    expect(after.frameworks.flatMap((f) => f.executors).filter((e) => e.id.startsWith('sleeper-'))).toHaveLength(20);
    expect(pids.filter(alive)).toHaveLength(20);
    expect(states(seen, 'waiter')).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
    expect(seen.statuses.get('waiter')?.at(-1)?.message).toBe('Command exited with status 0');
    for (const id of ids) expect(states(seen, id)).toEqual(['TASK_STARTING', 'TASK_RUNNING']);
    expect(seen.doubled).toEqual([]);
    await session.close();
  }, 90_000);

  it('reports a task that failed while the agent was down with its exit status', async () => {
    const { agent, session, seen, agentId, offerId } = await startCluster(true);
    await session.accept([offerId], [{ type: 'LAUNCH', launch: { task_infos: [commandTask('failer', agentId, 'while [ ! -e go ]; do sleep 0.05; done; exit 7')] } }] as never);
    await waitFor(() => lastState(seen, 'failer') === 'TASK_RUNNING', { message: 'the task to run' });
    const directory = (await sandboxes(agent.url)).get('failer') ?? '';
    await crash(agent);
    writeFileSync(join(directory, 'go'), '');
    await agent.restart();
    await waitFor(() => lastState(seen, 'failer') === 'TASK_FAILED', { message: 'the task to be reported FAILED' });
    expect(seen.statuses.get('failer')?.at(-1)?.message).toBe('Command exited with status 7');
    await session.close();
  }, 60_000);

  it('sends an unacknowledged update again after the restart, with the same uuid, and the next one only after its acknowledgement', async () => {
    let acknowledging = false;
    const { agent, session, seen, agentId, offerId } = await startCluster(true, (status) => acknowledging || status.state !== 'TASK_RUNNING');
    await session.accept([offerId], [{ type: 'LAUNCH', launch: { task_infos: [commandTask('quiet', agentId, 'while [ ! -e go ]; do sleep 0.05; done')] } }] as never);
    await waitFor(() => lastState(seen, 'quiet') === 'TASK_RUNNING', { message: 'TASK_RUNNING' });
    const first = seen.statuses.get('quiet')?.at(-1);
    const directory = (await sandboxes(agent.url)).get('quiet') ?? '';
    await crash(agent);
    writeFileSync(join(directory, 'go'), '');
    const count = states(seen, 'quiet').length;
    await agent.restart();
    await waitFor(() => states(seen, 'quiet').length > count, { message: 'the unacknowledged update to come again' });
    const again = seen.statuses.get('quiet')?.at(-1);
    expect(again?.state).toBe('TASK_RUNNING');
    expect(again?.uuid).toBe(first?.uuid);
    // The task ended meanwhile; FINISHED waits behind the unacknowledged RUNNING.
    acknowledging = true;
    await session.acknowledgeStatus(again as WireTaskStatus);
    await waitFor(() => lastState(seen, 'quiet') === 'TASK_FINISHED', { message: 'TASK_FINISHED after the acknowledgement' });
    expect(states(seen, 'quiet').filter((state) => state === 'TASK_FINISHED')).toHaveLength(1);
    await session.close();
  }, 60_000);

  it('reports the tasks of a framework without checkpointing TASK_LOST when the link breaks, and kills them when the agent comes back', async () => {
    const { agent, session, seen, agentId, offerId } = await startCluster(false);
    await session.accept([offerId], [{ type: 'LAUNCH', launch: { task_infos: [commandTask('ephemeral', agentId, sleeper)] } }] as never);
    await waitFor(() => lastState(seen, 'ephemeral') === 'TASK_RUNNING', { message: 'the task to run' });
    const pid = await pidIn((await sandboxes(agent.url)).get('ephemeral'));
    await crash(agent);
    await waitFor(() => lastState(seen, 'ephemeral') === 'TASK_LOST', { message: 'TASK_LOST at once' });
    expect(seen.statuses.get('ephemeral')?.at(-1)?.reason).toBe('REASON_AGENT_DISCONNECTED');
    await agent.restart();
    await waitFor(() => !alive(pid), { message: 'the orphaned task to be killed' });
    await session.close();
  }, 60_000);

  it('after a host reboot (a new boot id) reports every task TASK_LOST with REASON_AGENT_RESTARTED and keeps its id', async () => {
    const { agent, session, seen, agentId, offerId } = await startCluster(true);
    await session.accept([offerId], [{ type: 'LAUNCH', launch: { task_infos: [commandTask('rebooted', agentId, sleeper)] } }] as never);
    await waitFor(() => lastState(seen, 'rebooted') === 'TASK_RUNNING', { message: 'the task to run' });
    const pid = await pidIn((await sandboxes(agent.url)).get('rebooted'));
    await crash(agent);
    writeFileSync(join(agent.workDir, 'meta', 'boot_id'), 'a-boot-id-of-an-earlier-boot\n');
    const restarted = await agent.restart();
    await waitFor(() => lastState(seen, 'rebooted') === 'TASK_LOST', { message: 'TASK_LOST after the reboot' });
    const last = seen.statuses.get('rebooted')?.at(-1);
    expect(last?.reason).toBe('REASON_AGENT_RESTARTED');
    expect(last?.source).toBe('SOURCE_AGENT');
    expect((await fetchJson<{ id: string }>(`${restarted.url}/state`)).id).toBe(agentId);
    // Nothing of the "previous boot" may survive: its processes are killed.
    await waitFor(() => !alive(pid), { message: 'the old process to be killed' });
    await session.close();
  }, 60_000);

  it('with --recover=cleanup kills the tasks of the previous run and exits without registering', async () => {
    const { master, agent, session, seen, agentId, offerId } = await startCluster(true);
    await session.accept([offerId], [{ type: 'LAUNCH', launch: { task_infos: [commandTask('cleaned', agentId, sleeper)] } }] as never);
    await waitFor(() => lastState(seen, 'cleaned') === 'TASK_RUNNING', { message: 'the task to run' });
    const pid = await pidIn((await sandboxes(agent.url)).get('cleaned'));
    await crash(agent);
    const cleanup = spawnSync(process.execPath, [cliEntry, 'agent', `--master=${master.url.replace('http://', '')}`, '--ip=127.0.0.1', '--port=0', `--work_dir=${agent.workDir}`, '--recover=cleanup'], {
      env: { ...process.env, BERTH_TEST_WORK_DIR: agent.workDir },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(cleanup.status).toBe(0);
    expect(cleanup.stdout).toBe('berth agent: cleaned up 1 containers\n');
    expect(alive(pid)).toBe(false);
    await session.close();
  }, 60_000);

  it('refuses to start on an unreadable journal record with --strict, and skips it with --no-strict', async () => {
    const { master, agent, session, seen, agentId, offerId } = await startCluster(true);
    await session.accept([offerId], [{ type: 'LAUNCH', launch: { task_infos: [commandTask('kept', agentId, sleeper)] } }] as never);
    await waitFor(() => lastState(seen, 'kept') === 'TASK_RUNNING', { message: 'the task to run' });
    await crash(agent);
    const journal = join(agent.workDir, 'meta', 'slaves', agentId, 'journal');
    const lines = readFileSync(journal, 'utf8').split('\n');
    writeFileSync(journal, [lines[0], '{"v":1,"type":"nonsense"}', ...lines.slice(1)].join('\n'));
    const strict = await startAgent(master.url, { name: 'strict', flags: [...agentFlags, `--work_dir=${agent.workDir}`] }).catch((error: Error) => error);
    expect(strict).toBeInstanceOf(Error);
    expect(String(strict)).toMatch(/journal/);
    const lenient = await startAgent(master.url, { name: 'lenient', flags: [...agentFlags, `--work_dir=${agent.workDir}`, '--no-strict'] });
    const state = await waitFor(async () => {
      const body = await fetchJson<{ id?: string; frameworks: { executors: { id: string }[] }[] }>(`${lenient.url}/state`);
      return body.id === agentId ? body : undefined;
    }, { message: 'the lenient agent to re-register' });
    expect(state.frameworks.flatMap((f) => f.executors).map((e) => e.id)).toEqual(['kept']);
    await session.close();
  }, 60_000);
});
