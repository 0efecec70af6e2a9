/**
 * The dynamic-reservation framework (after Mesos' dynamic_reservation_framework):
 * it reserves one task's resources on an agent the first time that agent is
 * offered, runs its tasks one at a time on that reservation, each once the
 * reserved resources are offered again, and when every task has been
 * launched unreserves them. It ends when all tasks have finished and every
 * reservation is released; a task that ends otherwise, or a refused
 * RESERVE/UNRESERVE (each carries an operation id), ends it with one line.
 *
 * Per agent (as in the Mesos example, with operation feedback):
 *
 *   (first offer) ──RESERVE──▶ reserving ──feedback, or an offer showing the reservation──▶ reserved
 *   reserved ──offer, tasks left──▶ LAUNCH ──▶ running ──TASK_FINISHED──▶ reserved
 *   reserved ──offer, none left──▶ UNRESERVE ──▶ unreserving ──feedback──▶ unreserved
 *
 * Unlike the example it reserves on no more agents than there are tasks left
 * to launch. Pure: no clock, no I/O.
 */
import type { OfferOperation } from '../../protocol/mesos.js';
import type { WireOffer, WireOperationStatus, WireTaskStatus } from '../../protocol/outputs.js';
import type { Resources } from '../../resources/index.js';
import { describeOperationStatus, describeTaskStatus, isLiveTaskState, operationVerdict, StepBuilder } from '../machine.js';
import type { FrameworkMachine, MachineEvent, MachineStep, Outcome } from '../machine.js';
import { commandTask, launchTasks, reserveOperation, unreserveOperation } from '../operations.js';
import { describeResources, dynamicReservation, OfferPool, type Reserver } from '../resources.js';

export interface DynamicReservationSettings {
  readonly reserver: Reserver;
  readonly taskCount: number;
  /** Each task's shell command. */
  readonly command: string;
  /** Each task's resources, unreserved (cpus:1;mem:128 in the Mesos example). */
  readonly taskResources: Resources;
}

export interface AgentSummary {
  readonly agent_id: string;
  readonly tasks: readonly string[];
}

export interface DynamicReservationSummary {
  readonly framework: 'dynamic-reservation';
  readonly role: string;
  readonly principal?: string;
  /** What was reserved on each agent, and unreserved at the end. */
  readonly reservation: string;
  readonly agents: readonly AgentSummary[];
  readonly tasks_finished: number;
}

type AgentPhase = 'reserving' | 'reserved' | 'running' | 'unreserving' | 'unreserved';

interface AgentState {
  readonly agentId: string;
  /** 1, 2, ... in the order agents were first reserved on: names its operations. */
  readonly ordinal: number;
  phase: AgentPhase;
  readonly taskIds: string[];
}

interface TrackedOperation {
  readonly agent: AgentState;
  readonly kind: 'reserve' | 'unreserve';
}

export class DynamicReservationMachine implements FrameworkMachine<DynamicReservationSummary> {
  private readonly agents = new Map<string, AgentState>();
  private readonly pendingOperations = new Map<string, TrackedOperation>();
  private readonly agentByTaskId = new Map<string, AgentState>();
  private readonly endedTaskIds = new Set<string>();
  private readonly reservedTaskResources: Resources;
  private launchedCount = 0;
  private finishedCount = 0;
  private failure: string | undefined;

  constructor(private readonly settings: DynamicReservationSettings) {
    this.reservedTaskResources = settings.taskResources.pushReservation(dynamicReservation(settings.reserver));
  }

  step(event: MachineEvent): MachineStep {
    const step = new StepBuilder();
    if (event.type === 'offers') this.onOffers(event.offers, step);
    else if (this.failure === undefined && event.type === 'task-status') this.onTaskStatus(event.status, step);
    else if (this.failure === undefined && event.type === 'operation-status') this.onOperationStatus(event.status, step);
    return step.build();
  }

  outcome(): Outcome<DynamicReservationSummary> | undefined {
    if (this.failure !== undefined) return { ok: false, error: this.failure };
    const released = [...this.agents.values()].every((agent) => agent.phase === 'unreserved');
    if (this.finishedCount < this.settings.taskCount || !released || this.pendingOperations.size > 0) return undefined;
    const principal = this.settings.reserver.principal;
    return {
      ok: true,
      summary: {
        framework: 'dynamic-reservation',
        role: this.settings.reserver.role,
        ...(principal === undefined ? {} : { principal }),
        reservation: describeResources(this.settings.taskResources),
        agents: [...this.agents.values()].map((agent) => ({ agent_id: agent.agentId, tasks: [...agent.taskIds] })),
        tasks_finished: this.finishedCount,
      },
    };
  }

  waitingFor(): string {
    const busy = [...this.agents.values()].filter((agent) => agent.phase !== 'unreserved');
    if (this.agents.size === 0 || (busy.length === 0 && this.launchedCount < this.settings.taskCount)) {
      return `an offer holding ${describeResources(this.settings.taskResources)} unreserved for role '${this.settings.reserver.role}'`;
    }
    return busy.map((agent) => `agent ${agent.agentId}: ${phaseWait[agent.phase]}`).join('; ');
  }

  private onOffers(offers: readonly WireOffer[], step: StepBuilder): void {
    const unused: string[] = [];
    for (const offer of offers) {
      const operation = this.failure === undefined ? this.onOffer(offer, step) : undefined;
      if (operation === undefined) unused.push(offer.id.value);
      else step.accept(offer.id.value, [operation]);
    }
    step.decline(unused);
  }

  private onOffer(offer: WireOffer, step: StepBuilder): OfferOperation | undefined {
    const agentId = offer.agent_id.value;
    const pool = new OfferPool(offer);
    const agent = this.agents.get(agentId);
    if (agent === undefined) return this.reserve(agentId, pool, step);
    if (agent.phase === 'reserving' && pool.holds(this.reservedTaskResources)) agent.phase = 'reserved';
    if (agent.phase !== 'reserved' || !pool.holds(this.reservedTaskResources)) return undefined;
    if (this.launchedCount < this.settings.taskCount) return this.launch(agent, step);
    agent.phase = 'unreserving';
    step.say(`agent ${agentId}: every task launched; unreserving ${describeResources(this.settings.taskResources)}`);
    return unreserveOperation(this.track(agent, 'unreserve'), this.reservedTaskResources);
  }

  private reserve(agentId: string, pool: OfferPool, step: StepBuilder): OfferOperation | undefined {
    const canLaunch = [...this.agents.values()].filter((agent) => agent.phase === 'reserving' || agent.phase === 'reserved' || agent.phase === 'running');
    if (canLaunch.length >= this.settings.taskCount - this.launchedCount) return undefined;
    if (!pool.holds(this.settings.taskResources)) return undefined;
    const agent: AgentState = { agentId, ordinal: this.agents.size + 1, phase: 'reserving', taskIds: [] };
    this.agents.set(agentId, agent);
    step.say(`agent ${agentId}: reserving ${describeResources(this.settings.taskResources)} for role '${this.settings.reserver.role}'`);
    return reserveOperation(this.track(agent, 'reserve'), this.reservedTaskResources);
  }

  private launch(agent: AgentState, step: StepBuilder): OfferOperation {
    const taskId = `task-${this.launchedCount}`;
    this.launchedCount += 1;
    agent.phase = 'running';
    agent.taskIds.push(taskId);
    this.agentByTaskId.set(taskId, agent);
    step.say(`agent ${agent.agentId}: launching ${taskId} on the reservation (${this.launchedCount}/${this.settings.taskCount})`);
    const task = commandTask({
      taskId,
      name: `Task ${taskId}: ${this.settings.command}`,
      command: this.settings.command,
      resources: this.reservedTaskResources,
    });
    return launchTasks(agent.agentId, [task]);
  }

  private track(agent: AgentState, kind: TrackedOperation['kind']): string {
    const operationId = `${kind}-${agent.ordinal}`;
    this.pendingOperations.set(operationId, { agent, kind });
    return operationId;
  }

  private onTaskStatus(status: WireTaskStatus, step: StepBuilder): void {
    const taskId = status.task_id.value;
    const agent = this.agentByTaskId.get(taskId);
    if (agent === undefined || this.endedTaskIds.has(taskId) || isLiveTaskState(status.state)) return;
    this.endedTaskIds.add(taskId);
    if (status.state !== 'TASK_FINISHED') {
      this.fail(`task ${taskId} on agent ${agent.agentId} ended ${describeTaskStatus(status)}`);
      return;
    }
    this.finishedCount += 1;
    agent.phase = 'reserved';
    step.say(`agent ${agent.agentId}: ${taskId} finished (${this.finishedCount}/${this.settings.taskCount})`);
  }

  private onOperationStatus(status: WireOperationStatus, step: StepBuilder): void {
    const operationId = status.operation_id?.value;
    const operation = operationId === undefined ? undefined : this.pendingOperations.get(operationId);
    if (operationId === undefined || operation === undefined) return;
    const verdict = operationVerdict(status.state);
    if (verdict === 'waiting') return;
    this.pendingOperations.delete(operationId);
    const { agent, kind } = operation;
    if (verdict === 'refused') {
      if (kind === 'reserve') agent.phase = 'unreserved';
      this.fail(`${kind.toUpperCase()} ${operationId} on agent ${agent.agentId} was refused: ${describeOperationStatus(status)}`);
      return;
    }
    if (kind === 'reserve' && agent.phase === 'reserving') agent.phase = 'reserved';
    if (kind === 'unreserve') {
      agent.phase = 'unreserved';
      step.say(`agent ${agent.agentId}: reservation released`);
    }
  }

  private fail(why: string): void {
    if (this.failure !== undefined) return;
    const left = this.leftovers();
    this.failure = left === '' ? why : `${why}; left in place: ${left}`;
  }

  /** Reservations made (or being made) and not released. */
  leftovers(): string {
    const held = [...this.agents.values()].filter((agent) => agent.phase !== 'unreserved').map((agent) => agent.agentId);
    return held.length === 0 ? '' : `the reservation on agent${held.length > 1 ? 's' : ''} ${held.join(', ')}`;
  }
}

const phaseWait: Readonly<Record<AgentPhase, string>> = {
  reserving: 'its reservation to be confirmed and offered',
  reserved: 'its reservation to be offered again',
  running: 'its task to finish',
  unreserving: 'feedback on its UNRESERVE',
  unreserved: 'nothing',
};
