/**
 * Custom executors (spec/core.md 2.1-2.3): launch and the task queue,
 * SUBSCRIBE, UPDATE through the durable stream and ACKNOWLEDGED, messages both
 * ways, the API's refusals, the registration timeout, SHUTDOWN, the
 * container's end, and re-subscription after an agent restart.
 */
import { describe, expect, it } from 'vitest';
import {
  AgentDriver,
  FW,
  agentIp,
  customTask,
  executorEvents,
  executorStatus,
  executorUuid,
  frameworkInfo,
  kinds,
  messages,
  ofType,
  persisted,
  persistedUpdates,
  recovered,
  sentUpdates,
} from './testing.js';

function launched(framework = frameworkInfo()): { d: AgentDriver; containerId: string } {
  const d = new AgentDriver();
  d.link();
  d.runTask(customTask('t1'), framework);
  const containerId = d.containerOf('exec-1');
  d.started(containerId);
  return { d, containerId };
}

function subscribed(framework = frameworkInfo()): { d: AgentDriver; containerId: string } {
  const { d, containerId } = launched(framework);
  d.subscribe('exec-1');
  return { d, containerId };
}

describe('custom executors: launch and subscribe', () => {
  it('launches the executor container and queues its tasks', () => {
    const d = new AgentDriver();
    d.link();
    const effects = d.runTask(customTask('t1'));
    expect(kinds(effects)).toEqual(['persist:framework', 'persist:executor', 'expose_sandbox', 'launch_container', 'persist:task']);
    const executor = d.state.frameworks.get(FW)?.executors.get('exec-1');
    const [launch] = ofType(effects, 'launch_container');
    expect(launch?.launch).toMatchObject({ containerId: executor?.containerId, executorId: 'exec-1', argv: ['/bin/sh', '-c', './my-executor'] });
    expect(launch?.launch.environment).toMatchObject({
      MESOS_FRAMEWORK_ID: FW,
      MESOS_EXECUTOR_ID: 'exec-1',
      MESOS_AGENT_ENDPOINT: `${agentIp}:5051`,
      MESOS_CHECKPOINT: '1',
      MESOS_RECOVERY_TIMEOUT: '900secs',
      MESOS_SUBSCRIPTION_BACKOFF_MAX: '2secs',
      MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: '5secs',
    });
    expect([...(executor?.queuedTasks.keys() ?? [])]).toEqual(['t1']);
    // A second task for the same executor is queued, no second container: the first one's isolators follow its resources.
    expect(kinds(d.runTask(customTask('t2')))).toEqual(['persist:task', 'update_container']);
    expect([...(executor?.queuedTasks.keys() ?? [])]).toEqual(['t1', 't2']);
  });

  it('answers SUBSCRIBE 200 with SUBSCRIBED, then LAUNCHes the queued tasks; later tasks go straight to it', () => {
    const { d, containerId } = launched();
    d.runTask(customTask('t2'));
    const { effects, reply } = d.subscribe('exec-1');
    expect(reply).toEqual({ status: 200 });
    expect(ofType(effects, 'executor_event').every((e) => e.connectionId === 'conn-1')).toBe(true);
    expect(executorEvents(effects)).toEqual([
      {
        type: 'SUBSCRIBED',
        subscribed: {
          executor_info: customTask('t1')['executor'],
          framework_info: frameworkInfo(),
          agent_info: { ...d.config.info, id: { value: 'agent-1' } },
          container_id: { value: containerId },
        },
      },
      { type: 'LAUNCH', launch: { task: customTask('t1') } },
      { type: 'LAUNCH', launch: { task: customTask('t2') } },
    ]);
    expect(executorEvents(d.runTask(customTask('t3')))).toEqual([{ type: 'LAUNCH', launch: { task: customTask('t3') } }]);
    // Subscribed: the registration timeout no longer applies.
    expect(d.state.frameworks.get(FW)?.executors.get('exec-1')?.deadlineMs).toBeUndefined();
  });

  it('forwards a KILL to the executor with its kill policy', () => {
    const { d } = subscribed();
    expect(ofType(d.kill('t1', 2000), 'executor_event')).toEqual([
      { type: 'executor_event', connectionId: 'conn-1', event: { type: 'KILL', kill: { task_id: { value: 't1' }, kill_policy: { grace_period: { nanoseconds: 2e9 } } } } },
    ]);
  });

  it('answers a KILL of a task still queued with TASK_KILLED, REASON_TASK_KILLED_DURING_LAUNCH, and does not launch it', () => {
    const { d } = launched();
    const [killed] = sentUpdates(d.kill('t1'));
    expect(killed).toMatchObject({ state: 'TASK_KILLED', reason: 'REASON_TASK_KILLED_DURING_LAUNCH', source: 'SOURCE_AGENT', executor_id: { value: 'exec-1' } });
    expect(executorEvents(d.subscribe('exec-1').effects).filter((e) => e.type === 'LAUNCH')).toEqual([]);
  });

  // spec/core.md 2.2 SUBSCRIBE: "if the executor never got a task and all its queued tasks
  // were killed → executor is shut down instead" (SHUTDOWN, then destroyed after the grace period).
  it('shuts down an executor that subscribes after all its queued tasks were killed', () => {
    const { d, containerId } = launched();
    d.kill('t1');
    const { effects, reply } = d.subscribe('exec-1');
    expect(reply).toEqual({ status: 200 });
    expect(executorEvents(effects).map((e) => e.type)).toContain('SHUTDOWN');
    expect(ofType(d.tick(d.nowMs + 5_000), 'destroy_container')).toEqual([{ type: 'destroy_container', containerId, gracePeriodMs: 0 }]);
  });
});

describe('custom executors: calls', () => {
  it('makes an UPDATE durable, forwards it, then sends ACKNOWLEDGED', () => {
    const { d, containerId } = subscribed();
    const uuid = executorUuid(1);
    const { effects, reply } = d.executorUpdate('exec-1', 't1', 'TASK_RUNNING', uuid);
    expect(reply).toEqual({ status: 202 });
    expect(kinds(effects)).toEqual(['persist:update', 'send_message', 'executor_event']);
    expect(persistedUpdates(effects)).toEqual([
      {
        ...executorStatus('t1', 'TASK_RUNNING', uuid),
        executor_id: { value: 'exec-1' },
        agent_id: { value: 'agent-1' },
        container_status: { container_id: { value: containerId }, network_infos: [{ ip_addresses: [{ ip_address: agentIp }] }] },
      },
    ]);
    expect(sentUpdates(effects)[0]).toMatchObject({ uuid, state: 'TASK_RUNNING', latest_state: 'TASK_RUNNING' });
    expect(executorEvents(effects)).toEqual([{ type: 'ACKNOWLEDGED', acknowledged: { task_id: { value: 't1' }, uuid } }]);
  });

  it('acknowledges a repeated UPDATE again without queueing it twice', () => {
    const { d } = subscribed();
    d.executorUpdate('exec-1', 't1', 'TASK_RUNNING', executorUuid(1));
    const { effects, reply } = d.executorUpdate('exec-1', 't1', 'TASK_RUNNING', executorUuid(1));
    expect(reply).toEqual({ status: 202 });
    expect(kinds(effects)).toEqual(['executor_event']);
    expect(executorEvents(effects)).toEqual([{ type: 'ACKNOWLEDGED', acknowledged: { task_id: { value: 't1' }, uuid: executorUuid(1) } }]);
    expect(d.state.streams.get(`${FW}\u0000t1`)?.pending).toHaveLength(1);
  });

  // spec/core.md 2.4 agent side, 3: an update whose uuid was already acknowledged is
  // ignored (the sender re-acked). Here the master acknowledged the terminal update, the
  // executor lost its ACKNOWLEDGED and sends it again in its next SUBSCRIBE.
  it('re-acks a terminal update the master already acknowledged, without forwarding it again', () => {
    const { d } = subscribed();
    d.runTask(customTask('t2'));
    d.executorUpdate('exec-1', 't1', 'TASK_FINISHED', executorUuid(7));
    d.ack('t1', executorUuid(7));
    const { effects } = d.subscribe('exec-1', 'conn-2', {
      unacknowledged_tasks: [customTask('t2') as never],
      unacknowledged_updates: [{ status: executorStatus('t1', 'TASK_FINISHED', executorUuid(7)) as never }],
    });
    expect(executorEvents(effects).filter((e) => e.type === 'ACKNOWLEDGED')).toEqual([{ type: 'ACKNOWLEDGED', acknowledged: { task_id: { value: 't1' }, uuid: executorUuid(7) } }]);
    expect(persistedUpdates(effects)).toEqual([]);
    expect(sentUpdates(effects)).toEqual([]);
  });

  it('passes MESSAGE to the master and FRAMEWORK_TO_EXECUTOR to the executor', () => {
    const { d } = subscribed();
    const { effects, reply } = d.executorCall({ executorId: 'exec-1', type: 'MESSAGE', message: { data: 'aGVsbG8=' } });
    expect(reply).toEqual({ status: 202 });
    expect(messages(effects)).toEqual([{ type: 'EXECUTOR_TO_FRAMEWORK', executor_to_framework: { framework_id: { value: FW }, executor_id: { value: 'exec-1' }, data: 'aGVsbG8=' } }]);
    const down = d.master({ type: 'FRAMEWORK_TO_EXECUTOR', framework_to_executor: { framework_id: { value: FW }, executor_id: { value: 'exec-1' }, data: 'd29ybGQ=' } }).effects;
    expect(ofType(down, 'executor_event')).toEqual([{ type: 'executor_event', connectionId: 'conn-1', event: { type: 'MESSAGE', message: { data: 'd29ybGQ=' } } }]);
  });

  it('answers 400 for an unknown framework or executor, 403 before SUBSCRIBE', () => {
    const { d } = launched();
    expect(d.executorCall({ executorId: 'exec-1', frameworkId: 'fw-x', type: 'MESSAGE', message: { data: '' } }).reply).toEqual({ status: 400, body: 'Framework cannot be found' });
    expect(d.executorCall({ executorId: 'exec-x', type: 'MESSAGE', message: { data: '' } }).reply).toEqual({ status: 400, body: 'Executor cannot be found' });
    expect(d.subscribe('exec-x').reply).toEqual({ status: 400, body: 'Executor cannot be found' });
    const early = d.executorUpdate('exec-1', 't1', 'TASK_RUNNING', executorUuid(1));
    expect(early.reply).toEqual({ status: 403, body: 'Executor is not subscribed' });
    expect(kinds(early.effects)).toEqual([]);
  });
});

describe('custom executors: ends', () => {
  it('destroys an executor that does not subscribe in time; its tasks fail with REASON_EXECUTOR_REGISTRATION_TIMEOUT', () => {
    const d = new AgentDriver();
    d.link();
    const launchedAt = d.nowMs;
    d.runTask(customTask('t1'));
    const containerId = d.containerOf('exec-1');
    d.started(containerId);
    expect(d.core.nextDeadlineMs()).toBe(launchedAt + 60_000);
    expect(kinds(d.tick(launchedAt + 59_999))).toEqual([]);
    expect(ofType(d.tick(launchedAt + 60_000), 'destroy_container')).toEqual([{ type: 'destroy_container', containerId, gracePeriodMs: 0 }]);
    const effects = d.exited(containerId, { signaled: 9 });
    expect(persistedUpdates(effects)).toEqual([expect.objectContaining({ task_id: { value: 't1' }, state: 'TASK_FAILED', reason: 'REASON_EXECUTOR_REGISTRATION_TIMEOUT', source: 'SOURCE_AGENT' })]);
    expect(messages(effects).filter((m) => m.type === 'EXITED_EXECUTOR')).toEqual([
      { type: 'EXITED_EXECUTOR', exited_executor: { framework_id: { value: FW }, executor_id: { value: 'exec-1' }, status: 9 } },
    ]);
  });

  it('sends SHUTDOWN on SHUTDOWN_EXECUTOR and destroys the container after the grace period', () => {
    const { d, containerId } = subscribed();
    const shutdownAt = d.nowMs;
    const effects = d.master({ type: 'SHUTDOWN_EXECUTOR', shutdown_executor: { framework_id: { value: FW }, executor_id: { value: 'exec-1' } } }).effects;
    expect(ofType(effects, 'executor_event')).toEqual([{ type: 'executor_event', connectionId: 'conn-1', event: { type: 'SHUTDOWN' } }]);
    expect(ofType(effects, 'destroy_container')).toEqual([]);
    expect(ofType(d.tick(shutdownAt + 4_999), 'destroy_container')).toEqual([]);
    expect(ofType(d.tick(shutdownAt + 5_000), 'destroy_container')).toEqual([{ type: 'destroy_container', containerId, gracePeriodMs: 0 }]);
    const ended = d.exited(containerId, { exited: 0 });
    expect(ofType(ended, 'executor_close')).toEqual([{ type: 'executor_close', connectionId: 'conn-1' }]);
    expect(messages(ended).filter((m) => m.type === 'EXITED_EXECUTOR')).toEqual([
      { type: 'EXITED_EXECUTOR', exited_executor: { framework_id: { value: FW }, executor_id: { value: 'exec-1' }, status: 0 } },
    ]);
    // A late SUBSCRIBE of a terminated executor is told to shut down.
    expect(executorEvents(d.subscribe('exec-1', 'conn-2').effects)).toEqual([{ type: 'SHUTDOWN' }]);
  });

  it('reports the wait status of an executor that exits, and fails its tasks with REASON_EXECUTOR_TERMINATED', () => {
    const { d, containerId } = subscribed();
    d.executorUpdate('exec-1', 't1', 'TASK_RUNNING', executorUuid(1));
    const effects = d.exited(containerId, { exited: 3 });
    expect(persisted(effects)[0]).toEqual({ v: 1, type: 'executor_terminated', framework_id: FW, executor_id: 'exec-1', container_id: containerId, status: { exited: 3 } });
    expect(persistedUpdates(effects)).toEqual([expect.objectContaining({ state: 'TASK_FAILED', reason: 'REASON_EXECUTOR_TERMINATED', source: 'SOURCE_AGENT' })]);
    expect(messages(effects).filter((m) => m.type === 'EXITED_EXECUTOR')).toEqual([
      { type: 'EXITED_EXECUTOR', exited_executor: { framework_id: { value: FW }, executor_id: { value: 'exec-1' }, status: 3 << 8 } },
    ]);
  });
});

describe('custom executors: re-subscription after an agent restart', () => {
  function restarted() {
    const { d } = subscribed();
    d.runTask(customTask('t2'));
    d.runTask(customTask('t3'));
    d.executorUpdate('exec-1', 't1', 'TASK_RUNNING', executorUuid(1));
    return recovered(d.journal, { nowMs: 3_000_000 }).driver;
  }

  it('re-processes unacknowledged updates (repeats only re-acked) and loses STAGING tasks the executor never got', () => {
    const d = restarted();
    const { effects, reply } = d.subscribe('exec-1', 'conn-9', {
      unacknowledged_tasks: [customTask('t3') as never],
      unacknowledged_updates: [
        { status: executorStatus('t1', 'TASK_RUNNING', executorUuid(1)) as never },
        { status: executorStatus('t3', 'TASK_RUNNING', executorUuid(3)) as never },
      ],
    });
    expect(reply).toEqual({ status: 200 });
    const events = executorEvents(effects);
    expect(events[0]?.type).toBe('SUBSCRIBED');
    expect(events.filter((e) => e.type === 'ACKNOWLEDGED')).toEqual([
      { type: 'ACKNOWLEDGED', acknowledged: { task_id: { value: 't1' }, uuid: executorUuid(1) } },
      { type: 'ACKNOWLEDGED', acknowledged: { task_id: { value: 't3' }, uuid: executorUuid(3) } },
    ]);
    const updates = persistedUpdates(effects);
    expect(updates.map((s) => [s.task_id.value, s.state, s.uuid])).toEqual([
      ['t3', 'TASK_RUNNING', executorUuid(3)],
      ['t2', 'TASK_LOST', updates[1]?.uuid],
    ]);
    expect(updates[1]).toMatchObject({ source: 'SOURCE_AGENT', reason: 'REASON_AGENT_RESTARTED' });
    expect(events.filter((e) => e.type === 'LAUNCH')).toEqual([]);
  });

  it('says TASK_DROPPED for partition-aware frameworks', () => {
    const { d } = subscribed(frameworkInfo({ capabilities: ['PARTITION_AWARE'] }));
    d.runTask(customTask('t2'), frameworkInfo({ capabilities: ['PARTITION_AWARE'] }));
    const { driver } = recovered(d.journal);
    const updates = persistedUpdates(driver.subscribe('exec-1', 'conn-9', { unacknowledged_tasks: [customTask('t1') as never] }).effects);
    expect(updates.map((s) => [s.task_id.value, s.state, s.reason])).toEqual([['t2', 'TASK_DROPPED', 'REASON_AGENT_RESTARTED']]);
  });
});
