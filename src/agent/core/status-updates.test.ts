/**
 * The agent's status update streams (spec/core.md 2.4, agent side): only the
 * head goes to the master, with the task's latest state; the next one after
 * the acknowledgement of the head's uuid; retries with doubling backoff while
 * linked; every head again after (re-)registration and UPDATE_FRAMEWORK.
 */
import { describe, expect, it } from 'vitest';
import { AgentDriver, FW, frameworkInfo, kinds, persisted, persistedUpdates, sentUpdates, startCommandTask } from './testing.js';

function linked(config: ConstructorParameters<typeof AgentDriver>[0] = {}): AgentDriver {
  const d = new AgentDriver(config);
  d.link('agent-1', 3600);
  return d;
}

describe('status updates: one head at a time', () => {
  it('sends the next update only after the head is acknowledged with its uuid', () => {
    const d = linked();
    const { starting, running } = startCommandTask(d);
    const effects = d.ack('t1', starting);
    expect(kinds(effects)).toEqual(['persist:ack', 'send_message']);
    expect(persisted(effects)[0]).toEqual({ v: 1, type: 'ack', framework_id: FW, task_id: 't1', uuid: starting });
    const [next] = sentUpdates(effects);
    expect(next).toMatchObject({ uuid: running, state: 'TASK_RUNNING', latest_state: 'TASK_RUNNING' });
    expect(kinds(d.ack('t1', running))).toEqual(['persist:ack']);
  });

  it('carries the latest state of the task, ahead of the update it carries', () => {
    const d = linked();
    const { containerId, starting } = startCommandTask(d);
    d.exited(containerId, { exited: 0 });
    const [running] = sentUpdates(d.ack('t1', starting));
    expect(running).toMatchObject({ state: 'TASK_RUNNING', latest_state: 'TASK_FINISHED' });
  });

  it('ignores an acknowledgement whose uuid is not the head', () => {
    const d = linked();
    const { starting, running } = startCommandTask(d);
    expect(kinds(d.ack('t1', running))).toEqual([]);
    expect(kinds(d.ack('t1', Buffer.alloc(16, 9).toString('base64')))).toEqual([]);
    expect(kinds(d.ack('other', starting))).toEqual([]);
    expect(d.state.streams.get(`${FW}\u0000t1`)?.pending.map((s) => s.uuid)).toEqual([starting, running]);
    // The right one still works, and a repeat of it is ignored.
    expect(kinds(d.ack('t1', starting))).toEqual(['persist:ack', 'send_message']);
    expect(kinds(d.ack('t1', starting))).toEqual([]);
  });

  it('keeps each task in its own stream', () => {
    const d = linked();
    const first = startCommandTask(d, 't1');
    const second = startCommandTask(d, 't2');
    expect(sentUpdates(second.effects).map((s) => [s.task_id.value, s.state])).toEqual([['t2', 'TASK_STARTING']]);
    expect(sentUpdates(d.ack('t2', second.starting)).map((s) => [s.task_id.value, s.state])).toEqual([['t2', 'TASK_RUNNING']]);
    expect(sentUpdates(d.ack('t1', first.starting)).map((s) => [s.task_id.value, s.state])).toEqual([['t1', 'TASK_RUNNING']]);
  });
});

describe('status updates: retries', () => {
  it('sends the head again after statusUpdateRetryInitialMs, doubling up to the maximum', () => {
    const d = linked({ config: { statusUpdateRetryInitialMs: 1_000, statusUpdateRetryMaxMs: 8_000 } });
    const { starting } = startCommandTask(d);
    let at = d.nowMs;
    for (const interval of [1_000, 2_000, 4_000, 8_000, 8_000, 8_000]) {
      expect(d.core.nextDeadlineMs()).toBe(at + interval);
      expect(sentUpdates(d.tick(at + interval - 1))).toEqual([]);
      at += interval;
      const resent = sentUpdates(d.tick(at));
      expect(resent.map((s) => [s.uuid, s.state])).toEqual([[starting, 'TASK_STARTING']]);
    }
  });

  it('uses Mesos defaults: 10 s, doubling, capped at 10 minutes', () => {
    const d = linked();
    startCommandTask(d);
    let at = d.nowMs;
    for (const interval of [10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 600_000, 600_000]) {
      at += interval;
      expect(d.core.nextDeadlineMs()).toBe(at);
      expect(sentUpdates(d.tick(at))).toHaveLength(1);
    }
  });

  it('starts again from the initial interval for the next update after an acknowledgement', () => {
    const d = linked({ config: { statusUpdateRetryInitialMs: 1_000, statusUpdateRetryMaxMs: 8_000 } });
    const { starting, running } = startCommandTask(d);
    d.tick(d.nowMs + 1_000);
    d.tick(d.nowMs + 2_000);
    d.tick(d.nowMs + 500);
    d.ack('t1', starting);
    expect(d.core.nextDeadlineMs()).toBe(d.nowMs + 1_000);
    expect(sentUpdates(d.tick(d.nowMs + 1_000)).map((s) => s.uuid)).toEqual([running]);
  });
});

describe('status updates: the link', () => {
  it('sends nothing while unlinked and every head right after REGISTERED', () => {
    const d = linked();
    d.runTask({ name: 't1', task_id: { value: 't1' }, resources: [], command: { value: 'true' } });
    d.runTask({ name: 't2', task_id: { value: 't2' }, resources: [], command: { value: 'true' } });
    d.step({ type: 'link_closed', epoch: d.epoch ?? 0 });
    const started = [...d.started(d.containerOf('t1')), ...d.started(d.containerOf('t2'))];
    expect(persistedUpdates(started)).toHaveLength(4);
    expect(kinds(started)).not.toContain('send_message');
    // No retry is due while unlinked: the only deadline is the next link attempt.
    expect(d.core.nextDeadlineMs()).toBe(d.state.link.status === 'none' ? d.state.link.nextAttemptMs : -1);
    const heads = persistedUpdates(started).filter((s) => s.state === 'TASK_STARTING');
    d.openLink();
    const registered = d.register('agent-1', 3600);
    expect(sentUpdates(registered).map((s) => [s.task_id.value, s.uuid, s.state])).toEqual(heads.map((s) => [s.task_id.value, s.uuid, 'TASK_STARTING']));
  });

  it('pauses retries while the link is down', () => {
    const d = linked();
    startCommandTask(d);
    d.step({ type: 'link_closed', epoch: d.epoch ?? 0 });
    for (let i = 1; i <= 5; i++) expect(sentUpdates(d.tick(d.nowMs + 10_000 * i))).toEqual([]);
  });

  it('resends the heads of a framework on UPDATE_FRAMEWORK, unless resend_updates is false', () => {
    const d = linked();
    const ours = startCommandTask(d, 't1');
    startCommandTask(d, 't2', {}, frameworkInfo({ id: 'fw-2' }));
    const update = (resend?: boolean) =>
      d.master({ type: 'UPDATE_FRAMEWORK', update_framework: { framework_info: frameworkInfo() as never, ...(resend !== undefined ? { resend_updates: resend } : {}) } }).effects;
    expect(sentUpdates(update()).map((s) => [s.task_id.value, s.uuid])).toEqual([['t1', ours.starting]]);
    expect(sentUpdates(update(true)).map((s) => s.task_id.value)).toEqual(['t1']);
    expect(sentUpdates(update(false))).toEqual([]);
  });

  it('checkpoints a changed FrameworkInfo from UPDATE_FRAMEWORK', () => {
    const d = linked();
    startCommandTask(d);
    const info = { ...frameworkInfo(), name: 'renamed' };
    const effects = d.master({ type: 'UPDATE_FRAMEWORK', update_framework: { framework_info: info as never, resend_updates: false } }).effects;
    expect(persisted(effects)).toEqual([{ v: 1, type: 'framework', framework_id: FW, info }]);
  });
});
