/**
 * Offer operations with operation ids (spec/storage.md 2.0: an id asks for
 * feedback, UPDATE_OPERATION_STATUS), and command tasks. Pure builders.
 */
import type { OfferOperation } from '../protocol/mesos.js';
import type { WireJsonResource } from '../protocol/outputs.js';
import type { Resource, Resources } from '../resources/index.js';
import { launchOperation, type LaunchTask } from '../sdk/operations.js';
import { toWire } from './resources.js';

type OperationResources = NonNullable<NonNullable<OfferOperation['reserve']>['resources']>;

/** The operation's resources as the schema types them: canonical JSON is a valid wire Resource. */
function wireResources(resources: Resources | readonly Resource[]): OperationResources {
  return toWire(resources) as WireJsonResource[] as OperationResources;
}

export function reserveOperation(operationId: string, resources: Resources): OfferOperation {
  return { type: 'RESERVE', id: { value: operationId }, reserve: { resources: wireResources(resources) } };
}

export function unreserveOperation(operationId: string, resources: Resources): OfferOperation {
  return { type: 'UNRESERVE', id: { value: operationId }, unreserve: { resources: wireResources(resources) } };
}

export function createOperation(operationId: string, volumes: readonly Resource[]): OfferOperation {
  return { type: 'CREATE', id: { value: operationId }, create: { volumes: wireResources(volumes) } };
}

export function destroyOperation(operationId: string, volumes: readonly Resource[]): OfferOperation {
  return { type: 'DESTROY', id: { value: operationId }, destroy: { volumes: wireResources(volumes) } };
}

export interface CommandTaskSpec {
  readonly taskId: string;
  readonly name: string;
  /** Run with `sh -c`. */
  readonly command: string;
  readonly resources: Resources | readonly Resource[];
}

export function commandTask(spec: CommandTaskSpec): LaunchTask {
  return {
    name: spec.name,
    task_id: { value: spec.taskId },
    resources: wireResources(spec.resources),
    command: { shell: true, value: spec.command },
  };
}

/** A LAUNCH (no id: LAUNCH takes none, spec 2.0.3) of `tasks` on the offer's agent. */
export function launchTasks(agentId: string, tasks: readonly LaunchTask[]): OfferOperation {
  return launchOperation(agentId, tasks);
}
