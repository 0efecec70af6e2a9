/**
 * Masters in high availability through a real ZooKeeper (spec/core.md 5.1):
 * three masters with --zk elect one leader, in Mesos' layout; the others
 * send requests there with 307; an agent given --master=zk://... links to the
 * leader. The leader is killed with SIGKILL: with a 2 s session timeout
 * another is elected, the agent re-registers with it, keeping its running
 * task, its reservation and its persistent volume, the framework
 * re-subscribes there with its id, and a new task reads the data a task
 * wrote into the volume before the fail-over. A --zk that names no
 * reachable ZooKeeper stops the master's start with one line.
 *
 * Method: ZooKeeper from Debian's package (test/support/zookeeper.ts); the
 * masters, the agent and a framework are real processes and HTTP clients.
 */
import { describe, expect, it } from 'vitest';
import { connectZooKeeper } from '../../src/ha/zookeeper-group.js';
import { freshTestDir, runBerth, stderrLines } from '../support/berth-cli.js';
import { startAgent, startMaster, useCluster, waitFor } from '../support/cluster.js';
import { useZooKeeper, zooKeeperInstalled } from '../support/zookeeper.js';
import { leaderAmong, stateAnswer } from './ha-helpers.js';
import { fastMasterFlags, legacyAgents, pidIn, useSessions } from './helpers.js';
import type { FrameworkInfo } from '../../src/protocol/mesos.js';
import { Scheduler } from '../../src/sdk/index.js';
import { offerWith } from './operation-feedback.js';
import { agentExecutor, commandTask, launch, processExists, scalar, untilState } from './task-helpers.js';
import { agentFlags, createAndWrite, readBack, storageFramework } from './volume-helpers.js';

useCluster();

const { open } = useSessions();

const zookeeper = useZooKeeper();

function zkUrl(): string {
  return `zk://${zookeeper.address()}/berth-ha-${process.pid}`;
}

/** The group's znodes and what each holds, read with a plain ZooKeeper client. */
async function groupMembers(): Promise<{ name: string; info: unknown }[]> {
  const connected = await connectZooKeeper(zookeeper.address(), 20_000, 20_000);
  if (!connected.ok) throw new Error(connected.error);
  const client = connected.value;
  try {
    const path = new URL(zkUrl().replace('zk://', 'http://')).pathname;
    const names = await new Promise<string[]>((resolve, reject) => client.getChildren(path, (error, children) => (error ? reject(new Error(String(error))) : resolve(children))));
    return await Promise.all(
      names.map(
        (name) =>
          new Promise<{ name: string; info: unknown }>((resolve, reject) =>
            client.getData(`${path}/${name}`, (error, data) => (error ? reject(new Error(String(error))) : resolve({ name, info: JSON.parse(data.toString('utf8')) as unknown }))),
          ),
      ),
    );
  } finally {
    client.close();
  }
}

describe.skipIf(!zooKeeperInstalled())('high availability with ZooKeeper', () => {
  it('elects one leader; standbys redirect; the leader killed, another leads, the agent and framework come back, and a new task reads the volume', async () => {
    const masterFlags = [...fastMasterFlags, `--zk=${zkUrl()}`, '--zk_session_timeout=2secs'];
    const masters = await Promise.all([0, 1, 2].map((n) => startMaster({ name: `master${n}`, flags: masterFlags })));
    const leader = await leaderAmong(masters);
    // Mesos' layout, which its tools read: one ephemeral json.info_NNNNNNNNNN per master, MasterInfo as JSON.
    // The shared registry lives beside them (`registry`, no sequence number: the election ignores it, as Mesos' does).
    const members = (await groupMembers()).filter((member) => member.name !== 'registry');
    expect(members.map((member) => member.name)).toEqual(expect.arrayContaining([expect.stringMatching(/^json\.info_\d{10}$/)]));
    expect(members).toHaveLength(3);
    const lowest = [...members].sort((a, b) => a.name.localeCompare(b.name))[0];
    expect(lowest?.info).toMatchObject({ address: { port: Number(new URL(leader.url).port) } });
    for (const standby of masters.filter((master) => master !== leader)) {
      const answer = await stateAnswer(standby);
      expect(answer.status).toBe(307);
      expect(answer.location).toBe(`//${new URL(leader.url).host}/master/state`);
    }

    const agent = await startAgent(leader.url, { flags: [...agentFlags, `--master=${zkUrl()}`] });
    await waitFor(async () => (await legacyAgents(leader.url)).length === 1, { message: 'the agent registered with the leader' });
    // A reservation and a volume with data, and a task that keeps running.
    const first = await open(leader.url, storageFramework());
    await createAndWrite(first, agent);
    const offer = await offerWith(first, () => true);
    await launch(first, offer, [commandTask(offer, 'steady', 'echo $$ > pid; exec sleep 1000')], 0);
    await untilState(first, 'steady', 'TASK_RUNNING');
    const pid = await pidIn((await agentExecutor(agent.url, first.frameworkId, 'steady'))?.directory);
    await first.close();

    leader.kill('SIGKILL');
    const survivors = masters.filter((master) => master !== leader);
    const next = await leaderAmong(survivors);
    const reregistered = await waitFor(
      async () => {
        const [listed] = await legacyAgents(next.url);
        return listed?.active === true ? listed : undefined;
      },
      { message: 'the agent re-registered with the new leader', timeoutMs: 30_000 },
    );
    // The new leader learnt the reservation and the volume from the agent.
    expect(JSON.stringify(reregistered['reserved_resources_full'])).toContain('"id":"pv-1"');
    const second = await open(next.url, { ...storageFramework(), id: { value: first.frameworkId } });
    expect(second.frameworkId).toBe(first.frameworkId);
    const tasks = await fetch(`${next.url}/master/tasks`).then((answer) => answer.json() as Promise<{ tasks: { id: string; state: string }[] }>);
    expect(tasks.tasks.find((task) => task.id === 'steady')?.state).toBe('TASK_RUNNING');
    expect(processExists(pid)).toBe(true);
    // A new task reads what the first one wrote into the volume.
    await readBack(second, agent.url);
    // The storage CLI finds the new leader in ZooKeeper.
    const listed = await runBerth(['volumes', 'list', `--master=${zkUrl()}`, '--json']);
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('"pv-1"');
    await second.teardown();
  }, 120_000);

  it('a framework on the SDK rides through a master fail-over and an agent restart with no code of its own for them', async () => {
    const masterFlags = [...fastMasterFlags, `--zk=${zkUrl()}-sdk`, '--zk_session_timeout=2secs'];
    const masters = await Promise.all([0, 1, 2].map((n) => startMaster({ name: `sdk-master${n}`, flags: masterFlags })));
    const leader = await leaderAmong(masters);
    const agent = await startAgent(leader.url, { flags: [...agentFlags, `--master=${zkUrl()}-sdk`] });
    await waitFor(async () => (await legacyAgents(leader.url)).length === 1, { message: 'the agent registered' });
    // The framework as its author writes it: launch one task on the first offer, decline the rest, follow updates.
    const states: string[] = [];
    let subscriptions = 0;
    let launched = false;
    const scheduler: Scheduler = new Scheduler({
      // Given ZooKeeper, as a Mesos framework is: the SDK follows the leader there.
      masters: [`${zkUrl()}-sdk`],
      frameworkInfo: { user: 'root', name: 'sdk-rider', checkpoint: true, failover_timeout: 3600 } as FrameworkInfo,
      backoff: { initialMs: 100, maxMs: 1_000 },
      handlers: {
        onSubscribed: () => {
          subscriptions++;
        },
        onOffers: async (offers) => {
          for (const offer of offers) {
            if (launched) {
              await scheduler.decline([offer.id], { refuse_seconds: 3600 });
              continue;
            }
            launched = true;
            const task = { name: 'rider', task_id: { value: 'rider' }, resources: [scalar('cpus', 0.1), scalar('mem', 32)], command: { value: 'echo $$ > pid; exec sleep 1000' } };
            await scheduler.launch(offer, [task as never]);
          }
        },
        onUpdate: (status) => {
          if (status.task_id.value === 'rider') states.push(status.state);
        },
        onError: () => undefined,
      },
    });
    try {
      await scheduler.start();
      await waitFor(() => states.includes('TASK_RUNNING'), { message: 'the task running', timeoutMs: 20_000 });
      const pid = await pidIn((await agentExecutor(agent.url, scheduler.frameworkId ?? '', 'rider'))?.directory);

      leader.kill('SIGKILL');
      const next = await leaderAmong(masters.filter((master) => master !== leader));
      await waitFor(() => subscriptions >= 2 && scheduler.isSubscribed, { message: 'the framework re-subscribed to the new leader', timeoutMs: 30_000 });
      await waitFor(async () => (await legacyAgents(next.url)).some((listed) => listed.active), { message: 'the agent re-registered', timeoutMs: 30_000 });

      const restarted = await agent.restart();
      await waitFor(async () => (await legacyAgents(next.url)).some((listed) => listed.active && listed.port === Number(new URL(restarted.url).port)), {
        message: 'the restarted agent re-registered',
        timeoutMs: 30_000,
      });
      expect(processExists(pid)).toBe(true);
      expect(states.filter((state) => state !== 'TASK_STARTING' && state !== 'TASK_RUNNING')).toEqual([]);
      // Still the framework's to command: a kill through the SDK ends it.
      await scheduler.kill({ value: 'rider' });
      await waitFor(() => states.includes('TASK_KILLED'), { message: 'the task killed through the SDK', timeoutMs: 20_000 });
    } finally {
      await scheduler.teardownWithin(5_000);
    }
  }, 120_000);

  it('a --zk that names no reachable ZooKeeper stops the master with one line', async () => {
    const workDir = freshTestDir('ha-bad-zk-');
    const run = await runBerth(['master', '--ip=127.0.0.1', '--port=0', `--work_dir=${workDir}`, '--zk=zk://127.0.0.1:1/berth', '--zk_session_timeout=1secs'], 20_000);
    expect(run.status).toBe(1);
    expect(stderrLines(run), run.stderr).toEqual(['--zk: Cannot reach ZooKeeper at 127.0.0.1:1 within 1000 ms']);
  }, 30_000);
});
