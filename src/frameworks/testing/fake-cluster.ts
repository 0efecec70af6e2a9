/**
 * A tiny in-memory cluster for playing a framework machine from start to end
 * without processes: agents with resources, offers of what is free, and the
 * master's rules that matter here (spec/storage.md 2.0.5, 2.7, 2.10): an
 * ACCEPT's operations apply in order to the offered resources, each must be
 * contained in what is left, a non-shared volume is offered only while no
 * task uses it, a shared one always. Accepted operations with an id finish
 * (or are refused, when a test says so); tasks run until the test ends them.
 *
 * It checks, and throws on, what a real master would refuse, so a machine
 * that asks for more than an offer holds fails its test.
 */
import type { OfferOperation } from '../../protocol/mesos.js';
import type { WireOffer, WireOperationStatus, WireTaskStatus } from '../../protocol/outputs.js';
import { fromWireList, isPersistentVolume, Resources, stripVolume, type Resource } from '../../resources/index.js';
import type { FrameworkMachine, MachineEvent } from '../machine.js';
import { toWire } from '../resources.js';

interface FakeAgent {
  readonly id: string;
  total: Resources;
}

export interface RunningTask {
  readonly taskId: string;
  readonly agentId: string;
  readonly resources: Resources;
  /** The task's shell command. */
  readonly command: string;
}

export interface FakeClusterOptions {
  readonly role: string;
  /** Agent id to its resources in the flag's text form. */
  readonly agents: Readonly<Record<string, string>>;
  /** Operation ids the master refuses (OPERATION_ERROR). */
  readonly refusedOperationIds?: readonly string[];
}

export class FakeCluster {
  readonly agents: FakeAgent[];
  readonly running = new Map<string, RunningTask>();
  /** Every task launched, in order. */
  readonly launched: RunningTask[] = [];
  /** Per persistence id, the most tasks that used the volume at once. */
  readonly volumeConcurrencyMax = new Map<string, number>();
  private readonly pendingStatuses: MachineEvent[] = [];
  private offerCount = 0;
  /** Some operation of the ACCEPT being applied was refused. */
  private refusalInAccept = false;

  constructor(private readonly options: FakeClusterOptions) {
    this.agents = Object.entries(options.agents).map(([id, text]) => ({ id, total: Resources.parse(text) }));
  }

  /** Offers every agent's free resources to the machine and applies what it accepts. */
  offerAll(machine: FrameworkMachine<unknown>): void {
    const offers = this.agents.map((agent) => this.offerOf(agent));
    this.apply(machine.step({ type: 'offers', offers }).calls, offers);
  }

  /** Delivers the operation statuses produced so far. */
  deliverOperationStatuses(machine: FrameworkMachine<unknown>): void {
    for (const event of this.pendingStatuses.splice(0)) machine.step(event);
  }

  /** Ends a running task with `state` and tells the machine. */
  endTask(machine: FrameworkMachine<unknown>, taskId: string, state: WireTaskStatus['state'] = 'TASK_FINISHED', message?: string): void {
    const task = this.running.get(taskId);
    if (task === undefined) throw new Error(`task ${taskId} is not running`);
    this.running.delete(taskId);
    machine.step({ type: 'task-status', status: taskStatus(taskId, task.agentId, state, message) });
  }

  /** Offers, statuses and task ends, round after round, until the machine has an outcome. */
  play<S>(machine: FrameworkMachine<S>, roundsMax = 200): ReturnType<FrameworkMachine<S>['outcome']> {
    for (let round = 0; round < roundsMax && machine.outcome() === undefined; round += 1) {
      this.offerAll(machine);
      this.deliverOperationStatuses(machine);
      for (const taskId of [...this.running.keys()]) if (machine.outcome() === undefined) this.endTask(machine, taskId);
    }
    return machine.outcome();
  }

  reservedOn(agentId: string): Resources {
    return this.agent(agentId).total.reserved();
  }

  volumesOn(agentId: string): Resources {
    return this.agent(agentId).total.persistentVolumes();
  }

  private agent(agentId: string): FakeAgent {
    const agent = this.agents.find((candidate) => candidate.id === agentId);
    if (agent === undefined) throw new Error(`no agent ${agentId}`);
    return agent;
  }

  private offerOf(agent: FakeAgent): WireOffer {
    let used = Resources.empty();
    for (const task of this.running.values()) if (task.agentId === agent.id) used = used.plus(task.resources.nonShared());
    const free = agent.total.nonShared().minus(used).plus(agent.total.shared());
    this.offerCount += 1;
    return {
      id: { value: `offer-${this.offerCount}` },
      framework_id: { value: 'framework' },
      agent_id: { value: agent.id },
      hostname: 'localhost',
      url: { scheme: 'http', address: { ip: '127.0.0.1', port: 5051 }, path: '/slave(1)' },
      resources: toWire(free.allocate(this.options.role)),
      attributes: [],
      executor_ids: [],
      allocation_info: { role: this.options.role },
    };
  }

  private apply(calls: ReturnType<FrameworkMachine<unknown>['step']>['calls'], offers: readonly WireOffer[]): void {
    for (const call of calls) {
      if (call.type !== 'accept') continue;
      const offer = offers.find((candidate) => candidate.id.value === call.offerId);
      if (offer === undefined) throw new Error(`ACCEPT of unknown offer ${call.offerId}`);
      const agent = this.agent(offer.agent_id.value);
      let left = Resources.of(decode(offer.resources)).unallocate();
      this.refusalInAccept = false;
      for (const operation of call.operations) left = this.applyOperation(agent, left, operation);
    }
  }

  /** One operation against what is left of the offer; returns what is left after it. */
  private applyOperation(agent: FakeAgent, left: Resources, operation: OfferOperation): Resources {
    const id = operation.id?.value;
    if (id !== undefined && this.options.refusedOperationIds?.includes(id)) {
      this.pendingStatuses.push({ type: 'operation-status', status: operationStatus(id, 'OPERATION_ERROR', undefined, 'refused by the test') });
      this.refusalInAccept = true;
      return left;
    }
    const conversion = conversionOf(operation);
    if (conversion !== undefined) {
      if (!left.contains(conversion.consumed)) throw new Error(`${operation.type ?? ''} ${id ?? ''}: the offer does not hold ${conversion.consumed.toString()}`);
      agent.total = agent.total.minus(conversion.consumed).plus(conversion.converted);
      if (id !== undefined) this.pendingStatuses.push({ type: 'operation-status', status: operationStatus(id, 'OPERATION_FINISHED', agent.id) });
      return left.minus(conversion.consumed).plus(conversion.converted);
    }
    return this.launch(agent, left, operation);
  }

  private launch(agent: FakeAgent, left: Resources, operation: OfferOperation): Resources {
    let remaining = left;
    for (const task of operation.launch?.task_infos ?? []) {
      const resources = Resources.of(decode(task.resources ?? []));
      const available = remaining.nonShared().plus(left.shared());
      if (!available.contains(resources)) {
        // After a refused operation of the same ACCEPT, a task that needed it is an error, as on a real master.
        if (!this.refusalInAccept) throw new Error(`task ${task.task_id.value}: the offer does not hold ${resources.toString()}`);
        this.pendingStatuses.push({ type: 'task-status', status: taskStatus(task.task_id.value, agent.id, 'TASK_ERROR', 'needed a refused operation') });
        continue;
      }
      remaining = remaining.minus(resources.nonShared());
      const running: RunningTask = { taskId: task.task_id.value, agentId: agent.id, resources, command: task.command?.value ?? '' };
      this.running.set(running.taskId, running);
      this.launched.push(running);
      for (const volume of resources.persistentVolumes().toList()) this.noteVolumeUse(volume);
    }
    return remaining;
  }

  private noteVolumeUse(volume: Resource): void {
    const id = volume.disk?.persistence?.id ?? '';
    const users = [...this.running.values()].filter((task) => task.resources.persistentVolumes().toList().some((r) => r.disk?.persistence?.id === id));
    this.volumeConcurrencyMax.set(id, Math.max(this.volumeConcurrencyMax.get(id) ?? 0, users.length));
  }
}

function decode(json: readonly unknown[]): Resource[] {
  const decoded = fromWireList(json as Parameters<typeof fromWireList>[0]);
  if (!decoded.ok) throw new Error(decoded.error);
  return decoded.value;
}

/** What a RESERVE, UNRESERVE, CREATE or DESTROY consumes and yields; undefined for a LAUNCH. */
function conversionOf(operation: OfferOperation): { consumed: Resources; converted: Resources } | undefined {
  switch (operation.type) {
    case 'RESERVE': {
      const reserved = Resources.of(decode(operation.reserve?.resources ?? []));
      return { consumed: reserved.popReservation(), converted: reserved };
    }
    case 'UNRESERVE': {
      const reserved = Resources.of(decode(operation.unreserve?.resources ?? []));
      return { consumed: reserved, converted: reserved.popReservation() };
    }
    case 'CREATE': {
      const volumes = decode(operation.create?.volumes ?? []);
      return { consumed: Resources.of(volumes.map(stripVolume)), converted: Resources.of(volumes) };
    }
    case 'DESTROY': {
      const volumes = decode(operation.destroy?.volumes ?? []);
      if (!volumes.every(isPersistentVolume)) throw new Error('DESTROY of something other than a volume');
      return { consumed: Resources.of(volumes), converted: Resources.of(volumes.map(stripVolume)) };
    }
    default:
      return undefined;
  }
}

export function taskStatus(taskId: string, agentId: string, state: WireTaskStatus['state'], message?: string): WireTaskStatus {
  return { task_id: { value: taskId }, agent_id: { value: agentId }, state, timestamp: 0, ...(message === undefined ? {} : { message }) };
}

export function operationStatus(operationId: string, state: WireOperationStatus['state'], agentId?: string, message?: string): WireOperationStatus {
  return {
    operation_id: { value: operationId },
    state,
    ...(agentId === undefined ? {} : { agent_id: { value: agentId } }),
    ...(message === undefined ? {} : { message }),
  };
}
