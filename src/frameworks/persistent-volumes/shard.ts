/**
 * One shard of the persistent-volumes framework: a reservation on one agent,
 * a persistent volume on it, and the tasks that use the volume. Plain data
 * and the pure functions that say what a shard needs next; the machine
 * (machine.ts) moves shards along.
 *
 *   unplaced ──offer──▶ RESERVE + CREATE + LAUNCH task 0
 *     ──▶ (operations finished, task 0 finished) ──▶ next task(s) on the volume, offered again
 *     ──▶ … all tasks finished ──offer──▶ DESTROY + UNRESERVE ──▶ (both finished) done
 */
import { Resources, type Resource } from '../../resources/index.js';
import { dynamicReservation, persistentVolume, scalar, type Reserver } from '../resources.js';

/** Each task's share (the Mesos example's cpus:0.1;mem:32). */
export const taskCpus = 0.1;
export const taskMemMegabytes = 32;
/** Each shard's volume (the Mesos example's 8 MB). */
export const volumeSizeMegabytes = 8;
/** Where a task finds the volume in its sandbox. */
export const volumeContainerPath = 'volume';

export interface Shard {
  readonly name: string;
  readonly shared: boolean;
  readonly taskCount: number;
  /** The volume as created (and destroyed). */
  readonly volume: Resource;
  /** Tasks the shard runs at once: 1, or for a shared shard all but the first. */
  readonly slotCount: number;
  /** The agent that holds its reservation and volume, once placed. */
  agentId: string | undefined;
  /** Ids of the tasks launched so far, in order. */
  readonly taskIds: string[];
  finishedCount: number;
  /** Launched and not yet finished. */
  readonly runningTaskIds: Set<string>;
  /** Sent with an id and not yet OPERATION_FINISHED. */
  readonly pendingOperationIds: Set<string>;
  /** RESERVE finished and no UNRESERVE finished since. */
  reserved: boolean;
  /** CREATE finished and no DESTROY finished since. */
  volumeExists: boolean;
  /** DESTROY and UNRESERVE have been sent. */
  releaseSent: boolean;
}

export function newShard(name: string, shared: boolean, taskCount: number, persistenceId: string, reserver: Reserver): Shard {
  return {
    name,
    shared,
    taskCount,
    volume: persistentVolume({ persistenceId, sizeMegabytes: volumeSizeMegabytes, reserver, containerPath: volumeContainerPath, shared }),
    slotCount: shared ? Math.max(1, taskCount - 1) : 1,
    agentId: undefined,
    taskIds: [],
    finishedCount: 0,
    runningTaskIds: new Set(),
    pendingOperationIds: new Set(),
    reserved: false,
    volumeExists: false,
    releaseSent: false,
  };
}

export function persistenceIdOf(shard: Shard): string {
  return shard.volume.disk?.persistence?.id ?? '';
}

export function isDone(shard: Shard): boolean {
  return shard.releaseSent && shard.pendingOperationIds.size === 0;
}

/** Waiting on the cluster (operations or tasks), not on an offer. */
export function isBusy(shard: Shard): boolean {
  return shard.runningTaskIds.size > 0 || shard.pendingOperationIds.size > 0;
}

/** cpus and mem for `taskCount` tasks, unreserved. */
function slotScalars(taskCount: number): Resource[] {
  return [scalar('cpus', taskCpus * taskCount), scalar('mem', taskMemMegabytes * taskCount)];
}

/** What the shard reserves: cpus and mem for its slots, and the disk of its volume. */
export function reservationOf(shard: Shard, reserver: Reserver): Resources {
  return unreservedNeedOf(shard).pushReservation(dynamicReservation(reserver));
}

/** The unreserved resources an offer must hold to place the shard. */
export function unreservedNeedOf(shard: Shard): Resources {
  return Resources.of([...slotScalars(shard.slotCount), scalar('disk', volumeSizeMegabytes)]);
}

/** Reserved cpus and mem for `taskCount` tasks. */
export function reservedSlots(taskCount: number, reserver: Reserver): Resources {
  return Resources.of(slotScalars(taskCount)).pushReservation(dynamicReservation(reserver));
}

/** How many tasks go out with the next launch: one, or for a shared shard all after the first at once. */
export function nextBatchSize(shard: Shard): number {
  const left = shard.taskCount - shard.taskIds.length;
  return shard.shared && shard.taskIds.length > 0 ? left : Math.min(1, left);
}

export function taskIdOf(shard: Shard, taskIndex: number): string {
  return `${shard.name}-task-${taskIndex}`;
}

export function operationIdOf(shard: Shard, kind: ShardOperationKind): string {
  return `${shard.name}-${kind}`;
}

export type ShardOperationKind = 'reserve' | 'create' | 'destroy' | 'unreserve';
