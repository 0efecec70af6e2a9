/**
 * Resources on their way to a framework, in the format it understands
 * (spec/core.md 1.6): allocation_info only for MULTI_ROLE frameworks, legacy
 * `role`/`reservation` for frameworks without RESERVATION_REFINEMENT. Each
 * capability is applied independently.
 *
 * The wire form of a collection depends only on the (immutable) collection
 * and those two capabilities, so it is computed once per collection and
 * format: an agent's resources are offered again and again as offers are
 * declined, and formatting was a large part of every allocation cycle. The
 * wire objects are plain data that nothing mutates (the shell serialises
 * them), so offers may share them; each call still returns its own array.
 */
import { toCanonicalJson, toLegacyResource, type Resources } from '../../resources/index.js';
import type { Resource } from '../../resources/index.js';
import type { WireJsonResource } from '../../protocol/outputs.js';
import type { Framework } from './state.js';

/** Bit 0: RESERVATION_REFINEMENT; bit 1: MULTI_ROLE. */
type WireFormat = 0 | 1 | 2 | 3;

function wireFormat(framework: Pick<Framework, 'capabilities'>): WireFormat {
  return ((framework.capabilities.has('RESERVATION_REFINEMENT') ? 1 : 0) | (framework.capabilities.has('MULTI_ROLE') ? 2 : 0)) as WireFormat;
}

function formatResource(format: WireFormat, resource: Resource): WireJsonResource | undefined {
  const refinement = (format & 1) !== 0;
  const json = (refinement ? toCanonicalJson(resource) : toLegacyResource(resource)) as WireJsonResource | undefined;
  if (json === undefined) return undefined;
  if ((format & 2) !== 0) return json;
  const { allocation_info: _dropped, ...rest } = json;
  return rest;
}

export function resourceForFramework(framework: Framework, resource: Resource): WireJsonResource | undefined {
  return formatResource(wireFormat(framework), resource);
}

/** By collection, then format: the wire list (never handed out itself, only copies). */
const formatted = new WeakMap<Resources, (readonly WireJsonResource[] | undefined)[]>();

export function resourcesForFramework(framework: Framework, resources: Resources): WireJsonResource[] {
  const format = wireFormat(framework);
  let byFormat = formatted.get(resources);
  if (byFormat === undefined) {
    byFormat = [];
    formatted.set(resources, byFormat);
  }
  let list = byFormat[format];
  if (list === undefined) {
    const out: WireJsonResource[] = [];
    for (const resource of resources.toList()) {
      const json = formatResource(format, resource);
      if (json !== undefined) out.push(json);
    }
    list = out;
    byFormat[format] = list;
  }
  return list.slice();
}
