/**
 * Maintenance through the harness (spec/core.md 6.2; Mesos'
 * master_maintenance_tests.cpp and api_tests.cpp): schedule validation with
 * Mesos' texts, the schedule and status views, offers that carry the
 * machine's unavailability, inverse offers with their answers, filters and
 * rescinds, machines taken DOWN (agents removed, tasks TASK_LOST, agents
 * refused) and brought UP, each change in the registry and kept by a master
 * restarted from it.
 *
 * Method: one master core with simulated agents (all on 127.0.0.1, told
 * apart by hostname) and frameworks; operator calls go straight to the core,
 * as POST /api/v1 hands them over once decoded.
 */
import { describe, expect, it } from 'vitest';
import { Harness } from '../../../testing/harness.js';
import { SimAgent, type SimAgentOptions } from '../../../testing/sim-agent.js';
import type { Reply } from '../events.js';
import type { SimFramework } from '../../../testing/sim-framework.js';
import { launchTask, operatorCall, updatesOf } from '../../../testing/sim-tasks.js';
import type { SchedulerEvent } from '../../../protocol/scheduler.js';

const ip = '127.0.0.1';
const secondNs = 1_000_000_000;

interface Window {
  machine_ids: { hostname?: string; ip?: string }[];
  unavailability: { start: { nanoseconds: number }; duration?: { nanoseconds: number } };
}

/** A window starting `startInMs` from now and lasting `durationS` seconds. */
function window(h: Harness, machineIds: Window['machine_ids'], startInMs = 60_000, durationS = 120): Window {
  return { machine_ids: machineIds, unavailability: { start: { nanoseconds: (h.clock.nowMs() + startInMs) * 1e6 }, duration: { nanoseconds: durationS * secondNs } } };
}

function updateSchedule(h: Harness, windows: readonly Window[]) {
  return operatorCall(h, { type: 'UPDATE_MAINTENANCE_SCHEDULE', update_maintenance_schedule: { schedule: { windows } } });
}

function startMaintenance(h: Harness, machines: Window['machine_ids']) {
  return operatorCall(h, { type: 'START_MAINTENANCE', start_maintenance: { machines } });
}

function stopMaintenance(h: Harness, machines: Window['machine_ids']) {
  return operatorCall(h, { type: 'STOP_MAINTENANCE', stop_maintenance: { machines } });
}

function getSchedule(h: Harness): unknown {
  return (operatorCall(h, { type: 'GET_MAINTENANCE_SCHEDULE' })?.body as { get_maintenance_schedule: { schedule: unknown } }).get_maintenance_schedule.schedule;
}

interface Status {
  draining_machines?: { id: Window['machine_ids'][number]; statuses?: { status: string; framework_id: { value: string }; timestamp: { nanoseconds: number } }[] }[];
  down_machines?: Window['machine_ids'];
}

function getStatus(h: Harness): Status {
  return (operatorCall(h, { type: 'GET_MAINTENANCE_STATUS' })?.body as { get_maintenance_status: { status: Status } }).get_maintenance_status.status;
}

/** The answer to an agent's first link (a refused one is not retried). */
function firstLink(h: Harness, options: SimAgentOptions): Reply | undefined {
  return new SimAgent(h, options).link();
}

function machineOf(agent: SimAgent, hostname: string): { hostname: string; ip: string } {
  expect(agent.linked, `agent ${hostname} registered`).toBe(true);
  return { hostname, ip };
}

/** Events other than heartbeats from index `from` on, by type. */
function eventTypesSince(framework: SimFramework, from: number): string[] {
  return framework.events.slice(from).flatMap((event) => (event.type === 'HEARTBEAT' ? [] : [event.type]));
}

function inverseOffersSince(framework: SimFramework, from: number) {
  return framework.events.slice(from).flatMap((event) => (event.type === 'INVERSE_OFFERS' ? event.inverse_offers.inverse_offers : []));
}

function answerInverseOffers(framework: SimFramework, answer: 'ACCEPT' | 'DECLINE', ids: readonly string[], refuseSeconds?: number) {
  const key = answer === 'ACCEPT' ? 'accept_inverse_offers' : 'decline_inverse_offers';
  const filters = refuseSeconds === undefined ? {} : { filters: { refuse_seconds: refuseSeconds } };
  return framework.call({ type: `${answer}_INVERSE_OFFERS`, [key]: { inverse_offer_ids: ids.map((value) => ({ value })), ...filters } } as never);
}

/** One agent on `hostname` and one framework running `task-1` there, offers of the rest outstanding. */
function withTask(hostname = 'maint-host'): { h: Harness; agent: SimAgent; framework: SimFramework } {
  const h = new Harness();
  const framework = h.subscribe();
  const agent = h.addAgent({ hostname });
  h.settle();
  launchTask(h, framework, agent, 'task-1');
  h.advance(h.state.config.allocationIntervalMs);
  return { h, agent, framework };
}

describe('maintenance: schedule validation', () => {
  const cases: [string, (h: Harness) => Window[], string][] = [
    ['an empty window', (h) => [window(h, [])], 'List of machines in the maintenance window is empty'],
    [
      'a negative duration',
      (h) => [{ ...window(h, [{ hostname: 'm1' }]), unavailability: { start: { nanoseconds: 0 }, duration: { nanoseconds: -1 } } }],
      "Unavailability 'duration' is negative",
    ],
    [
      'a machine twice, hostnames differing in case only, in two windows',
      (h) => [window(h, [{ hostname: 'Machine1' }]), window(h, [{ hostname: 'machine1' }])],
      `Machine '{"hostname":"machine1"}' appears more than once in the schedule`,
    ],
    ['a machine without hostname or ip', (h) => [window(h, [{}])], "Both 'hostname' and 'ip' for a machine are empty"],
    ['a machine whose hostname and ip are empty strings', (h) => [window(h, [{ hostname: '', ip: '' }])], "Both 'hostname' and 'ip' for a machine are empty"],
    ['an ip that is not IPv4', (h) => [window(h, [{ hostname: 'm1', ip: '1.2.3' }])], 'Failed to parse IPv4: 1.2.3'],
    ['an IPv6 ip', (h) => [window(h, [{ ip: '::1' }])], 'Failed to parse IPv4: ::1'],
  ];
  for (const [what, windows, text] of cases) {
    it(`refuses ${what} with 400 '${text}' and changes nothing`, () => {
      const h = new Harness();
      expect(updateSchedule(h, windows(h))).toEqual({ status: 400, body: text });
      expect(getSchedule(h)).toEqual({});
      expect(h.registry.applied).toEqual([]);
    });
  }

  it('takes a negative start, a missing duration, two machines in a window, and the empty schedule (which cancels all)', () => {
    const h = new Harness();
    const negativeStart: Window = { machine_ids: [{ hostname: 'm1' }, { ip: '0.0.0.2' }], unavailability: { start: { nanoseconds: -5 * secondNs } } };
    expect(updateSchedule(h, [negativeStart])).toEqual({ status: 200 });
    expect(getSchedule(h)).toEqual({ windows: [negativeStart] });
    expect(updateSchedule(h, [])).toEqual({ status: 200 });
    expect(getSchedule(h)).toEqual({});
    expect(getStatus(h)).toEqual({});
  });

  it("says which field is missing when a call's body is absent", () => {
    const h = new Harness();
    for (const type of ['UPDATE_MAINTENANCE_SCHEDULE', 'START_MAINTENANCE', 'STOP_MAINTENANCE']) {
      expect(operatorCall(h, { type })).toEqual({ status: 400, body: `Failed to validate master::Call: Expecting '${type.toLowerCase()}' to be present` });
    }
  });

  it('refuses a schedule that leaves out a DOWN machine until the machine is brought up', () => {
    const h = new Harness();
    const m1 = { hostname: 'Machine1' };
    const m2 = { ip: '0.0.0.2' };
    expect(updateSchedule(h, [window(h, [m1, m2])])).toEqual({ status: 200 });
    expect(startMaintenance(h, [m1])).toEqual({ status: 200 });
    expect(updateSchedule(h, [window(h, [m2])])).toEqual({ status: 400, body: `Machine '{"hostname":"Machine1"}' is deactivated and cannot be removed from the schedule` });
    expect(stopMaintenance(h, [m1])).toEqual({ status: 200 });
    expect(updateSchedule(h, [window(h, [m2])])).toEqual({ status: 200 });
  });
});

describe('maintenance: schedule and status views', () => {
  it('reads {} for both when nothing is scheduled', () => {
    const h = new Harness();
    h.addAgent({ hostname: 'up-host' });
    expect(getSchedule(h)).toEqual({});
    expect(getStatus(h)).toEqual({});
  });

  it('returns the schedule as posted (hostname case kept, machines in order) and lists draining then down machines', () => {
    const h = new Harness();
    const windows = [window(h, [{ hostname: 'Machine1' }, { ip: '0.0.0.2' }])];
    updateSchedule(h, windows);
    expect(getSchedule(h)).toEqual({ windows });
    expect(getStatus(h)).toEqual({ draining_machines: [{ id: { hostname: 'Machine1' } }, { id: { ip: '0.0.0.2' } }] });
    startMaintenance(h, [{ hostname: 'Machine1' }]);
    expect(getStatus(h)).toEqual({ draining_machines: [{ id: { ip: '0.0.0.2' } }], down_machines: [{ hostname: 'Machine1' }] });
    stopMaintenance(h, [{ hostname: 'Machine1' }]);
    expect(getStatus(h)).toEqual({ draining_machines: [{ id: { ip: '0.0.0.2' } }] });
    expect(getSchedule(h)).toEqual({ windows: [{ ...windows[0], machine_ids: [{ ip: '0.0.0.2' }] }] });
  });

  it('drops empty hostname or ip fields: {"hostname":"h","ip":""} is the machine {"hostname":"h"}', () => {
    const h = new Harness();
    updateSchedule(h, [window(h, [{ hostname: 'h', ip: '' }])]);
    expect(getStatus(h)).toEqual({ draining_machines: [{ id: { hostname: 'h' } }] });
    expect(startMaintenance(h, [{ hostname: 'h' }])).toEqual({ status: 200 });
  });
});

describe('maintenance: offers and inverse offers', () => {
  it('rescinds the offer, offers again with the unavailability, then sends one inverse offer (PendingUnavailability)', () => {
    const h = new Harness();
    const framework = h.subscribe();
    const agent = h.addAgent({ hostname: 'maint-host' });
    h.settle();
    const [first] = framework.currentOffers();
    expect(first?.unavailability).toBeUndefined();
    const from = framework.events.length;
    const scheduled = window(h, [machineOf(agent, 'maint-host')]);
    expect(updateSchedule(h, [scheduled])).toEqual({ status: 200 });
    expect(eventTypesSince(framework, from)).toEqual(['RESCIND', 'OFFERS', 'INVERSE_OFFERS']);
    expect(framework.eventsOf('RESCIND')[0]?.rescind.offer_id.value).toBe(first?.id.value);
    expect(framework.currentOffers().map((offer) => offer.unavailability)).toEqual([scheduled.unavailability]);
    const inverseOffers = inverseOffersSince(framework, from);
    expect(inverseOffers).toHaveLength(1);
    expect(inverseOffers[0]).toMatchObject({
      framework_id: { value: framework.id },
      agent_id: { value: agent.id },
      unavailability: scheduled.unavailability,
      url: { scheme: 'http', address: { hostname: 'maint-host', ip } },
    });
    expect(inverseOffers[0]).not.toHaveProperty('resources');
    const listed = operatorCall(h, { type: 'GET_FRAMEWORKS' })?.body as { get_frameworks: { frameworks: { inverse_offers: { id: { value: string } }[] }[] } };
    expect(listed.get_frameworks.frameworks[0]?.inverse_offers.map((inverse) => inverse.id.value)).toEqual([inverseOffers[0]?.id.value]);
    // Answered or not, one inverse offer at a time: the next allocation sends nothing new.
    const settled = framework.events.length;
    h.advance(h.state.config.allocationIntervalMs);
    expect(eventTypesSince(framework, settled)).toEqual([]);
  });

  it('never touches an agent for a schedule entry with its hostname only (both fields must match), nor for the same window posted again', () => {
    const h = new Harness();
    const framework = h.subscribe();
    const agent = h.addAgent({ hostname: 'maint-host' });
    h.settle();
    const from = framework.events.length;
    updateSchedule(h, [window(h, [{ hostname: 'maint-host' }])]);
    h.advance(h.state.config.allocationIntervalMs);
    expect(eventTypesSince(framework, from)).toEqual([]);
    expect(framework.currentOffers()[0]?.unavailability).toBeUndefined();
    // Hostnames match without regard to case.
    const scheduled = window(h, [machineOf(agent, 'MAINT-HOST')]);
    const first = framework.events.length;
    updateSchedule(h, [scheduled]);
    expect(eventTypesSince(framework, first)).toEqual(['RESCIND', 'OFFERS', 'INVERSE_OFFERS']);
    const again = framework.events.length;
    // berth: a schedule update leaves machines whose window did not change alone.
    updateSchedule(h, [scheduled]);
    expect(eventTypesSince(framework, again)).toEqual([]);
  });

  it('asks back only active frameworks with offers, tasks or executors on the agent', () => {
    const h = new Harness();
    const agent = h.addAgent({ hostname: 'maint-host', resources: 'cpus:8;mem:4096' });
    // One at a time, each suppressing offers once its task runs, so that the next is offered the rest.
    const runner = h.subscribe({ name: 'runner' });
    launchTask(h, runner, agent, 'runner-task');
    runner.call({ type: 'SUPPRESS' } as never);
    const away = h.subscribe({ name: 'away', info: { failover_timeout: 3600 } });
    launchTask(h, away, agent, 'away-task');
    away.call({ type: 'SUPPRESS' } as never);
    const idle = h.subscribe({ name: 'idle', suppressedRoles: ['*'] });
    const holder = h.subscribe({ name: 'holder' });
    h.advance(h.state.config.allocationIntervalMs);
    expect(holder.currentOffers()).not.toEqual([]);
    expect([runner, away, idle].map((framework) => framework.currentOffers())).toEqual([[], [], []]);
    away.disconnect();
    const frameworks = [holder, runner, idle, away];
    const from = new Map(frameworks.map((framework) => [framework, framework.events.length]));
    updateSchedule(h, [window(h, [machineOf(agent, 'maint-host')])]);
    h.advance(h.state.config.allocationIntervalMs);
    const asked = frameworks.filter((framework) => inverseOffersSince(framework, from.get(framework) ?? 0).length > 0);
    expect(asked.map((framework) => framework.info().name)).toEqual(['holder', 'runner']);
  });

  it('records DECLINE and ACCEPT for GET_MAINTENANCE_STATUS; with refuse_seconds 0 the inverse offer comes back at the next allocation', () => {
    const { h, agent, framework } = withTask();
    updateSchedule(h, [window(h, [machineOf(agent, 'maint-host')])]);
    expect(getStatus(h)).toEqual({ draining_machines: [{ id: machineOf(agent, 'maint-host') }] });
    const [first] = inverseOffersSince(framework, 0);
    const declinedMs = h.clock.nowMs();
    expect(answerInverseOffers(framework, 'DECLINE', [first?.id.value ?? ''], 0)).toEqual({ status: 202 });
    expect(getStatus(h)).toEqual({
      draining_machines: [{ id: machineOf(agent, 'maint-host'), statuses: [{ status: 'DECLINE', framework_id: { value: framework.id }, timestamp: { nanoseconds: declinedMs * 1e6 } }] }],
    });
    const from = framework.events.length;
    h.advance(h.state.config.allocationIntervalMs);
    const [second] = inverseOffersSince(framework, from);
    expect(second?.id.value).not.toBe(first?.id.value);
    expect(answerInverseOffers(framework, 'ACCEPT', [second?.id.value ?? ''], 0)).toEqual({ status: 202 });
    expect(getStatus(h).draining_machines?.[0]?.statuses?.map((status) => status.status)).toEqual(['ACCEPT']);
    // An id that is not (or no longer) an inverse offer is ignored: 202, nothing recorded.
    expect(answerInverseOffers(framework, 'DECLINE', ['no-such-inverse-offer', second?.id.value ?? ''], 0)).toEqual({ status: 202 });
    expect(getStatus(h).draining_machines?.[0]?.statuses?.map((status) => status.status)).toEqual(['ACCEPT']);
  });

  it('keeps a declined agent from the framework for refuse_seconds (5 s unless given); REVIVE lifts the filter', () => {
    const { h, agent, framework } = withTask();
    updateSchedule(h, [window(h, [machineOf(agent, 'maint-host')])]);
    const intervalMs = h.state.config.allocationIntervalMs;
    answerInverseOffers(framework, 'DECLINE', inverseOffersSince(framework, 0).map((inverse) => inverse.id.value));
    let from = framework.events.length;
    h.advance(4 * intervalMs);
    expect(inverseOffersSince(framework, from)).toEqual([]);
    h.advance(2 * intervalMs);
    const again = inverseOffersSince(framework, from);
    expect(again).toHaveLength(1);
    answerInverseOffers(framework, 'ACCEPT', [again[0]?.id.value ?? ''], 3600);
    from = framework.events.length;
    h.advance(10 * intervalMs);
    expect(inverseOffersSince(framework, from)).toEqual([]);
    framework.call({ type: 'REVIVE' } as never);
    h.advance(intervalMs);
    expect(inverseOffersSince(framework, from)).toHaveLength(1);
  });

  it('filters per agent: of two declined agents, only the one refused for 0 s is asked again (InverseOffersFilters)', () => {
    const h = new Harness();
    const framework = h.subscribe();
    const one = h.addAgent({ hostname: 'one', resources: 'cpus:1;mem:512' });
    const two = h.addAgent({ hostname: 'two', resources: 'cpus:1;mem:512' });
    h.settle();
    launchTask(h, framework, one, 'task-one');
    launchTask(h, framework, two, 'task-two');
    const from = framework.events.length;
    updateSchedule(h, [window(h, [machineOf(one, 'one'), machineOf(two, 'two')])]);
    h.advance(h.state.config.allocationIntervalMs);
    const inverseOffers = inverseOffersSince(framework, from);
    expect(inverseOffers.map((inverse) => inverse.agent_id.value).sort()).toEqual([one.id, two.id].sort());
    const of = (agent: SimAgent) => inverseOffers.find((inverse) => inverse.agent_id.value === agent.id)?.id.value ?? '';
    answerInverseOffers(framework, 'DECLINE', [of(two)], 100 + h.state.config.allocationIntervalMs / 1000);
    answerInverseOffers(framework, 'ACCEPT', [of(one)], 0);
    const next = framework.events.length;
    h.advance(h.state.config.allocationIntervalMs);
    expect(inverseOffersSince(framework, next).map((inverse) => inverse.agent_id.value)).toEqual([one.id]);
  });

  it('rescinds an inverse offer when the window changes (answers forgotten) or the machine leaves the schedule (offers without unavailability)', () => {
    const { h, agent, framework } = withTask();
    const machine = machineOf(agent, 'maint-host');
    updateSchedule(h, [window(h, [machine])]);
    const [first] = inverseOffersSince(framework, 0);
    answerInverseOffers(framework, 'DECLINE', [first?.id.value ?? ''], 0);
    h.advance(h.state.config.allocationIntervalMs);
    const [outstanding] = inverseOffersSince(framework, 0).slice(1);
    let from = framework.events.length;
    const moved = window(h, [machine], 120_000, 60);
    updateSchedule(h, [moved]);
    const rescinded = (since: number) =>
      framework.events.slice(since).flatMap((event: SchedulerEvent) => (event.type === 'RESCIND_INVERSE_OFFER' ? [event.rescind_inverse_offer.inverse_offer_id.value] : []));
    expect(rescinded(from)).toEqual([outstanding?.id.value]);
    expect(inverseOffersSince(framework, from).map((inverse) => inverse.unavailability)).toEqual([moved.unavailability]);
    expect(getStatus(h).draining_machines?.[0]?.statuses).toBeUndefined();
    from = framework.events.length;
    updateSchedule(h, []);
    expect(rescinded(from)).toHaveLength(1);
    expect(eventTypesSince(framework, from)).toEqual(['RESCIND', 'RESCIND_INVERSE_OFFER', 'OFFERS']);
    expect(framework.currentOffers().every((offer) => offer.unavailability === undefined)).toBe(true);
    h.advance(3 * h.state.config.allocationIntervalMs);
    expect(inverseOffersSince(framework, from)).toEqual([]);
  });

  it('rescinds an inverse offer not answered within --offer_timeout, and asks again at the next allocation', () => {
    const h = new Harness({ config: { offerTimeoutMs: 10_000 } });
    const framework = h.subscribe();
    const agent = h.addAgent({ hostname: 'maint-host' });
    h.settle();
    updateSchedule(h, [window(h, [machineOf(agent, 'maint-host')])]);
    const [first] = inverseOffersSince(framework, 0);
    const from = framework.events.length;
    h.advance(10_000);
    expect(framework.eventsOf('RESCIND_INVERSE_OFFER').map((event) => event.rescind_inverse_offer.inverse_offer_id.value)).toEqual([first?.id.value]);
    h.advance(h.state.config.allocationIntervalMs);
    expect(inverseOffersSince(framework, from)).toHaveLength(1);
  });

  it('rescinds the inverse offers of an agent that re-registers from another machine', () => {
    const h = new Harness();
    const framework = h.subscribe();
    const agent = h.addAgent({ hostname: 'maint-host' });
    h.settle();
    updateSchedule(h, [window(h, [machineOf(agent, 'maint-host')])]);
    const [outstanding] = inverseOffersSince(framework, 0);
    h.advance(h.state.config.allocationIntervalMs);
    const moved = h.addAgent({ hostname: 'elsewhere', agentId: agent.id ?? '' });
    h.advance(h.state.config.allocationIntervalMs);
    expect(moved.linked).toBe(true);
    expect(framework.eventsOf('RESCIND_INVERSE_OFFER').map((event) => event.rescind_inverse_offer.inverse_offer_id.value)).toEqual([outstanding?.id.value]);
    expect(h.state.inverseOffers.size).toBe(0);
    expect(framework.currentOffers().map((offer) => offer.unavailability)).toEqual([undefined]);
    expect(getStatus(h)).toEqual({ draining_machines: [{ id: { hostname: 'maint-host', ip } }] });
  });

  it('rescinds the inverse offer of an agent whose link breaks and asks again once it is back; a failed-over framework is asked anew', () => {
    const { h, agent, framework } = withTask();
    updateSchedule(h, [window(h, [machineOf(agent, 'maint-host')])]);
    const [first] = inverseOffersSince(framework, 0);
    agent.disconnect();
    expect(framework.eventsOf('RESCIND_INVERSE_OFFER').map((event) => event.rescind_inverse_offer.inverse_offer_id.value)).toEqual([first?.id.value]);
    let from = framework.events.length;
    h.advance(h.state.config.allocationIntervalMs);
    expect(inverseOffersSince(framework, from)).toEqual([]);
    agent.link();
    h.advance(h.state.config.allocationIntervalMs);
    const [second] = inverseOffersSince(framework, from);
    expect(second?.agent_id.value).toBe(agent.id);
    // The new instance hears nothing of its old inverse offer, and is sent its own.
    from = framework.events.length;
    framework.subscribe();
    h.advance(h.state.config.allocationIntervalMs);
    expect(inverseOffersSince(framework, from).map((inverse) => inverse.id.value)).not.toContain(second?.id.value);
    expect(inverseOffersSince(framework, from)).toHaveLength(1);
    expect(framework.eventsOf('RESCIND_INVERSE_OFFER')).toHaveLength(1);
  });

  it('rescinds the inverse offers of an agent an operator deactivates, and sends none while it is', () => {
    const { h, agent, framework } = withTask();
    updateSchedule(h, [window(h, [machineOf(agent, 'maint-host')])]);
    const [outstanding] = inverseOffersSince(framework, 0);
    const from = framework.events.length;
    expect(operatorCall(h, { type: 'DEACTIVATE_AGENT', deactivate_agent: { agent_id: { value: agent.id } } })).toEqual({ status: 200 });
    expect(framework.eventsOf('RESCIND_INVERSE_OFFER').map((event) => event.rescind_inverse_offer.inverse_offer_id.value)).toEqual([outstanding?.id.value]);
    h.advance(3 * h.state.config.allocationIntervalMs);
    expect(inverseOffersSince(framework, from)).toEqual([]);
  });
});

describe('maintenance: machines DOWN and UP', () => {
  it('refuses START_MAINTENANCE with Mesos texts: empty list, unknown machine, machine not DRAINING', () => {
    const { h, agent } = withTask();
    expect(startMaintenance(h, [])).toEqual({ status: 400, body: 'List of machines is empty' });
    expect(startMaintenance(h, [{}])).toEqual({ status: 400, body: "Both 'hostname' and 'ip' for a machine are empty" });
    expect(startMaintenance(h, [{ hostname: 'never-seen' }])).toEqual({ status: 400, body: `Machine '{"hostname":"never-seen"}' is not part of a maintenance schedule` });
    // The agent's machine is known (UP), so Mesos says it is not DRAINING rather than not scheduled.
    expect(startMaintenance(h, [machineOf(agent, 'maint-host')])).toEqual({
      status: 400,
      body: `Machine '{"hostname":"maint-host","ip":"${ip}"}' is not in DRAINING mode and cannot be brought down`,
    });
    updateSchedule(h, [window(h, [{ hostname: 'm1' }, { hostname: 'm2' }])]);
    expect(startMaintenance(h, [{ hostname: 'm1' }, { hostname: 'M1' }])).toEqual({ status: 400, body: `Machine '{"hostname":"M1"}' appears more than once in the schedule` });
    expect(startMaintenance(h, [{ hostname: 'm1' }])).toEqual({ status: 200 });
    expect(startMaintenance(h, [{ hostname: 'm2' }, { hostname: 'm1' }])).toEqual({ status: 400, body: `Machine '{"hostname":"m1"}' is not in DRAINING mode and cannot be brought down` });
    expect(getStatus(h).down_machines).toEqual([{ hostname: 'm1' }]);
  });

  it("removes the agents of a machine brought DOWN: SHUTDOWN, TASK_LOST 'Operator initiated', FAILURE; they are refused until it is UP", () => {
    const { h, agent, framework } = withTask();
    const machine = machineOf(agent, 'maint-host');
    const agentId = agent.id ?? '';
    updateSchedule(h, [window(h, [machine])]);
    expect(startMaintenance(h, [machine])).toEqual({ status: 200 });
    expect(agent.received.filter((record) => record.type === 'SHUTDOWN').map((record) => record.type === 'SHUTDOWN' && record.shutdown)).toEqual([
      { message: "Operator initiated 'Machine DOWN'" },
    ]);
    expect(updatesOf(framework, 'task-1').at(-1)).toMatchObject({
      state: 'TASK_LOST',
      source: 'SOURCE_MASTER',
      reason: 'REASON_AGENT_REMOVED',
      message: "Agent maint-host removed: Operator initiated 'Machine DOWN'",
    });
    expect(framework.eventsOf('FAILURE').map((event) => event.failure.agent_id?.value)).toEqual([agentId]);
    expect(h.state.agents.has(agentId)).toBe(false);
    // Counted as a removal under no reason, as Mesos does.
    expect(h.state.counters.get('master/slave_removals')).toBe(1);
    expect(h.state.counters.get('master/slave_removals/reason_maintenance')).toBe(0);
    expect(h.registry.applied.slice(-2).map((operation) => operation.type)).toEqual(['start_maintenance', 'remove_agent']);
    expect(getStatus(h)).toEqual({ down_machines: [machine] });
    // Neither the agent coming back nor a new agent on that machine is admitted.
    expect(firstLink(h, { hostname: 'maint-host', agentId })).toEqual({ status: 403, body: 'Machine is `DOWN`' });
    expect(firstLink(h, { hostname: 'Maint-Host' })).toEqual({ status: 403, body: 'Machine is `DOWN`' });
    expect(stopMaintenance(h, [{ hostname: 'other' }])).toEqual({ status: 400, body: `Machine '{"hostname":"other"}' is not part of a maintenance schedule` });
    expect(stopMaintenance(h, [machine])).toEqual({ status: 200 });
    expect(getSchedule(h)).toEqual({});
    expect(getStatus(h)).toEqual({});
    const fresh = h.addAgent({ hostname: 'maint-host' });
    expect(fresh.linked).toBe(true);
    h.advance(h.state.config.allocationIntervalMs);
    expect(framework.currentOffers().filter((offer) => offer.agent_id.value === fresh.id).map((offer) => offer.unavailability)).toEqual([undefined]);
  });

  it('refuses STOP_MAINTENANCE for a machine that is not DOWN', () => {
    const h = new Harness();
    updateSchedule(h, [window(h, [{ hostname: 'm1' }])]);
    expect(stopMaintenance(h, [{ hostname: 'm1' }])).toEqual({ status: 400, body: `Machine '{"hostname":"m1"}' is not in DOWN mode and cannot be brought up` });
  });

  it('brings up one machine of a window and leaves the rest scheduled; bringing all up empties the schedule (BringUpMachines)', () => {
    const h = new Harness();
    const [m1, m2, m3] = [{ hostname: 'm1' }, { hostname: 'm2' }, { ip: '0.0.0.3' }];
    updateSchedule(h, [window(h, [m1, m2, m3])]);
    startMaintenance(h, [m3]);
    stopMaintenance(h, [m3]);
    expect((getSchedule(h) as { windows: Window[] }).windows.map((entry) => entry.machine_ids)).toEqual([[m1, m2]]);
    startMaintenance(h, [m1, m2]);
    stopMaintenance(h, [m1, m2]);
    expect(getSchedule(h)).toEqual({});
  });

  it('brings a machine down and up whatever the case of its hostname, in the schedule and in the registry', () => {
    const h = new Harness();
    updateSchedule(h, [window(h, [{ hostname: 'Machine1' }, { hostname: 'm2' }])]);
    expect(startMaintenance(h, [{ hostname: 'machine1' }])).toEqual({ status: 200 });
    expect(stopMaintenance(h, [{ hostname: 'MACHINE1' }])).toEqual({ status: 200 });
    expect(getStatus(h)).toEqual({ draining_machines: [{ id: { hostname: 'm2' } }] });
    expect((getSchedule(h) as { windows: Window[] }).windows.map((entry) => entry.machine_ids)).toEqual([[{ hostname: 'm2' }]]);
    expect(h.registry.snapshot.downMachines).toEqual([]);
    expect(h.registry.snapshot.schedule.map((entry) => entry.machine_ids)).toEqual([[{ hostname: 'm2' }]]);
  });
});

describe('maintenance: the registry and a restarted master', () => {
  it('records each change as a named operation and a master restarted from the registry keeps schedule and DOWN machines', () => {
    const h = new Harness();
    const framework = h.subscribe();
    const agent = h.addAgent({ hostname: 'draining-host' });
    h.settle();
    const down = { hostname: 'down-host', ip };
    const windows = [window(h, [machineOf(agent, 'draining-host'), down])];
    updateSchedule(h, windows);
    startMaintenance(h, [down]);
    answerInverseOffers(framework, 'DECLINE', inverseOffersSince(framework, 0).map((inverse) => inverse.id.value), 0);
    expect(getStatus(h).draining_machines?.[0]?.statuses).toHaveLength(1);
    expect(h.registry.applied.map((operation) => operation.type).filter((type) => type !== 'admit_agent')).toEqual(['update_maintenance_schedule', 'start_maintenance']);
    expect(h.registry.snapshot.schedule).toEqual(windows);
    expect(h.registry.snapshot.downMachines).toEqual([down]);

    const restarted = new Harness({ registry: h.registry.snapshot });
    expect(getSchedule(restarted)).toEqual({ windows });
    // Inverse offer answers are not kept (as in Mesos).
    expect(getStatus(restarted)).toEqual({ draining_machines: [{ id: machineOf(agent, 'draining-host') }], down_machines: [down] });
    expect(firstLink(restarted, { hostname: 'down-host' })).toEqual({ status: 403, body: 'Machine is `DOWN`' });
    const again = restarted.subscribe();
    const back = restarted.addAgent({ hostname: 'draining-host', agentId: agent.id ?? '' });
    restarted.settle();
    expect(back.linked).toBe(true);
    expect(again.currentOffers().map((offer) => offer.unavailability)).toEqual([windows[0]?.unavailability]);
    expect(inverseOffersSince(again, 0).map((inverse) => inverse.agent_id.value)).toEqual([agent.id]);
  });

  it('keeps a machine down across a restart until it is brought up, then admits its agent', () => {
    const { h, agent } = withTask();
    const machine = machineOf(agent, 'maint-host');
    updateSchedule(h, [window(h, [machine])]);
    startMaintenance(h, [machine]);
    const restarted = new Harness({ registry: h.registry.snapshot });
    expect(firstLink(restarted, { hostname: 'maint-host' })).toEqual({ status: 403, body: 'Machine is `DOWN`' });
    expect(stopMaintenance(restarted, [machine])).toEqual({ status: 200 });
    expect(restarted.addAgent({ hostname: 'maint-host' }).linked).toBe(true);
    expect(restarted.registry.snapshot.downMachines).toEqual([]);
    expect(restarted.registry.snapshot.schedule).toEqual([]);
  });
});
