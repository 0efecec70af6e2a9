/**
 * Allocation injection (spec/storage.md 2.0.4): on the framework path, every
 * resource of an operation that lacks allocation_info gets the role the
 * accepted offers were made to, so that it matches what was offered. The
 * operator path skips this: operators act on unallocated resources.
 */
import { allocateResource, type Resource } from '../../../resources/index.js';
import type { StorageOperation } from './types.js';

export function allocateStorageOperation(operation: StorageOperation, role: string): StorageOperation {
  const allocate = (resource: Resource): Resource => (resource.allocation_info === undefined ? allocateResource(resource, role) : resource);
  switch (operation.type) {
    case 'RESERVE':
      return { ...operation, resources: operation.resources.map(allocate), source: operation.source.map(allocate) };
    case 'UNRESERVE':
      return { ...operation, resources: operation.resources.map(allocate) };
    case 'CREATE':
    case 'DESTROY':
      return { ...operation, volumes: operation.volumes.map(allocate) };
    case 'GROW_VOLUME':
      return { ...operation, volume: allocate(operation.volume), addition: allocate(operation.addition) };
    case 'SHRINK_VOLUME':
      return { ...operation, volume: allocate(operation.volume) };
  }
}
