/**
 * FrameworkInfo as the master reads it: its roles and capabilities, and the
 * validation of spec/core.md 1.4 (Mesos' validateFramework) with Mesos' texts.
 */
import { err, ok, type Result } from '../../../lib/result.js';
import type { FrameworkCapability, FrameworkInfo } from '../../../protocol/mesos.js';
import { ResourceQuantities, toFixed, validateId, validateRole } from '../../../resources/index.js';
import type { MasterState } from '../state.js';

export function hasCapability(info: FrameworkInfo, capability: FrameworkCapability): boolean {
  return (info.capabilities ?? []).some((c) => c.type === capability);
}

export function frameworkCapabilities(info: FrameworkInfo): Set<FrameworkCapability> {
  const out = new Set<FrameworkCapability>();
  for (const capability of info.capabilities ?? []) if (capability.type !== undefined) out.add(capability.type);
  return out;
}

/** `roles` for MULTI_ROLE frameworks, else the single (deprecated) `role`, default `*`. */
export function frameworkRoles(info: FrameworkInfo): string[] {
  return hasCapability(info, 'MULTI_ROLE') ? [...(info.roles ?? [])] : [info.role ?? '*'];
}

/** Durations are signed 64-bit nanoseconds: larger failover timeouts cannot be represented. */
const durationSecondsMax = 9_223_372_036;

export function failoverTimeoutMs(info: FrameworkInfo): number {
  return Math.max(0, (info.failover_timeout ?? 0) * 1000);
}

function validateRoles(info: FrameworkInfo): string | undefined {
  const multiRole = hasCapability(info, 'MULTI_ROLE');
  if (multiRole && info.role !== undefined) {
    return "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable";
  }
  if (!multiRole && (info.roles ?? []).length > 0) {
    return "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable";
  }
  if (multiRole) {
    const seen = new Set<string>();
    const duplicates = new Set<string>();
    for (const role of info.roles ?? []) (seen.has(role) ? duplicates : seen).add(role);
    if (duplicates.size > 0) return `'FrameworkInfo.roles' contains duplicate items: { ${[...duplicates].join(', ')} }`;
    for (const role of info.roles ?? []) {
      const error = validateRole(role);
      if (error !== undefined) return `'FrameworkInfo.roles' contains invalid role: ${error}`;
    }
    return undefined;
  }
  const error = validateRole(info.role ?? '*');
  return error === undefined ? undefined : `'FrameworkInfo.role' is not a valid role: ${error}`;
}

function validateOfferFilters(info: FrameworkInfo): string | undefined {
  for (const filters of Object.values(info.offer_filters ?? {})) {
    for (const set of filters.min_allocatable_resources?.quantities ?? []) {
      const entries = Object.entries(set.quantities ?? {});
      if (entries.length === 0) return 'Resource quantities must contain at least one quantity';
      for (const [name, scalar] of entries) {
        const value = scalar.value;
        const problem = !Number.isFinite(value)
          ? Number.isNaN(value)
            ? 'NaN not supported'
            : 'Infinite values not supported'
          : value < 0
            ? 'Negative values not supported'
            : undefined;
        if (problem !== undefined) return `Invalid resource quantity for '${name}': ${problem}`;
      }
    }
  }
  return undefined;
}

/** Mesos' validateFramework: the checks that refuse a SUBSCRIBE (or fail UPDATE_FRAMEWORK with 400). */
export function validateFrameworkInfo(state: MasterState, info: FrameworkInfo): string | undefined {
  const rolesError = validateRoles(info);
  if (rolesError !== undefined) return rolesError;
  const id = info.id?.value;
  if (id !== undefined && id !== '') {
    const idError = validateId(id);
    if (idError !== undefined) return idError;
  }
  const filtersError = validateOfferFilters(info);
  if (filtersError !== undefined) return filtersError;
  const timeout = info.failover_timeout ?? 0;
  if (!Number.isFinite(timeout) || Math.abs(timeout) > durationSecondsMax) {
    return `The framework failover_timeout (${String(timeout)}) is invalid`;
  }
  const whitelist = state.config.rolesWhitelist;
  if (whitelist !== undefined) {
    const invalid = frameworkRoles(info).filter((role) => !whitelist.has(role));
    if (invalid.length > 0) return `Roles { ${invalid.join(', ')} } are not present in the master's --roles`;
  }
  if (info.user === 'root' && !state.config.rootSubmissions) {
    return "User 'root' is not allowed to run frameworks without --root_submissions set";
  }
  if (id !== undefined && id !== '' && state.completedFrameworks.some((f) => f.id === id)) {
    return 'Framework has been removed';
  }
  return undefined;
}

/** What a re-subscription or UPDATE_FRAMEWORK may not change (Mesos' validateUpdate). */
export function validateFrameworkUpdate(old: FrameworkInfo, next: FrameworkInfo): string | undefined {
  if (old.principal !== next.principal) return "Changing framework's principal is not allowed.";
  if (old.user !== next.user) {
    return `Updating 'FrameworkInfo.user' is unsupported; attempted to update from '${old.user}' to '${next.user}'`;
  }
  if ((old.checkpoint ?? false) !== (next.checkpoint ?? false)) {
    return `Updating 'FrameworkInfo.checkpoint' is unsupported; attempted to update from '${String(old.checkpoint ?? false)}' to '${String(next.checkpoint ?? false)}'`;
  }
  return undefined;
}

/** FrameworkInfo.offer_filters[role].min_allocatable_resources, compiled. */
export function minAllocatableOverrides(info: FrameworkInfo): Map<string, ResourceQuantities[]> {
  const out = new Map<string, ResourceQuantities[]>();
  for (const [role, filters] of Object.entries(info.offer_filters ?? {})) {
    const sets = filters.min_allocatable_resources?.quantities;
    if (filters.min_allocatable_resources === undefined) continue;
    out.set(
      role,
      (sets ?? []).map((set) =>
        ResourceQuantities.fromEntries(Object.entries(set.quantities ?? {}).map(([name, s]) => [name, toFixed(s.value)] as const)),
      ),
    );
  }
  return out;
}

export function validateSuppressedRoles(roles: ReadonlySet<string>, suppressed: readonly string[]): Result<Set<string>> {
  const invalid = suppressed.filter((role) => !roles.has(role));
  if (invalid.length > 0) return err(`Suppressed roles { ${invalid.join(', ')} } are not contained in the set of roles`);
  return ok(new Set(suppressed));
}
