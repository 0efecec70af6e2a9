/**
 * The persistent-volumes framework (after Mesos' persistent_volume_framework):
 * for each shard it reserves cpus, mem and disk on one agent and creates a
 * persistent volume there, regular or shared, then runs the shard's tasks on
 * the volume (see task-commands.ts for what they check), and once they have
 * all finished destroys the volume and gives the reservation back. Every
 * RESERVE, CREATE, DESTROY and UNRESERVE carries an operation id, so each is
 * confirmed (or refused) by an operation status; a refused operation or a
 * task that does not finish ends the run with one line saying which.
 *
 * Each offer is shared out among the shards in order (shard.ts says what each
 * needs); what no shard takes is declined. Pure: no clock, no I/O; the run id
 * that keeps persistence ids unique comes from the caller.
 */
import type { WireOffer, WireOperationStatus, WireTaskStatus } from '../../protocol/outputs.js';
import type { OfferOperation } from '../../protocol/mesos.js';
import { describeOperationStatus, describeTaskStatus, isLiveTaskState, operationVerdict, StepBuilder } from '../machine.js';
import type { FrameworkMachine, MachineEvent, MachineStep, Outcome } from '../machine.js';
import { commandTask, createOperation, destroyOperation, launchTasks, reserveOperation, unreserveOperation } from '../operations.js';
import { describeResources, OfferPool, type Reserver } from '../resources.js';
import { Resources } from '../../resources/index.js';
import {
  isBusy,
  isDone,
  newShard,
  nextBatchSize,
  operationIdOf,
  persistenceIdOf,
  reservationOf,
  reservedSlots,
  taskIdOf,
  unreservedNeedOf,
  volumeContainerPath,
  type Shard,
  type ShardOperationKind,
} from './shard.js';
import { concurrentTaskCommand, sequentialTaskCommand } from './task-commands.js';

export interface PersistentVolumeSettings {
  readonly reserver: Reserver;
  /** Shards in all, regular and shared. */
  readonly shardCount: number;
  /** How many of them (the last ones) use a shared volume. */
  readonly sharedShardCount: number;
  readonly tasksPerShard: number;
  /** Part of every persistence id: ids are unique per role on an agent, across runs too. */
  readonly runId: string;
}

export interface ShardSummary {
  readonly name: string;
  readonly shared: boolean;
  readonly agent_id: string;
  readonly volume_id: string;
  readonly tasks: readonly string[];
}

export interface PersistentVolumeSummary {
  readonly framework: 'persistent-volumes';
  readonly role: string;
  readonly principal?: string;
  readonly shards: readonly ShardSummary[];
  readonly tasks_finished: number;
}

/** In the order a shard sends them (RESERVE and CREATE in one ACCEPT, DESTROY and UNRESERVE in another). */
const operationKinds: readonly ShardOperationKind[] = ['reserve', 'create', 'destroy', 'unreserve'];

export class PersistentVolumeMachine implements FrameworkMachine<PersistentVolumeSummary> {
  private readonly shards: Shard[] = [];
  private readonly shardByTaskId = new Map<string, Shard>();
  private readonly operationById = new Map<string, { readonly shard: Shard; readonly kind: ShardOperationKind }>();
  /** Tasks whose terminal status was taken in: a repeat (after a re-subscription) is ignored. */
  private readonly endedTaskIds = new Set<string>();
  private failure: string | undefined;

  constructor(private readonly settings: PersistentVolumeSettings) {
    const regularCount = settings.shardCount - settings.sharedShardCount;
    for (let index = 0; index < settings.shardCount; index += 1) {
      const shared = index >= regularCount;
      const name = `${shared ? 'shared-shard' : 'shard'}-${index}`;
      this.shards.push(newShard(name, shared, settings.tasksPerShard, `${settings.runId}-${name}`, settings.reserver));
    }
  }

  step(event: MachineEvent): MachineStep {
    const step = new StepBuilder();
    if (event.type === 'offers') this.onOffers(event.offers, step);
    else if (this.failure === undefined && event.type === 'task-status') this.onTaskStatus(event.status, step);
    else if (this.failure === undefined && event.type === 'operation-status') this.onOperationStatus(event.status, step);
    return step.build();
  }

  outcome(): Outcome<PersistentVolumeSummary> | undefined {
    if (this.failure !== undefined) return { ok: false, error: this.failure };
    if (!this.shards.every(isDone)) return undefined;
    const principal = this.settings.reserver.principal;
    return {
      ok: true,
      summary: {
        framework: 'persistent-volumes',
        role: this.settings.reserver.role,
        ...(principal === undefined ? {} : { principal }),
        shards: this.shards.map((shard) => ({
          name: shard.name,
          shared: shard.shared,
          agent_id: shard.agentId ?? '',
          volume_id: persistenceIdOf(shard),
          tasks: [...shard.taskIds],
        })),
        tasks_finished: this.shards.reduce((sum, shard) => sum + shard.finishedCount, 0),
      },
    };
  }

  waitingFor(): string {
    const waits = this.shards.filter((shard) => !isDone(shard)).map((shard) => `${shard.name}: ${this.shardWait(shard)}`);
    return waits.length === 0 ? 'nothing' : waits.join('; ');
  }

  private shardWait(shard: Shard): string {
    if (shard.pendingOperationIds.size > 0) return `feedback on ${[...shard.pendingOperationIds].join(', ')}`;
    if (shard.runningTaskIds.size > 0) return `tasks ${[...shard.runningTaskIds].join(', ')} to finish`;
    if (shard.agentId === undefined) {
      return `an offer holding ${describeResources(unreservedNeedOf(shard))} unreserved for role '${this.settings.reserver.role}'`;
    }
    if (shard.taskIds.length < shard.taskCount) return `its volume to be offered again on agent ${shard.agentId}`;
    return `its volume and reservation to be offered again on agent ${shard.agentId}, to destroy and unreserve them`;
  }

  private onOffers(offers: readonly WireOffer[], step: StepBuilder): void {
    const unused: string[] = [];
    for (const offer of offers) {
      const operations = this.failure === undefined ? this.shareOut(offer, step) : [];
      if (operations.length === 0) unused.push(offer.id.value);
      else step.accept(offer.id.value, operations);
    }
    step.decline(unused);
  }

  /** The operations for every shard that this offer serves, in shard order. */
  private shareOut(offer: WireOffer, step: StepBuilder): OfferOperation[] {
    const pool = new OfferPool(offer);
    const operations: OfferOperation[] = [];
    for (const shard of this.shards) {
      if (shard.releaseSent || isBusy(shard)) continue;
      if (shard.agentId === undefined) operations.push(...this.place(shard, offer, pool, step));
      else if (shard.agentId !== offer.agent_id.value) continue;
      else if (shard.taskIds.length < shard.taskCount) operations.push(...this.launchNext(shard, offer, pool, step));
      else operations.push(...this.release(shard, pool, step));
    }
    return operations;
  }

  /** RESERVE, CREATE and the first task, in one ACCEPT (the master applies them in order). */
  private place(shard: Shard, offer: WireOffer, pool: OfferPool, step: StepBuilder): OfferOperation[] {
    if (!pool.take(unreservedNeedOf(shard))) return [];
    const agentId = offer.agent_id.value;
    shard.agentId = agentId;
    const reservation = reservationOf(shard, this.settings.reserver);
    const operations = [
      reserveOperation(this.track(shard, 'reserve'), reservation),
      createOperation(this.track(shard, 'create'), [shard.volume]),
      this.launch(shard, agentId, 1),
    ];
    step.say(
      `${shard.name}: reserving ${describeResources(reservation)} on agent ${agentId}, creating ` +
        `${shard.shared ? 'shared ' : ''}volume ${persistenceIdOf(shard)}, launching ${taskIdOf(shard, 0)}`,
    );
    return operations;
  }

  private launchNext(shard: Shard, offer: WireOffer, pool: OfferPool, step: StepBuilder): OfferOperation[] {
    const batchSize = nextBatchSize(shard);
    const wanted = reservedSlots(batchSize, this.settings.reserver).plus(shard.volume);
    if (!pool.take(wanted)) return [];
    const first = shard.taskIds.length;
    const operation = this.launch(shard, offer.agent_id.value, batchSize);
    const launched = shard.taskIds.slice(first);
    step.say(`${shard.name}: launching ${launched.join(', ')} on volume ${persistenceIdOf(shard)}`);
    return [operation];
  }

  /** DESTROY then UNRESERVE of everything the shard reserved, in one ACCEPT. */
  private release(shard: Shard, pool: OfferPool, step: StepBuilder): OfferOperation[] {
    const reservation = reservationOf(shard, this.settings.reserver);
    const slots = reservedSlots(shard.slotCount, this.settings.reserver);
    if (!pool.take(slots.plus(shard.volume))) return [];
    shard.releaseSent = true;
    step.say(`${shard.name}: destroying volume ${persistenceIdOf(shard)}, unreserving ${describeResources(reservation)}`);
    return [
      destroyOperation(this.track(shard, 'destroy'), [shard.volume]),
      unreserveOperation(this.track(shard, 'unreserve'), reservation),
    ];
  }

  /** A LAUNCH of the shard's next `batchSize` tasks, each on one slot and the volume. */
  private launch(shard: Shard, agentId: string, batchSize: number): OfferOperation {
    const tasks = [];
    for (let count = 0; count < batchSize; count += 1) {
      const taskIndex = shard.taskIds.length;
      const taskId = taskIdOf(shard, taskIndex);
      const command =
        shard.shared && taskIndex > 0
          ? concurrentTaskCommand(volumeContainerPath, taskIndex, shard.taskCount, taskId)
          : sequentialTaskCommand(volumeContainerPath, taskIndex, taskId);
      const resources: Resources = reservedSlots(1, this.settings.reserver).plus(shard.volume);
      tasks.push(commandTask({ taskId, name: `${shard.name} task ${taskIndex}`, command, resources }));
      shard.taskIds.push(taskId);
      shard.runningTaskIds.add(taskId);
      this.shardByTaskId.set(taskId, shard);
    }
    return launchTasks(agentId, tasks);
  }

  private track(shard: Shard, kind: ShardOperationKind): string {
    const operationId = operationIdOf(shard, kind);
    shard.pendingOperationIds.add(operationId);
    this.operationById.set(operationId, { shard, kind });
    return operationId;
  }

  private onTaskStatus(status: WireTaskStatus, step: StepBuilder): void {
    const taskId = status.task_id.value;
    const shard = this.shardByTaskId.get(taskId);
    if (shard === undefined || this.endedTaskIds.has(taskId) || isLiveTaskState(status.state)) return;
    this.endedTaskIds.add(taskId);
    shard.runningTaskIds.delete(taskId);
    if (status.state !== 'TASK_FINISHED') {
      this.fail(`task ${taskId} of ${shard.name} ended ${describeTaskStatus(status)}`);
      return;
    }
    shard.finishedCount += 1;
    step.say(`${shard.name}: ${taskId} finished (${shard.finishedCount}/${shard.taskCount})`);
  }

  private onOperationStatus(status: WireOperationStatus, step: StepBuilder): void {
    const operationId = status.operation_id?.value;
    const operation = operationId === undefined ? undefined : this.operationById.get(operationId);
    if (operationId === undefined || operation === undefined || !operation.shard.pendingOperationIds.has(operationId)) return;
    const { shard, kind } = operation;
    const verdict = operationVerdict(status.state);
    if (verdict === 'waiting') return;
    shard.pendingOperationIds.delete(operationId);
    if (verdict === 'refused') {
      // The operations after it in the same ACCEPT depend on it: they will not happen either.
      for (const later of operationKinds.slice(operationKinds.indexOf(kind) + 1)) shard.pendingOperationIds.delete(operationIdOf(shard, later));
      this.fail(`${kind.toUpperCase()} ${operationId} of ${shard.name} was refused: ${describeOperationStatus(status)}`);
      return;
    }
    if (kind === 'reserve') shard.reserved = true;
    if (kind === 'create') shard.volumeExists = true;
    if (kind === 'destroy') shard.volumeExists = false;
    if (kind === 'unreserve') shard.reserved = false;
    if (isDone(shard)) step.say(`${shard.name}: volume destroyed and reservation released`);
  }

  private fail(why: string): void {
    if (this.failure !== undefined) return;
    const left = this.leftovers();
    this.failure = left === '' ? why : `${why}; left in place: ${left}`;
  }

  /** Volumes and reservations that exist (or may: their operation is still pending), per agent. */
  leftovers(): string {
    const byAgent = new Map<string, { volumes: string[]; reservations: string[] }>();
    for (const shard of this.shards) {
      const agent = byAgent.get(shard.agentId ?? '?') ?? { volumes: [], reservations: [] };
      if (shard.volumeExists || shard.pendingOperationIds.has(operationIdOf(shard, 'create'))) agent.volumes.push(persistenceIdOf(shard));
      if (shard.reserved || shard.pendingOperationIds.has(operationIdOf(shard, 'reserve'))) agent.reservations.push(shard.name);
      byAgent.set(shard.agentId ?? '?', agent);
    }
    const role = this.settings.reserver.role;
    const parts: string[] = [];
    for (const [agentId, { volumes, reservations }] of byAgent) {
      const what = [
        volumes.length === 0 ? '' : `volume${volumes.length > 1 ? 's' : ''} ${volumes.join(', ')}`,
        reservations.length === 0 ? '' : `the reservation${reservations.length > 1 ? 's' : ''} of ${reservations.join(', ')} (role '${role}')`,
      ].filter((text) => text !== '');
      if (what.length > 0) parts.push(`${what.join(' and ')} on agent ${agentId}`);
    }
    return parts.join(', and ');
  }

}
