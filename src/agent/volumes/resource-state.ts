/**
 * What the agent keeps of its reservations and volumes (spec/storage.md 3.2),
 * and the changes it makes to them, as values: the core applies a change to
 * its state at once, and the shell journals the same change
 * (resource-journal.ts) and applies it to what the journal holds.
 *
 * A change is what an operation did, not the whole set after it: with a
 * thousand volumes on an agent, a CREATE writes one volume to the journal,
 * not a thousand (Mesos rewrites its whole resources file every time).
 */
import type { OperationStatusMessage } from '../../protocol/internal.js';
import { Resources } from '../../resources/index.js';

export interface ResourceState {
  /** Dynamic reservations and persistent volumes, unallocated. */
  readonly resources: Resources;
  /** The version the master gave the last change; undefined before the first. */
  readonly version: string | undefined;
  /** Operation status updates with feedback that the master has not acknowledged, oldest first. */
  readonly operationUpdates: readonly OperationStatusMessage[];
}

export const emptyResourceState: ResourceState = { resources: Resources.empty(), version: undefined, operationUpdates: [] };

/** One step of an operation on the checkpointed resources: `removed` goes, then `added` comes. */
export interface CheckpointedStep {
  readonly removed: Resources;
  readonly added: Resources;
}

export type ResourceChange =
  /** An operation's steps, on the state of version `base`, giving version `version`; `kept` is its report, kept until acknowledged. */
  | {
      readonly kind: 'convert';
      readonly base: string | undefined;
      readonly version: string;
      readonly steps: readonly CheckpointedStep[];
      readonly kept: OperationStatusMessage | undefined;
    }
  /** The master's whole set (after a re-registration found the agent behind). */
  | { readonly kind: 'replace'; readonly version: string | undefined; readonly resources: Resources; readonly kept: OperationStatusMessage | undefined }
  /** A report kept until acknowledged (an operation refused or failed). */
  | { readonly kind: 'keep'; readonly update: OperationStatusMessage }
  /** Reports acknowledged, or whose framework is gone: forgotten. */
  | { readonly kind: 'forget'; readonly statusUuids: readonly string[] };

/** A change of the resources themselves. */
export type ResourceConversion = Extract<ResourceChange, { readonly kind: 'convert' | 'replace' }>;

/** The resources after `steps`; each step's `removed` must be there (the caller checked). */
export function applySteps(resources: Resources, steps: readonly CheckpointedStep[]): Resources {
  let result = resources;
  for (const { removed, added } of steps) result = result.minus(removed).plus(added);
  return result;
}

/** Why `steps` cannot be applied to `resources`, or undefined. */
export function stepsError(resources: Resources, steps: readonly CheckpointedStep[]): string | undefined {
  let result = resources;
  for (const { removed, added } of steps) {
    if (!result.contains(removed)) return `Checkpointed resources ${result.toString()} do not contain ${removed.toString()}`;
    result = result.minus(removed).plus(added);
  }
  return undefined;
}

export function applyResourceChange(state: ResourceState, change: ResourceChange): ResourceState {
  switch (change.kind) {
    case 'convert':
      return {
        resources: applySteps(state.resources, change.steps),
        version: change.version,
        operationUpdates: withKept(state.operationUpdates, change.kept),
      };
    case 'replace':
      return { resources: change.resources, version: change.version, operationUpdates: withKept(state.operationUpdates, change.kept) };
    case 'keep':
      return { ...state, operationUpdates: [...state.operationUpdates, change.update] };
    case 'forget': {
      const forgotten = new Set(change.statusUuids);
      return { ...state, operationUpdates: state.operationUpdates.filter((update) => !forgotten.has(update.status_uuid)) };
    }
  }
}

/** The version a change leaves, when it changes the resources. */
export function versionAfter(change: ResourceChange): string | undefined {
  return change.kind === 'convert' || change.kind === 'replace' ? change.version : undefined;
}

function withKept(updates: readonly OperationStatusMessage[], kept: OperationStatusMessage | undefined): readonly OperationStatusMessage[] {
  return kept === undefined ? updates : [...updates, kept];
}
