/**
 * The agent's legacy /state (and /slave(1)/state) JSON (spec/core.md 6.4):
 * identity, the drain under way, resources in the legacy object form and the
 * endpoint format, and frameworks with their executors and tasks.
 */
import { legacyResourceObject, toEndpointResource, type Resources } from '../../resources/index.js';
import type { WireAttribute } from '../../protocol/outputs.js';
import { drainConfigJson } from '../core/drain.js';
import type { AgentState } from '../core/state.js';
import { frameworksJson } from './frameworks.js';

export interface AgentStateView {
  readonly state: AgentState;
  readonly pid: string;
  readonly flags: Record<string, string>;
  readonly nowMs: number;
}

export function agentStateJson(view: AgentStateView): Record<string, unknown> {
  const { state } = view;
  const config = state.config;
  const total = state.totalResources;
  const reserved: Record<string, object> = {};
  const reservedFull: Record<string, object[]> = {};
  for (const [role, resources] of total.reservations()) {
    reserved[role] = legacyResourceObject(resources);
    reservedFull[role] = endpointList(resources);
  }
  const link = state.link;
  return {
    version: config.version,
    build_date: '',
    build_time: 0,
    build_user: '',
    start_time: state.startTimeMs / 1000,
    ...(state.agentId !== undefined ? { id: state.agentId } : {}),
    pid: view.pid,
    hostname: config.info.hostname,
    capabilities: [...config.capabilities],
    ...drainJson(state),
    resources: legacyResourceObject(total),
    reserved_resources: reserved,
    unreserved_resources: legacyResourceObject(total.unreserved()),
    reserved_resources_full: reservedFull,
    unreserved_resources_full: endpointList(total.unreserved()),
    reserved_resources_allocated: {},
    unreserved_resources_allocated: {},
    resource_providers: [],
    attributes: legacyAttributes(config.info.attributes as WireAttribute[] | undefined),
    ...(link.status === 'linked' ? { master_hostname: link.master.hostname } : {}),
    flags: view.flags,
    ...frameworksJson(state),
  };
}

/**
 * While draining, as Mesos: the config, and the time the drain began, in
 * whole seconds (int64 there). A recovered drain has no start time until it
 * is replayed.
 */
function drainJson(state: AgentState): Record<string, unknown> {
  const drain = state.drain;
  if (drain === undefined) return {};
  return {
    drain_config: drainConfigJson(drain.config),
    ...(drain.startedAtMs !== undefined ? { estimated_drain_start_time_seconds: Math.floor(drain.startedAtMs / 1000) } : {}),
  };
}

function endpointList(resources: Resources): object[] {
  return resources.toList().map((r) => toEndpointResource(r));
}

/** Attributes as the legacy endpoints show them: `{"rack": 2, "zone": "a", "ids": "[1-10]"}`. */
export function legacyAttributes(attributes: readonly WireAttribute[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const attribute of attributes ?? []) {
    switch (attribute.type) {
      case 'SCALAR':
        out[attribute.name] = attribute.scalar?.value ?? 0;
        break;
      case 'RANGES':
        out[attribute.name] = `[${(attribute.ranges?.range ?? []).map((r) => `${r.begin}-${r.end}`).join(', ')}]`;
        break;
      case 'SET':
        out[attribute.name] = `{${(attribute.set?.item ?? []).join(', ')}}`;
        break;
      case 'TEXT':
        out[attribute.name] = attribute.text?.value ?? '';
        break;
    }
  }
  return out;
}
