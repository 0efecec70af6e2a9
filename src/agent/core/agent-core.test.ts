/**
 * The agent core's link to the master (registration, pings, silence, backoff,
 * 410, waiting for executors after a restart) and the built-in command
 * executor's life: launch, updates, exits, kills, health checks and
 * max_completion_time (spec/core.md 2.5, docs/protocol.md).
 */
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../lib/random.js';
import { frameworksJson } from '../views/frameworks.js';
import {
  AgentDriver,
  FW,
  agentIp,
  commandTask,
  customTask,
  frameworkInfo,
  kinds,
  ofType,
  persisted,
  persistedUpdates,
  recovered,
  sentUpdates,
  startCommandTask,
} from './testing.js';

const T0 = 1_000_000;

describe('agent core: the link', () => {
  it('opens the first link after a random part of the backoff factor', () => {
    const d = new AgentDriver({ seed: 11 });
    const delay = new SeededRandom(11).next() * 1000;
    expect(d.core.nextDeadlineMs()).toBe(T0 + delay);
    expect(kinds(d.tick(T0 + delay - 0.5))).toEqual([]);
    const epoch = Math.floor(T0 + delay);
    expect(d.tick(T0 + delay)).toEqual([
      {
        type: 'open_link',
        epoch,
        request: { protocol_version: 1, epoch, agent_info: d.config.info, version: '1.11.0', capabilities: ['MULTI_ROLE', 'HIERARCHICAL_ROLE', 'RESERVATION_REFINEMENT'] },
      },
    ]);
    expect(d.state.link.status).toBe('linking');
  });

  it('persists the id REGISTERED gives, answers each PING with a PONG in sequence', () => {
    const d = new AgentDriver();
    const registered = d.link('agent-1');
    expect(ofType(registered, 'persist_agent_id')).toEqual([{ type: 'persist_agent_id', agentId: 'agent-1' }]);
    expect(d.state.link).toMatchObject({ status: 'linked', epoch: d.epoch, pingTimeoutMs: 75_000 });
    const ping = { type: 'PING', ping: { connected: true } } as const;
    expect(d.master(ping).effects).toEqual([{ type: 'send_message', epoch: d.epoch, seq: 1, message: { type: 'PONG' } }]);
    expect(d.master(ping).effects).toEqual([{ type: 'send_message', epoch: d.epoch, seq: 2, message: { type: 'PONG' } }]);
  });

  it('links again with a larger epoch when the master falls silent past the ping timeout', () => {
    const d = new AgentDriver();
    d.link('agent-1', 30);
    const first = d.epoch ?? 0;
    d.advance(20_000);
    d.master({ type: 'PING', ping: { connected: true } });
    const heard = d.nowMs;
    expect(d.core.nextDeadlineMs()).toBe(heard + 30_001);
    expect(kinds(d.tick(heard + 30_000))).toEqual([]);
    expect(ofType(d.tick(heard + 30_001), 'close_link')).toEqual([{ type: 'close_link', epoch: first }]);
    const open = d.openLink();
    expect(open.epoch).toBeGreaterThan(first);
    expect(open.request.agent_id).toEqual({ value: 'agent-1' });
    // The same id again: nothing to persist.
    expect(ofType(d.register('agent-1', 30), 'persist_agent_id')).toEqual([]);
  });

  it('backs off randomly in [0, factor x 2^failures], capped, after failed link attempts', () => {
    const d = new AgentDriver({ seed: 5 });
    const mirror = new SeededRandom(5);
    mirror.next(); // the initial delay
    d.openLink();
    for (let failures = 1; failures <= 8; failures++) {
      const effects = d.step({ type: 'link_failed', epoch: d.epoch ?? 0, message: 'connection refused' }).effects;
      expect(ofType(effects, 'close_link')).toEqual([{ type: 'close_link', epoch: d.epoch }]);
      const bound = Math.min(60_000, 1000 * 2 ** failures);
      expect(d.core.nextDeadlineMs()).toBe(d.nowMs + mirror.next() * bound);
      d.openLink();
    }
  });

  it('drops its id after a 410 when nothing runs, and registers anew', () => {
    const d = new AgentDriver({ agentId: 'old-agent' });
    expect(d.openLink().request.agent_id).toEqual({ value: 'old-agent' });
    d.step({ type: 'link_failed', epoch: d.epoch ?? 0, status: 410, message: 'Agent old-agent was removed' });
    expect(d.state.agentId).toBeUndefined();
    const open = d.openLink();
    expect(open.request.agent_id).toBeUndefined();
    expect(ofType(d.register('agent-2'), 'persist_agent_id')).toEqual([{ type: 'persist_agent_id', agentId: 'agent-2' }]);
  });

  it('keeps its id after a 410 while a task still runs', () => {
    const d = new AgentDriver();
    d.link();
    startCommandTask(d);
    d.step({ type: 'link_closed', epoch: d.epoch ?? 0 });
    d.openLink();
    d.step({ type: 'link_failed', epoch: d.epoch ?? 0, status: 410, message: 'gone' });
    expect(d.state.agentId).toBe('agent-1');
    expect(d.openLink().request.agent_id).toEqual({ value: 'agent-1' });
  });

  it('links again when the master refuses a message, or a record is out of sequence', () => {
    const d = new AgentDriver();
    d.link();
    const first = d.epoch ?? 0;
    expect(ofType(d.step({ type: 'message_refused', epoch: first, message: 'stale' }).effects, 'close_link')).toEqual([{ type: 'close_link', epoch: first }]);
    const second = d.openLink().epoch;
    expect(second).toBeGreaterThan(first);
    d.register();
    const gap = d.step({ type: 'link_record', epoch: second, record: { type: 'PING', ping: { connected: true }, seq: 5 } }).effects;
    expect(ofType(gap, 'close_link')).toEqual([{ type: 'close_link', epoch: second }]);
    expect(ofType(gap, 'send_message')).toEqual([]);
    // Records of an old link are ignored.
    expect(kinds(d.step({ type: 'link_record', epoch: first, record: { type: 'PING', ping: { connected: true }, seq: 2 } }).effects)).toEqual([]);
  });

  it('stops linking when the master says SHUTDOWN', () => {
    const d = new AgentDriver();
    d.link();
    const effects = d.master({ type: 'SHUTDOWN', shutdown: { message: 'Agent removed' } }).effects;
    expect(effects).toEqual([
      { type: 'close_link', epoch: d.epoch },
      { type: 'shutdown', message: 'Agent removed' },
    ]);
    for (let i = 1; i <= 5; i++) expect(ofType(d.advance(60_000), 'open_link')).toEqual([]);
  });

  describe('after a restart with a custom executor to re-subscribe', () => {
    function journal() {
      const d = new AgentDriver();
      d.link();
      d.runTask(customTask('t1'));
      d.started(d.containerOf('exec-1'));
      d.subscribe('exec-1');
      return d.journal;
    }

    it('does not link until the executor subscribes', () => {
      const { driver } = recovered(journal(), { nowMs: 2_000_000 });
      expect(driver.core.nextDeadlineMs()).toBe(2_002_000);
      expect(ofType(driver.tick(2_001_500), 'open_link')).toEqual([]);
      const { effects, reply } = driver.subscribe('exec-1', 'conn-2', { unacknowledged_tasks: [customTask('t1') as never] });
      expect(reply).toEqual({ status: 200 });
      const [open] = ofType(effects, 'open_link');
      expect(open?.request).toMatchObject({ agent_id: { value: 'agent-1' }, executors: [{ framework_id: { value: FW } }], tasks: [{ task: { task_id: { value: 't1' } }, state: 'TASK_STAGING' }] });
    });

    it('links once the re-registration timeout has passed, destroying the executor', () => {
      const { driver } = recovered(journal(), { nowMs: 2_000_000 });
      expect(ofType(driver.tick(2_001_999), 'open_link')).toEqual([]);
      const effects = driver.tick(2_002_000);
      expect(kinds(effects)).toEqual(['destroy_container', 'open_link']);
      expect(ofType(effects, 'destroy_container')).toEqual([{ type: 'destroy_container', containerId: driver.containerOf('exec-1'), gracePeriodMs: 0 }]);
    });
  });
});

describe('agent core: command tasks', () => {
  it('makes framework, executor and task durable before launching the container', () => {
    const d = new AgentDriver();
    d.link();
    const effects = d.runTask(commandTask('t1'));
    expect(kinds(effects)).toEqual(['persist:framework', 'persist:executor', 'expose_sandbox', 'persist:task', 'launch_container']);
    const containerId = d.containerOf('t1');
    const directory = `/var/lib/berth/slaves/agent-1/frameworks/${FW}/executors/t1/runs/${containerId}`;
    expect(persisted(effects)).toEqual([
      { v: 1, type: 'framework', framework_id: FW, info: frameworkInfo() },
      {
        v: 1,
        type: 'executor',
        framework_id: FW,
        executor_id: 't1',
        container_id: containerId,
        kind: 'command',
        directory,
        info: expect.objectContaining({ executor_id: { value: 't1' }, name: "Command Executor (Task: t1) (Command: sh -c 'sleep 100')", source: 't1' }),
      },
      { v: 1, type: 'task', framework_id: FW, executor_id: 't1', task: commandTask('t1') },
    ]);
    const [launch] = ofType(effects, 'launch_container');
    expect(launch?.launch).toMatchObject({ containerId, frameworkId: FW, executorId: 't1', directory, argv: ['/bin/sh', '-c', 'sleep 100'], user: undefined, uris: [] });
    expect(kinds(d.runTask(commandTask('t2', { command: { value: 'sleep 1000000000' } })))).toContain('launch_container');
    expect(d.state.frameworks.get(FW)?.executors.get('t2')?.info['name']).toBe("Command Executor (Task: t2) (Command: sh -c 'sleep 100000...')");
    expect(launch?.launch.environment).toMatchObject({ MESOS_TASK_ID: 't1', MESOS_EXECUTOR_ID: 't1', MESOS_SANDBOX: directory, MESOS_AGENT_ENDPOINT: `${agentIp}:5051`, PATH: '/usr/bin:/bin' });
  });

  it('sends TASK_STARTING then TASK_RUNNING as the command executor once the container started', () => {
    const d = new AgentDriver();
    d.link();
    const { containerId, effects } = startCommandTask(d);
    expect(kinds(effects)).toEqual(['persist:container_started', 'persist:update', 'send_message', 'persist:update']);
    const updates = persistedUpdates(effects);
    expect(updates.map((s) => s.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING']);
    for (const status of updates) {
      expect(status).toMatchObject({
        task_id: { value: 't1' },
        source: 'SOURCE_EXECUTOR',
        executor_id: { value: 't1' },
        agent_id: { value: 'agent-1' },
        timestamp: d.nowMs / 1000,
        container_status: { container_id: { value: containerId }, network_infos: [{ ip_addresses: [{ ip_address: agentIp }] }] },
      });
      expect(Buffer.from(status.uuid ?? '', 'base64')).toHaveLength(16);
    }
    expect(updates[0]?.uuid).not.toBe(updates[1]?.uuid);
    expect(sentUpdates(effects)).toEqual([{ ...updates[0], latest_state: 'TASK_STARTING' }]);
  });

  it.each([
    [{ exited: 0 }, 'TASK_FINISHED', 'Command exited with status 0'],
    [{ exited: 3 }, 'TASK_FAILED', 'Command exited with status 3'],
    [{ signaled: 11 }, 'TASK_FAILED', 'Command terminated with signal Segmentation fault'],
  ] as const)('reports the exit %o as %s', (status, state, message) => {
    const d = new AgentDriver();
    d.link();
    const { containerId } = startCommandTask(d);
    const effects = d.exited(containerId, status);
    expect(persisted(effects)[0]).toEqual({ v: 1, type: 'executor_terminated', framework_id: FW, executor_id: 't1', container_id: containerId, status });
    expect(ofType(effects, 'stop_health_check')).toEqual([{ type: 'stop_health_check', frameworkId: FW, taskId: 't1' }]);
    expect(persistedUpdates(effects)).toEqual([expect.objectContaining({ state, message, source: 'SOURCE_EXECUTOR' })]);
  });

  it('completes the executor after the terminal acknowledgement: garbage collection and history', () => {
    const d = new AgentDriver();
    d.link();
    const { containerId, starting, running } = startCommandTask(d);
    const finished = persistedUpdates(d.exited(containerId, { exited: 0 }))[0]?.uuid ?? '';
    const executor = d.state.frameworks.get(FW)?.executors.get('t1');
    d.ack('t1', starting);
    d.ack('t1', running);
    const effects = d.ack('t1', finished);
    expect(kinds(effects)).toEqual(['persist:ack', 'schedule_gc', 'schedule_gc']);
    expect(ofType(effects, 'schedule_gc')).toEqual([
      { type: 'schedule_gc', path: executor?.directory, completedAtMs: d.nowMs },
      { type: 'schedule_gc', path: executor?.runDirectory, completedAtMs: d.nowMs },
    ]);
    expect(executor?.runDirectory).toBe(`/var/lib/berth/meta/slaves/agent-1/frameworks/${FW}/executors/t1/runs/${containerId}`);
    const [framework] = frameworksJson(d.state).frameworks;
    expect(framework).toMatchObject({ executors: [], completed_executors: [{ id: 't1', tasks: [], completed_tasks: [{ id: 't1', state: 'TASK_FINISHED' }] }] });
    expect(d.state.streams.size).toBe(0);
  });
});

describe('agent core: killing command tasks', () => {
  it('destroys the container with the 3 s default grace period, without TASK_KILLING for frameworks that lack the capability', () => {
    const d = new AgentDriver();
    d.link();
    const { containerId } = startCommandTask(d);
    expect(kinds(d.kill('t1'))).toEqual(['persist:executor_killed', 'destroy_container']);
    expect(ofType(d.kill('t1'), 'destroy_container')).toEqual([{ type: 'destroy_container', containerId, gracePeriodMs: 3000 }]);
    const ended = persistedUpdates(d.exited(containerId, { signaled: 9 }));
    expect(ended).toEqual([expect.objectContaining({ state: 'TASK_KILLED', message: 'Command terminated with signal Killed', source: 'SOURCE_EXECUTOR' })]);
  });

  it('sends TASK_KILLING first for TASK_KILLING_STATE frameworks; the kill policy of the KILL beats the task one', () => {
    const d = new AgentDriver();
    d.link();
    const framework = frameworkInfo({ capabilities: ['MULTI_ROLE', 'TASK_KILLING_STATE'] });
    const { containerId } = startCommandTask(d, 't1', { kill_policy: { grace_period: { nanoseconds: 5e9 } } }, framework);
    const effects = d.kill('t1');
    expect(kinds(effects)).toEqual(['persist:executor_killed', 'persist:update', 'destroy_container']);
    expect(persistedUpdates(effects)).toEqual([expect.objectContaining({ state: 'TASK_KILLING', source: 'SOURCE_EXECUTOR' })]);
    expect(ofType(effects, 'destroy_container')).toEqual([{ type: 'destroy_container', containerId, gracePeriodMs: 5000 }]);
    const again = d.kill('t1', 1000);
    expect(kinds(again)).toEqual(['destroy_container']);
    expect(ofType(again, 'destroy_container')[0]?.gracePeriodMs).toBe(1000);
  });

  it('answers a KILL of an unknown task with TASK_LOST (TASK_DROPPED if partition aware), reliably', () => {
    for (const [capabilities, state] of [[['MULTI_ROLE'], 'TASK_LOST'], [['PARTITION_AWARE'], 'TASK_DROPPED']] as const) {
      const d = new AgentDriver();
      d.link();
      startCommandTask(d, 't1', {}, frameworkInfo({ capabilities: [...capabilities] }));
      const effects = d.kill('nope');
      const [sent] = sentUpdates(effects);
      expect(sent).toMatchObject({ task_id: { value: 'nope' }, state, source: 'SOURCE_AGENT', reason: 'REASON_EXECUTOR_TERMINATED', latest_state: state });
      expect(persistedUpdates(effects)).toHaveLength(1);
      const retried = sentUpdates(d.advance(10_000)).filter((s) => s.task_id.value === 'nope');
      expect(retried.map((s) => s.uuid)).toEqual([sent?.uuid]);
      expect(persisted(d.ack('nope', sent?.uuid ?? ''))).toEqual([{ v: 1, type: 'ack', framework_id: FW, task_id: 'nope', uuid: sent?.uuid }]);
      expect(sentUpdates(d.advance(60_000)).filter((s) => s.task_id.value === 'nope')).toEqual([]);
    }
  });

  it('answers a KILL before the container started with TASK_KILLED, REASON_TASK_KILLED_DURING_LAUNCH', () => {
    const d = new AgentDriver();
    d.link();
    d.runTask(commandTask('t1'));
    const containerId = d.containerOf('t1');
    const effects = d.kill('t1');
    expect(kinds(effects)).toEqual(['persist:update', 'send_message', 'persist:executor_killed', 'destroy_container']);
    const [killed] = sentUpdates(effects);
    expect(killed).toMatchObject({ state: 'TASK_KILLED', source: 'SOURCE_AGENT', reason: 'REASON_TASK_KILLED_DURING_LAUNCH' });
    expect(ofType(effects, 'destroy_container')).toEqual([{ type: 'destroy_container', containerId, gracePeriodMs: 0 }]);
    // Destroyed while fetching: it never starts, and nothing more is said about the task.
    expect(persistedUpdates(d.exited(containerId, undefined))).toEqual([]);
    expect(ofType(d.ack('t1', killed?.uuid ?? ''), 'schedule_gc')).toHaveLength(2);
  });
});

describe('agent core: health checks and time limits of command tasks', () => {
  const healthCheck = { type: 'COMMAND', command: { value: 'true' }, consecutive_failures: 3 };

  it('starts the check with the task, and reports a change of health as TASK_RUNNING', () => {
    const d = new AgentDriver();
    d.link();
    const { effects } = startCommandTask(d, 't1', { health_check: healthCheck });
    const [start] = ofType(effects, 'start_health_check');
    expect(start?.target).toMatchObject({ frameworkId: FW, taskId: 't1', check: healthCheck, sandbox: d.state.frameworks.get(FW)?.executors.get('t1')?.directory, user: undefined });
    const changed = persistedUpdates(d.step({ type: 'health_changed', frameworkId: FW, taskId: 't1', healthy: true }).effects);
    expect(changed).toEqual([expect.objectContaining({ state: 'TASK_RUNNING', healthy: true, reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED', source: 'SOURCE_EXECUTOR' })]);
  });

  it('kills a task that fails its health check; it ends TASK_KILLED with healthy=false', () => {
    const d = new AgentDriver();
    d.link();
    const { containerId } = startCommandTask(d, 't1', { health_check: healthCheck });
    const effects = d.step({ type: 'health_failed', frameworkId: FW, taskId: 't1' }).effects;
    expect(ofType(effects, 'destroy_container')).toEqual([{ type: 'destroy_container', containerId, gracePeriodMs: 3000 }]);
    const ended = d.exited(containerId, { signaled: 15 });
    expect(ofType(ended, 'stop_health_check')).toEqual([{ type: 'stop_health_check', frameworkId: FW, taskId: 't1' }]);
    expect(persistedUpdates(ended)).toEqual([expect.objectContaining({ state: 'TASK_KILLED', healthy: false, message: 'Command terminated with signal Terminated' })]);
  });

  it('kills a task past its max_completion_time: TASK_FAILED, REASON_MAX_COMPLETION_TIME_REACHED', () => {
    const d = new AgentDriver();
    d.link();
    const framework = frameworkInfo({ capabilities: ['TASK_KILLING_STATE'] });
    const launchedAt = d.nowMs;
    const { containerId } = startCommandTask(d, 't1', { max_completion_time: { nanoseconds: 30e9 } }, framework);
    expect(d.core.nextDeadlineMs()).toBe(launchedAt + 10_000); // the STARTING retry comes first
    expect(ofType(d.tick(launchedAt + 29_999), 'destroy_container')).toEqual([]);
    const effects = d.tick(launchedAt + 30_000);
    expect(ofType(effects, 'destroy_container')).toEqual([{ type: 'destroy_container', containerId, gracePeriodMs: 3000 }]);
    expect(persistedUpdates(effects)).toEqual([]);
    const ended = persistedUpdates(d.exited(containerId, { signaled: 15 }));
    expect(ended).toEqual([expect.objectContaining({ state: 'TASK_FAILED', reason: 'REASON_MAX_COMPLETION_TIME_REACHED', source: 'SOURCE_EXECUTOR' })]);
  });
});
