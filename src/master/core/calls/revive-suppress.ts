/**
 * REVIVE and SUPPRESS (spec/core.md 1.5.5, 1.5.6): for the listed roles (all of
 * the framework's when none are listed). A role that is invalid or not the
 * framework's drops the whole call.
 */
import { clearInverseOfferFilters } from '../maintenance/inverse-offers.js';
import type { SchedulerCall } from '../../../protocol/scheduler.js';
import type { StepContext } from '../context.js';
import type { Reply } from '../events.js';
import type { Framework } from '../state.js';

function rolesOf(ctx: StepContext, framework: Framework, listed: readonly string[] | undefined, call: string): string[] | undefined {
  const roles = listed !== undefined && listed.length > 0 ? [...listed] : [...framework.roles];
  const unknown = roles.filter((role) => !framework.roles.has(role));
  if (unknown.length > 0) {
    ctx.log('warn', `Dropping ${call} of framework ${framework.id}: roles ${unknown.join(', ')} are not its roles`);
    return undefined;
  }
  return roles;
}

export function onRevive(ctx: StepContext, framework: Framework, call: SchedulerCall): Reply {
  ctx.state.counters.increment('master/messages_revive_offers');
  const roles = rolesOf(ctx, framework, call.revive?.roles, 'REVIVE');
  if (roles === undefined) return { status: 202 };
  ctx.state.allocator.reviveRoles(framework.id, roles);
  clearInverseOfferFilters(ctx.state, framework.id);
  const suppressed = new Set(framework.suppressedRoles);
  for (const role of roles) suppressed.delete(role);
  framework.suppressedRoles = suppressed;
  ctx.requestAllocation('all');
  return { status: 202 };
}

export function onSuppress(ctx: StepContext, framework: Framework, call: SchedulerCall): Reply {
  ctx.state.counters.increment('master/messages_suppress_offers');
  const roles = rolesOf(ctx, framework, call.suppress?.roles, 'SUPPRESS');
  if (roles === undefined) return { status: 202 };
  ctx.state.allocator.suppressRoles(framework.id, roles);
  framework.suppressedRoles = new Set([...framework.suppressedRoles, ...roles]);
  return { status: 202 };
}
