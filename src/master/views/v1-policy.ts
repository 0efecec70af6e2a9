/**
 * Allocation policy in the v1 operator API: GET_ROLES, GET_WEIGHTS and
 * GET_QUOTA. Quota lives in the allocator's role tree in fixed point; it is
 * printed in units here.
 */
import type { MasterState } from '../core/state.js';
import { everythingViewer, type Viewer } from '../core/operator/viewer.js';
import { fixedQuantitiesObject, scalarResource, type JsonObject } from './json.js';
import { knownRoles, quotaRoles, roleBreakdown, roleFrameworks, roleUsage, roleWeight } from './roles.js';

export interface V1Role {
  name: string;
  weight: number;
  frameworks: { value: string }[];
  resources: JsonObject[];
}

export interface V1QuotaConfig {
  role: string;
  guarantees: Record<string, { value: number }>;
  limits: Record<string, { value: number }>;
}

export interface V1QuotaStatus {
  /** Deprecated QuotaInfo: role and guarantees as scalar Resources. */
  infos: { role: string; guarantee: JsonObject[] }[];
  configs: V1QuotaConfig[];
}

/** Only these names go into Role.resources: Mesos cannot tell whether other names are scalars. */
const roleResourceNames: ReadonlySet<string> = new Set(['cpus', 'mem', 'disk', 'gpus']);

/** GET_ROLES payload: known roles the viewer may view (--acls view_roles) with weight, frameworks, and what is allocated plus offered. */
export function getRoles(state: MasterState, viewer: Viewer = everythingViewer): { roles: V1Role[] } {
  const usage = roleUsage(state);
  const frameworks = roleFrameworks(state, usage);
  const roles = knownRoles(state, usage).filter((name) => viewer.mayViewRole(name)).map((name): V1Role => {
    const breakdown = roleBreakdown(state, usage, name);
    const held = breakdown.allocated.plus(breakdown.offered);
    return {
      name,
      weight: roleWeight(state, name),
      frameworks: (frameworks.get(name) ?? []).map((value) => ({ value })),
      resources: held
        .names()
        .filter((resourceName) => roleResourceNames.has(resourceName))
        .map((resourceName) => scalarResource(resourceName, held.get(resourceName))),
    };
  });
  return { roles };
}

/** GET_WEIGHTS payload: the weights set by flag or UPDATE_WEIGHTS, by role, of the roles the viewer may view. */
export function getWeights(state: MasterState, viewer: Viewer = everythingViewer): { weight_infos: { role: string; weight: number }[] } {
  const roles = [...state.allocator.weights.keys()].filter((role) => viewer.mayViewRole(role)).sort();
  return { weight_infos: roles.map((role) => ({ role, weight: roleWeight(state, role) })) };
}

function scalarMap(object: Record<string, number>): Record<string, { value: number }> {
  const out: Record<string, { value: number }> = {};
  for (const [name, value] of Object.entries(object)) out[name] = { value };
  return out;
}

/**
 * The QuotaStatus of GET_QUOTA and /master/quota: `infos` and `configs` side
 * by side (Appendix C 8), of the roles `mayView` allows (--acls get_quotas).
 */
export function quotaStatus(state: MasterState, mayView: (role: string) => boolean = () => true): V1QuotaStatus {
  const infos: V1QuotaStatus['infos'] = [];
  const configs: V1QuotaConfig[] = [];
  for (const role of quotaRoles(state)) {
    if (!mayView(role)) continue;
    const quota = state.allocator.roles.quota(role);
    const guarantees = fixedQuantitiesObject(quota.guarantees);
    infos.push({ role, guarantee: Object.entries(guarantees).map(([name, value]) => scalarResource(name, value)) });
    configs.push({ role, guarantees: scalarMap(guarantees), limits: scalarMap(fixedQuantitiesObject(quota.limits)) });
  }
  return { infos, configs };
}

/** GET_QUOTA payload: `{status: {infos, configs}}`. */
export function getQuota(state: MasterState, mayView?: (role: string) => boolean): { status: V1QuotaStatus } {
  return { status: quotaStatus(state, mayView) };
}
