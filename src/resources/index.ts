/**
 * The resources module: the Mesos resource model as pure functions and an
 * immutable Resources collection (spec/storage.md section 1). No I/O, no clock,
 * no randomness.
 *
 * Glossary: a *resource* is one typed quantity with metadata (name, reservation
 * stack, disk, ...); an *entry* is one resource inside a collection plus its
 * shared copy count; *canonical* means the post-refinement reservation stack
 * (types.ts); *wire* resources may still use the legacy role/reservation pair.
 *
 * Flow: JSON or flag text -> decode.ts / parse.ts -> validate.ts -> format.ts
 * (upgrade) -> Resources (resources.ts) -> format.ts (legacy/endpoint output).
 */
export type * from './types.js';
export { toFixed, fromFixed, roundScalar, addScalars, subtractScalars, formatScalar } from './fixed.js';
export {
  coalesceRanges,
  addRanges,
  subtractRanges,
  rangesContain,
  rangesEqual,
  rangesCount,
  formatRanges,
} from './ranges.js';
export { addSets, subtractSets, setContains, setsEqual, formatSet } from './sets.js';
export { defaultRole, validateRole, isStrictSubRole, roleAncestors, roleDirectoryName } from './roles.js';
export {
  isUnreserved,
  isReserved,
  isReservedFor,
  reservationRole,
  isDynamicallyReserved,
  isStaticallyReserved,
  isPersistentVolume,
  isShared,
  isRevocable,
  hasResourceProvider,
  hasRefinedReservations,
  diskSourceType,
  isMountDisk,
  needsCheckpointing,
  isAllocatableTo,
  isEmptyResource,
  stripVolume,
  pushReservation,
  popReservation,
  toUnreservedResource,
  allocateResource,
  unallocateResource,
} from './resource.js';
export {
  labelsEqual,
  reservationEquals,
  diskEquals,
  sameMeta,
  resourceEquals,
  addable,
  subtractable,
  containsResource,
} from './compare.js';
export type { ResourceEntry } from './entries.js';
export { Resources, type ResourceConversion } from './resources.js';
export { ResourceQuantities, parseMinAllocatable } from './quantities.js';
export { validateWireResource, validateResources } from './validate.js';
export {
  idBytesMax,
  validateId,
  validatePersistenceId,
  validateDiskInfo,
  validateDynamicReservationInfo,
  validateGpus,
  validateMasterResources,
} from './validate-master.js';
export {
  upgradeResource,
  fromWire,
  fromWireList,
  toLegacyResource,
  toEndpointResource,
  toCanonicalJson,
  legacyResourceObject,
} from './format.js';
export { decodeWireResource, decodeWireResourceList } from './decode.js';
export { wireResourceFromInput, type WireResourceInput } from './wire-input.js';
export {
  parseResourceText,
  parseResourcesString,
  parseAgentResourcesFlag,
  validateCommandLineResources,
  validateFlagDiskSources,
  namesPresent,
} from './parse.js';
export { toResourceText, toResourcesText } from './text-form.js';
export { resourceToString, resourceValueToString, formatLabels } from './resource-string.js';
export { applyCheckpointedResources } from './checkpointed.js';
