/**
 * Resources on their way to a framework, in the format it understands
 * (spec/core.md 1.6): allocation_info only for MULTI_ROLE frameworks, legacy
 * `role`/`reservation` for frameworks without RESERVATION_REFINEMENT. Each
 * capability is applied independently.
 */
import { toCanonicalJson, toLegacyResource, type Resources } from '../../resources/index.js';
import type { Resource } from '../../resources/index.js';
import type { WireJsonResource } from '../../protocol/outputs.js';
import type { Framework } from './state.js';

export function resourceForFramework(framework: Framework, resource: Resource): WireJsonResource | undefined {
  const refinement = framework.capabilities.has('RESERVATION_REFINEMENT');
  const json = (refinement ? toCanonicalJson(resource) : toLegacyResource(resource)) as WireJsonResource | undefined;
  if (json === undefined) return undefined;
  if (framework.capabilities.has('MULTI_ROLE')) return json;
  const { allocation_info: _dropped, ...rest } = json;
  return rest;
}

export function resourcesForFramework(framework: Framework, resources: Resources): WireJsonResource[] {
  const out: WireJsonResource[] = [];
  for (const resource of resources.toList()) {
    const json = resourceForFramework(framework, resource);
    if (json !== undefined) out.push(json);
  }
  return out;
}
