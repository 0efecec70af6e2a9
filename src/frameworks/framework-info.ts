/**
 * The FrameworkInfo of a reference framework: one role (MULTI_ROLE, as the
 * Mesos examples subscribe), canonical reservations (RESERVATION_REFINEMENT),
 * shared volumes when asked for, checkpointing so that tasks survive an agent
 * restart. Pure; the user comes from the caller.
 */
import type { FrameworkInfo } from '../protocol/mesos.js';
import type { Reserver } from './resources.js';

type Capability = NonNullable<FrameworkInfo['capabilities']>[number]['type'];

export interface ReferenceFrameworkSpec {
  readonly name: string;
  readonly user: string;
  readonly reserver: Reserver;
  readonly sharedResources: boolean;
}

export function referenceFrameworkInfo(spec: ReferenceFrameworkSpec): FrameworkInfo {
  const capabilities: Capability[] = ['MULTI_ROLE', 'RESERVATION_REFINEMENT', ...(spec.sharedResources ? (['SHARED_RESOURCES'] as const) : [])];
  return {
    user: spec.user,
    name: spec.name,
    roles: [spec.reserver.role],
    checkpoint: true,
    ...(spec.reserver.principal === undefined ? {} : { principal: spec.reserver.principal }),
    capabilities: capabilities.map((type) => ({ type })),
  };
}
