/**
 * UPDATE_QUOTA (spec/core.md 4.8): validated as a whole (Mesos' texts), then
 * applied; afterwards offers are rescinded, best effort, so that the next
 * allocation honours the new limits and guarantees. Kept in memory until the
 * registry arrives.
 */
import { forbidden, operatorMayOnRole } from './authorize.js';
import { fromFixed, roleAncestors, toFixed, validateRole } from '../../../resources/index.js';
import type { OperatorCall, QuotaConfig } from '../../../protocol/operator.js';
import type { StepContext } from '../context.js';
import type { Reply } from '../events.js';
import { rescindOffer } from '../offers.js';
import { addInto, minus, scalarQuantities, type Quantities } from '../../allocator/quantities.js';
import type { Quota } from '../../allocator/quota.js';

/** Mesos refuses mem and disk above 1 EB (in MB) and anything else above 10^12. */
const exabyteInMegabytes = 1024 ** 4;
const otherLimit = 1e12;

export function onUpdateQuota(ctx: StepContext, call: OperatorCall, principal?: string): Reply {
  const update = call.update_quota;
  const configs = update?.quota_configs ?? [];
  const force = update?.force ?? false;
  const quotas = new Map<string, Quota>();
  for (const config of configs) {
    const error = validateConfig(ctx, config);
    if (error !== undefined) return { status: 400, body: error };
    quotas.set(config.role, quotaOf(config));
  }
  for (const role of quotas.keys()) if (!operatorMayOnRole(ctx.state, 'update_quotas', principal, role)) return forbidden;
  for (const [role, quota] of quotas) {
    const consumed = consumedQuota(ctx, role);
    if (!force && !withinLimits(consumed, quota.limits)) {
      return {
        status: 400,
        body: `Invalid QuotaConfig: Role '${role}' is already consuming '${format(consumed)}'; this is more than the requested limits '${format(quota.limits)}' (use 'force' flag to bypass this check)`,
      };
    }
  }
  const totalGuarantees = new Map<string, number>();
  for (const node of ctx.state.allocator.roles.topLevel()) {
    if (!quotas.has(node.role)) addInto(totalGuarantees, node.quota.guarantees);
  }
  for (const quota of quotas.values()) addInto(totalGuarantees, quota.guarantees);
  const capacity = new Map<string, number>();
  for (const agent of ctx.state.agents.values()) addInto(capacity, scalarQuantities(agent.totalResources.nonRevocable()));
  if (!force && minus(totalGuarantees, capacity).size > 0) {
    return {
      status: 400,
      body: `Invalid QuotaConfig: total quota guarantees '${format(totalGuarantees)}' exceed cluster capacity '${format(capacity)}' (use 'force' flag to bypass this check)`,
    };
  }
  for (const config of configs) ctx.registry({ type: 'update_quota', role: config.role, quota: config });
  for (const [role, quota] of quotas) {
    ctx.state.allocator.updateQuota(role, quota);
    rescindOverLimit(ctx, role, quota);
  }
  ctx.requestAllocation('all');
  return { status: 200 };
}

function validateConfig(ctx: StepContext, config: QuotaConfig): string | undefined {
  const whitelist = ctx.state.config.rolesWhitelist;
  if (whitelist !== undefined && !whitelist.has(config.role)) {
    return `Invalid QuotaConfig: '${config.role}' is not on the roles whitelist`;
  }
  if (config.role.includes('/')) return `Updating quota on nested role '${config.role}' is not supported yet`;
  const roleError = validateRole(config.role);
  if (roleError !== undefined) return `Invalid QuotaConfig: Invalid 'QuotaConfig.role': ${roleError}`;
  for (const [field, map] of [['guarantees', config.guarantees], ['limits', config.limits]] as const) {
    for (const [name, scalar] of Object.entries(map ?? {})) {
      const max = name === 'mem' || name === 'disk' ? exabyteInMegabytes : otherLimit;
      if (scalar.value > max) {
        return `Invalid QuotaConfig: Invalid 'QuotaConfig.${field}': {'${name}': ${scalar.value}} is invalid: values greater than ${name === 'mem' || name === 'disk' ? '1 exabyte' : '1 trillion'} (${max}) are not supported`;
      }
      if (!Number.isFinite(scalar.value) || scalar.value < 0) {
        return `Invalid QuotaConfig: Invalid ${field === 'guarantees' ? 'guarantee' : 'limit'} configuration {'${name}': ${scalar.value}}: ${Number.isNaN(scalar.value) ? 'NaN not supported' : !Number.isFinite(scalar.value) ? 'Infinite values not supported' : 'Negative values not supported'}`;
      }
    }
  }
  const guarantees = toQuantities(config.guarantees);
  const limits = toQuantities(config.limits);
  if (!withinLimits(guarantees, limits)) {
    return `Invalid QuotaConfig: 'QuotaConfig.guarantees' ${format(guarantees)} is not contained within the 'QuotaConfig.limits' ${format(limits)}`;
  }
  return undefined;
}

/** A role's quota from its QuotaConfig (as UPDATE_QUOTA and the registry hold it). */
export function quotaOf(config: QuotaConfig): Quota {
  return { guarantees: toQuantities(config.guarantees), limits: toQuantities(config.limits) };
}

function toQuantities(map: Record<string, { value: number }> | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, scalar] of Object.entries(map ?? {})) out.set(name, toFixed(scalar.value));
  return out;
}

/** Every quantity is within its limit; names without a limit are unlimited. */
function withinLimits(quantities: Quantities, limits: Quantities): boolean {
  for (const [name, limit] of limits) if ((quantities.get(name) ?? 0) > limit) return false;
  return true;
}

/** Reservations plus resources used by tasks (offers are not consumption), over the role's subtree. */
function consumedQuota(ctx: StepContext, role: string): Map<string, number> {
  const node = ctx.state.allocator.roles.get(role);
  if (node === undefined) return new Map();
  const consumed = new Map(node.quotaConsumed());
  for (const offer of ctx.state.offers.values()) {
    if (offer.role === role || roleAncestors(offer.role).includes(role)) {
      const unreserved = scalarQuantities(offer.resources.unreserved());
      for (const [name, amount] of unreserved) consumed.set(name, Math.max(0, (consumed.get(name) ?? 0) - amount));
    }
  }
  return consumed;
}

/** Rescinds offers of the role's subtree while its consumption plus offers exceed the limits. */
function rescindOverLimit(ctx: StepContext, role: string, quota: Quota): void {
  if (quota.limits.size === 0) return;
  const inSubtree = [...ctx.state.offers.values()].filter((o) => o.role === role || roleAncestors(o.role).includes(role));
  const load = new Map(consumedQuota(ctx, role));
  for (const offer of inSubtree) addInto(load, scalarQuantities(offer.resources.unreserved()));
  for (const offer of inSubtree) {
    if (withinLimits(load, quota.limits)) return;
    addInto(load, scalarQuantities(offer.resources.unreserved()), -1);
    rescindOffer(ctx, offer.id);
  }
}

function format(quantities: Quantities): string {
  return [...quantities].map(([name, amount]) => `${name}:${fromFixed(amount)}`).join('; ') || '{}';
}
