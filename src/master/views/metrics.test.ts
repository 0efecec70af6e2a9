/**
 * Method: build a small master state by hand (fixtures.ts, which also books
 * resources in the allocator as the core does), take a snapshot, and check the
 * metric names of spec/core.md 8 with the values the state implies.
 */
import { describe, expect, it } from 'vitest';
import { Resources } from '../../resources/index.js';
import { scalar } from '../../resources/testing/fixtures.js';
import { addAgent, addFramework, addOffer, addTask, masterState, startMs } from './fixtures.js';
import { getMetrics, masterMetrics } from './metrics.js';
import { encodeMetricComponent, frameworkMetricPrefix } from './metrics-frameworks.js';

describe('views: metrics: master', () => {
  it('views: metrics: counts agents, frameworks, offers and operator subscribers by state', () => {
    const state = masterState();
    const agent = addAgent(state);
    addAgent(state, { connected: false });
    addAgent(state, { connected: true, active: false });
    const framework = addFramework(state);
    addFramework(state, { connected: false });
    addOffer(state, framework, agent, 'cpus:1');
    state.operatorSubscribers.set('op1', { connectionId: 'op1', subscribedMs: startMs, principal: undefined });
    const metrics = masterMetrics(state, startMs);
    expect(metrics).toMatchObject({
      'master/slaves_active': 1,
      'master/slaves_inactive': 2,
      'master/slaves_connected': 2,
      'master/slaves_disconnected': 1,
      'master/slaves_unreachable': 0,
      'master/frameworks_active': 1,
      'master/frameworks_inactive': 1,
      'master/frameworks_connected': 1,
      'master/frameworks_disconnected': 1,
      'master/outstanding_offers': 1,
      'master/operator_event_stream_subscribers': 1,
    });
  });

  it('views: metrics: uptime is measured at the snapshot time and elected is 1 on the leader', () => {
    const state = masterState();
    expect(masterMetrics(state, startMs + 90_500)).toMatchObject({ 'master/uptime_secs': 90.5, 'master/elected': 1 });
    state.electedTimeMs = undefined;
    expect(masterMetrics(state, startMs)['master/elected']).toBe(0);
  });

  it('views: metrics: resource gauges give total, used and percent, revocable resources apart', () => {
    const state = masterState();
    const agent = addAgent(state, { total: Resources.of([scalar('cpus', 4), scalar('mem', 1000), scalar('cpus', 2, { revocable: true })]) });
    addAgent(state, { resources: 'cpus:4;mem:1000' });
    const framework = addFramework(state);
    addTask(state, framework, agent, { resources: 'cpus:2;mem:250' });
    addTask(state, framework, agent, { id: 'done', resources: 'cpus:1', state: 'TASK_FINISHED' });
    const metrics = masterMetrics(state, startMs);
    expect(metrics).toMatchObject({
      'master/cpus_total': 8,
      'master/cpus_used': 2,
      'master/cpus_percent': 0.25,
      'master/mem_total': 2000,
      'master/mem_used': 250,
      'master/mem_percent': 0.125,
      'master/gpus_total': 0,
      'master/gpus_percent': 0,
      'master/cpus_revocable_total': 2,
      'master/cpus_revocable_used': 0,
      'master/disk_revocable_percent': 0,
    });
  });

  it('views: metrics: task gauges count tasks on agents by state, and unreachable tasks', () => {
    const state = masterState();
    const agent = addAgent(state);
    const framework = addFramework(state);
    addTask(state, framework, agent, { id: 'r1' });
    addTask(state, framework, agent, { id: 'r2' });
    addTask(state, framework, agent, { id: 's1', state: 'TASK_STAGING' });
    addTask(state, framework, agent, { id: 'k1', state: 'TASK_KILLING' });
    const away = addTask(state, framework, agent, { id: 'u1', state: 'TASK_UNREACHABLE' });
    framework.tasks.delete('u1');
    framework.unreachableTasks.set('u1', away);
    expect(masterMetrics(state, startMs)).toMatchObject({
      'master/tasks_running': 2,
      'master/tasks_staging': 1,
      'master/tasks_starting': 0,
      'master/tasks_killing': 1,
      'master/tasks_unreachable': 1,
    });
  });

  it('views: metrics: counters are listed at zero until they count, then with the stored value', () => {
    const state = masterState();
    expect(masterMetrics(state, startMs)).toMatchObject({ 'master/tasks_lost': 0, 'master/messages_kill_task': 0, 'master/invalid_status_updates': 0 });
    state.counters.increment('master/tasks_lost', 3);
    state.counters.increment('master/task_lost/source_master/reason_slave_removed');
    expect(masterMetrics(state, startMs)).toMatchObject({ 'master/tasks_lost': 3, 'master/task_lost/source_master/reason_slave_removed': 1 });
  });

  it('views: metrics: values measured by the shell are merged in and win', () => {
    const state = masterState();
    const metrics = masterMetrics(state, startMs, { 'allocator/mesos/allocation_run_ms/p50': 1.5, 'master/event_queue_messages': 4 });
    expect(metrics['allocator/mesos/allocation_run_ms/p50']).toBe(1.5);
    expect(metrics['master/event_queue_messages']).toBe(4);
    expect(getMetrics({ a: 1, b: 2 })).toEqual({ metrics: [{ name: 'a', value: 1 }, { name: 'b', value: 2 }] });
  });
});

describe('views: metrics: frameworks', () => {
  it('views: metrics: framework names are percent-encoded as libprocess does', () => {
    expect(encodeMetricComponent('my fw/1~ok-._')).toBe('my%20fw%2F1%7Eok-._');
    expect(encodeMetricComponent('é')).toBe('%C3%A9');
  });

  it('views: metrics: per-framework metrics sit under the encoded name and the id', () => {
    const state = masterState();
    const agent = addAgent(state);
    const framework = addFramework(state, { id: 'F1', roles: ['a', 'b'], info: { name: 'my fw' } });
    framework.suppressedRoles = new Set(['b']);
    framework.counters.increment('calls/subscribe');
    framework.counters.increment('offers/sent', 2);
    addTask(state, framework, agent, { id: 't1', role: 'a' });
    addTask(state, framework, agent, { id: 't2', role: 'a', state: 'TASK_STAGING' });
    const prefix = frameworkMetricPrefix(framework);
    expect(prefix).toBe('master/frameworks/my%20fw/F1/');
    expect(masterMetrics(state, startMs)).toMatchObject({
      [`${prefix}subscribed`]: 1,
      [`${prefix}calls/subscribe`]: 1,
      [`${prefix}calls/accept`]: 0,
      [`${prefix}events/offers`]: 0,
      [`${prefix}offers/sent`]: 2,
      [`${prefix}operations/reserve`]: 0,
      [`${prefix}tasks/active/task_running`]: 1,
      [`${prefix}tasks/active/task_staging`]: 1,
      [`${prefix}tasks/terminal/task_finished`]: 0,
      [`${prefix}roles/a/suppressed`]: 0,
      [`${prefix}roles/b/suppressed`]: 1,
    });
  });

  it('views: metrics: a disconnected framework is not subscribed and completed frameworks have no metrics', () => {
    const state = masterState();
    const framework = addFramework(state, { id: 'F1', connected: false });
    const done = addFramework(state, { id: 'F2' });
    state.frameworks.delete('F2');
    state.completedFrameworks.push(done);
    const metrics = masterMetrics(state, startMs);
    expect(metrics[`${frameworkMetricPrefix(framework)}subscribed`]).toBe(0);
    expect(Object.keys(metrics).some((name) => name.includes('/F2/'))).toBe(false);
  });
});

describe('views: metrics: allocator', () => {
  it('views: metrics: allocator totals, offered or allocated, dominant shares and active filters', () => {
    const state = masterState();
    const agent = addAgent(state, { resources: 'cpus:4;mem:1024;disk:2048' });
    const framework = addFramework(state, { roles: ['eng'] });
    addTask(state, framework, agent, { resources: 'cpus:1;mem:128', role: 'eng' });
    const offer = addOffer(state, framework, agent, 'mem:128', 'eng');
    expect(masterMetrics(state, startMs)).toMatchObject({
      'allocator/mesos/resources/cpus/total': 4,
      'allocator/mesos/resources/cpus/offered_or_allocated': 1,
      'allocator/mesos/resources/mem/offered_or_allocated': 256,
      'allocator/mesos/resources/disk/total': 2048,
      'allocator/mesos/roles/eng/shares/dominant': 0.25,
      'allocator/mesos/offer_filters/roles/eng/active': 0,
      'allocator/mesos/allocation_runs': 0,
    });
    // Declining with a refusal leaves one filter for the role.
    state.allocator.recoverResources(framework.id, agent.id, offer.resources, 5, startMs);
    expect(masterMetrics(state, startMs)['allocator/mesos/offer_filters/roles/eng/active']).toBe(1);
  });

  it('views: metrics: quota gauges for roles with a quota', () => {
    const state = masterState();
    const agent = addAgent(state);
    const framework = addFramework(state, { roles: ['eng'] });
    addTask(state, framework, agent, { resources: 'cpus:1.5', role: 'eng' });
    state.allocator.updateQuota('eng', { guarantees: new Map([['cpus', 1000]]), limits: new Map([['cpus', 2000], ['mem', 64_000]]) });
    const prefix = 'allocator/mesos/quota/roles/eng/resources/';
    const metrics = masterMetrics(state, startMs);
    expect(metrics).toMatchObject({
      [`${prefix}cpus/guarantee`]: 1,
      [`${prefix}cpus/limit`]: 2,
      [`${prefix}mem/limit`]: 64,
      [`${prefix}cpus/offered_or_allocated`]: 1.5,
      [`${prefix}mem/offered_or_allocated`]: 0,
      [`${prefix}cpus/consumed`]: 1.5,
    });
    expect(metrics).not.toHaveProperty(`${prefix}mem/guarantee`);
  });
});
