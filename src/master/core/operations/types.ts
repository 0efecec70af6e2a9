/**
 * The values an offer operation passes through on its way from the wire to the
 * agent model (spec/storage.md 2.0): a canonical operation, who asks for it,
 * what the master knows of the agent, and what validation hands to the
 * pipeline. Plain data: no master state, no I/O.
 */
import type { Result } from '../../../lib/result.js';
import type { AgentCapability, FrameworkCapability } from '../../../protocol/mesos.js';
import type { Resource, ResourceConversion, Resources } from '../../../resources/index.js';
import type { AuthorizationRequest } from './authorization.js';

/** The offer operations on persistent storage, in the order spec/storage.md 2.1-2.6 gives them. */
export const storageOperationTypes = ['RESERVE', 'UNRESERVE', 'CREATE', 'DESTROY', 'GROW_VOLUME', 'SHRINK_VOLUME'] as const;
export type StorageOperationType = (typeof storageOperationTypes)[number];

/**
 * RESERVE pushes one reservation level on each resource. `source` (operator API
 * only, spec 5.2) names the resources to re-reserve instead; it is empty on the
 * framework path, which refuses it at the structural step.
 */
export interface ReserveOperation {
  readonly type: 'RESERVE';
  readonly resources: readonly Resource[];
  readonly source: readonly Resource[];
}

/** UNRESERVE pops one reservation level off each resource. */
export interface UnreserveOperation {
  readonly type: 'UNRESERVE';
  readonly resources: readonly Resource[];
}

/** CREATE turns reserved disk into persistent volumes. */
export interface CreateOperation {
  readonly type: 'CREATE';
  readonly volumes: readonly Resource[];
}

/** DESTROY turns persistent volumes back into reserved disk (and the agent deletes their data). */
export interface DestroyOperation {
  readonly type: 'DESTROY';
  readonly volumes: readonly Resource[];
}

/** GROW_VOLUME merges reserved disk (`addition`) into a volume. */
export interface GrowVolumeOperation {
  readonly type: 'GROW_VOLUME';
  readonly volume: Resource;
  readonly addition: Resource;
}

/** SHRINK_VOLUME gives `subtract` megabytes of a volume back as reserved disk. */
export interface ShrinkVolumeOperation {
  readonly type: 'SHRINK_VOLUME';
  readonly volume: Resource;
  /** Megabytes, on the fixed-point grid (spec 1.6). */
  readonly subtract: number;
}

/** A storage operation after the structural step: every resource valid and canonical (spec 2.0.2). */
export type StorageOperation =
  | ReserveOperation
  | UnreserveOperation
  | CreateOperation
  | DestroyOperation
  | GrowVolumeOperation
  | ShrinkVolumeOperation;

/**
 * Who asks. A framework accepting an offer, or an operator through the HTTP
 * API. `principal` is the framework's FrameworkInfo.principal (even when
 * authentication is off) or the authenticated HTTP principal (only when HTTP
 * authentication is on): when set, RESERVE and CREATE must name it (spec 6.2).
 */
export type OperationActor =
  | {
      readonly kind: 'framework';
      readonly frameworkId: string;
      readonly principal?: string | undefined;
      /** The roles the framework is subscribed to. */
      readonly roles: ReadonlySet<string>;
      readonly capabilities: ReadonlySet<FrameworkCapability>;
    }
  | { readonly kind: 'operator'; readonly principal?: string | undefined }
  /** An agent registering with static reservations (spec 2.9.4): authorized, never an operation. */
  | { readonly kind: 'agent'; readonly principal?: string | undefined };

/** What the master knows of the agent an operation targets. */
export interface AgentFacts {
  readonly agentId: string;
  /** Printed with the id in validation errors ("; on agent <id> (<hostname>)"). */
  readonly hostname: string;
  readonly capabilities: ReadonlySet<AgentCapability>;
  /** The agent's dynamically reserved resources and persistent volumes, unallocated (spec 1.1 "checkpointed"). */
  readonly checkpointed: Resources;
  /** The volumeKey (rules.ts) of each of the agent's persistent volumes. */
  readonly volumeIds: ReadonlySet<string>;
  /** Resources used by the tasks and executors of every framework on the agent, unallocated. */
  readonly used: Resources;
}

/**
 * Where an operation failed, which decides how the caller words and answers it
 * (messages.ts): the structural step (2.0.2), the operation's own validation
 * (2.1-2.6), or applying its conversions to what remains of the offers.
 */
export type OperationErrorStage = 'structure' | 'validation' | 'apply';

export interface OperationError {
  readonly stage: OperationErrorStage;
  /** The bare upstream text, without the pipeline's prefix or agent suffix. */
  readonly message: string;
}

/** A storage operation that passed validation: what it converts and what must be authorized. */
export interface ValidatedOperation {
  readonly operation: StorageOperation;
  /** Applied in order to what remains of the offers (apply.ts); DESTROY's carry its post-validation. */
  readonly conversions: readonly ResourceConversion[];
  /**
   * GROW_VOLUME and SHRINK_VOLUME: the converted volume is kept out of what
   * remains for the rest of the ACCEPT (spec 2.5, 2.6), so no later operation
   * can use the original or the resized volume.
   */
  readonly withheld: boolean;
  /** Every request the authorizer must allow before the operation applies (spec 6.1), in Mesos' order. */
  readonly authorization: readonly AuthorizationRequest[];
}

export type OperationOutcome = Result<ValidatedOperation, OperationError>;
