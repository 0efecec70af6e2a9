/**
 * Printing resources in the agent flag's text form ("cpus(eng):4;ports:[1-2]"),
 * the inverse of parseResourceText for what that form can express: unreserved
 * or statically reserved scalars, ranges and sets without any other metadata.
 */
import { formatScalar } from './fixed.js';
import type { Resource } from './types.js';

/** "name(role):value", or undefined when the text form cannot express the resource. */
export function toResourceText(resource: Resource): string | undefined {
  const { reservations } = resource;
  const only = reservations[0];
  if (reservations.length > 1 || (only !== undefined && only.type !== 'STATIC')) return undefined;
  if (resource.disk !== undefined || resource.revocable !== undefined || resource.shared !== undefined) return undefined;
  if (resource.allocation_info !== undefined || resource.provider_id !== undefined) return undefined;
  const role = only === undefined ? '*' : only.role;
  return `${resource.name}(${role}):${textValue(resource)}`;
}

function textValue(resource: Resource): string {
  switch (resource.type) {
    case 'SCALAR':
      return formatScalar(resource.scalar?.value ?? 0);
    case 'RANGES':
      return `[${(resource.ranges?.range ?? []).map((range) => `${range.begin}-${range.end}`).join(',')}]`;
    case 'SET':
      return `{${(resource.set?.item ?? []).join(',')}}`;
  }
}

/** A whole list joined with ";", or undefined when some resource cannot be expressed. */
export function toResourcesText(resources: readonly Resource[]): string | undefined {
  const parts: string[] = [];
  for (const resource of resources) {
    const text = toResourceText(resource);
    if (text === undefined) return undefined;
    parts.push(text);
  }
  return parts.join(';');
}
