/**
 * UPDATE_WEIGHTS (spec/core.md 4.7, 6.2): all-or-nothing; an update touching a
 * role with frameworks rescinds every outstanding offer so the new shares take
 * effect at the next allocation. Kept in the registry. With --acls, each role
 * must be allowed by `update_weights` (403 otherwise).
 */
import { validateRole } from '../../../resources/index.js';
import type { OperatorCall } from '../../../protocol/operator.js';
import type { StepContext } from '../context.js';
import type { Reply } from '../events.js';
import { rescindOffer } from '../offers.js';
import { forbidden, operatorMayOnRole } from './authorize.js';

export function onUpdateWeights(ctx: StepContext, call: OperatorCall, principal?: string): Reply {
  const infos = call.update_weights?.weight_infos ?? [];
  const weights = new Map<string, number>();
  for (const info of infos) {
    const role = info.role ?? '';
    const roleError = validateRole(role);
    if (roleError !== undefined) return { status: 400, body: `Failed to validate update weights: Invalid role '${role}': ${roleError}` };
    if (!(info.weight > 0)) return { status: 400, body: `Failed to validate update weights: Invalid weight '${info.weight}': weights must be positive` };
    const whitelist = ctx.state.config.rolesWhitelist;
    if (whitelist !== undefined && !whitelist.has(role)) {
      return { status: 400, body: `Failed to validate update weights: Role '${role}' is not on the roles whitelist` };
    }
    weights.set(role, info.weight);
  }
  for (const role of weights.keys()) if (!operatorMayOnRole(ctx.state, 'update_weights', principal, role)) return forbidden;
  ctx.registry({ type: 'update_weights', weights });
  ctx.state.allocator.updateWeights(weights);
  const active = [...weights.keys()].some((role) => (ctx.state.allocator.roles.get(role)?.frameworks.size ?? 0) > 0);
  if (active) for (const offerId of [...ctx.state.offers.keys()]) rescindOffer(ctx, offerId);
  return { status: 200 };
}
