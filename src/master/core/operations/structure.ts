/**
 * The structural step of an offer operation (spec/storage.md 2.0.2, Mesos'
 * validateAndUpgradeResources): the payload for the operation's type is
 * present, every resource in it passes the per-resource rules (spec 1.3), and
 * the resources are upgraded to the canonical form. A framework may not send
 * RESERVE with `source` (reservation updates are an operator API feature).
 *
 * Errors are the bare upstream texts; the ACCEPT pipeline drops the operation
 * with "Operation attempted with invalid resources: <error>" (messages.ts), the
 * operator API answers 400 with the text alone.
 */
import { assert } from '../../../lib/assert.js';
import { err, ok, type Result } from '../../../lib/result.js';
import type { OfferOperation } from '../../../protocol/mesos.js';
import { fromWire, fromWireList, roundScalar } from '../../../resources/index.js';
import { storageOperationTypes, type OperationActor, type OperationError, type StorageOperation, type StorageOperationType } from './types.js';

export function isStorageOperationType(type: string | undefined): type is StorageOperationType {
  return (storageOperationTypes as readonly (string | undefined)[]).includes(type);
}

/** Upstream's texts, article and final period included (GROW_VOLUME's says "operation", not "offer operation"). */
const missingPayload: Record<StorageOperationType, string> = {
  RESERVE: 'A RESERVE offer operation must have the Offer.Operation.reserve field set.',
  UNRESERVE: 'An UNRESERVE offer operation must have the Offer.Operation.unreserve field set.',
  CREATE: 'A CREATE offer operation must have the Offer.Operation.create field set.',
  DESTROY: 'A DESTROY offer operation must have the Offer.Operation.destroy field set.',
  GROW_VOLUME: 'A GROW_VOLUME operation must have the Offer.Operation.grow_volume field set',
  SHRINK_VOLUME: 'A SHRINK_VOLUME offer operation must have the Offer.Operation.shrink_volume field set',
};

/**
 * The canonical storage operation, or the structural error. Callers dispatch
 * on the type first: handing over a LAUNCH is a programmer error.
 */
export function parseStorageOperation(operation: OfferOperation, actor: OperationActor): Result<StorageOperation, OperationError> {
  const type = operation.type;
  assert(isStorageOperationType(type), `parseStorageOperation: ${type ?? 'UNKNOWN'} is not a storage operation`);
  const parsed = parseByType(type, operation, actor);
  return parsed.ok ? parsed : err({ stage: 'structure', message: parsed.error });
}

function parseByType(type: StorageOperationType, operation: OfferOperation, actor: OperationActor): Result<StorageOperation> {
  switch (type) {
    case 'RESERVE':
      return operation.reserve === undefined ? err(missingPayload[type]) : parseReserve(operation.reserve, actor);
    case 'UNRESERVE': {
      if (operation.unreserve === undefined) return err(missingPayload[type]);
      const resources = fromWireList(operation.unreserve.resources ?? []);
      return resources.ok ? ok({ type, resources: resources.value }) : resources;
    }
    case 'CREATE': {
      if (operation.create === undefined) return err(missingPayload[type]);
      const volumes = fromWireList(operation.create.volumes ?? []);
      return volumes.ok ? ok({ type, volumes: volumes.value }) : volumes;
    }
    case 'DESTROY': {
      if (operation.destroy === undefined) return err(missingPayload[type]);
      const volumes = fromWireList(operation.destroy.volumes ?? []);
      return volumes.ok ? ok({ type, volumes: volumes.value }) : volumes;
    }
    case 'GROW_VOLUME':
      return operation.grow_volume === undefined ? err(missingPayload[type]) : parseGrow(operation.grow_volume);
    case 'SHRINK_VOLUME': {
      if (operation.shrink_volume === undefined) return err(missingPayload[type]);
      // A single resource's error comes without the "Resource '<r>' is invalid: " of a list.
      const volume = fromWire(operation.shrink_volume.volume);
      return volume.ok ? ok({ type, volume: volume.value, subtract: roundScalar(operation.shrink_volume.subtract.value) }) : volume;
    }
  }
}

function parseReserve(reserve: NonNullable<OfferOperation['reserve']>, actor: OperationActor): Result<StorageOperation> {
  const resources = fromWireList(reserve.resources ?? []);
  if (!resources.ok) return resources;
  const source = fromWireList(reserve.source ?? []);
  if (!source.ok) return source;
  if (actor.kind === 'framework' && source.value.length > 0) {
    return err('Reservation updates are not yet implemented for the scheduler API.');
  }
  return ok({ type: 'RESERVE', resources: resources.value, source: source.value });
}

function parseGrow(grow: NonNullable<OfferOperation['grow_volume']>): Result<StorageOperation> {
  const volume = fromWire(grow.volume);
  if (!volume.ok) return volume;
  const addition = fromWire(grow.addition);
  if (!addition.ok) return addition;
  return ok({ type: 'GROW_VOLUME', volume: volume.value, addition: addition.value });
}
