/**
 * UPDATE_FRAMEWORK (spec/core.md 1.5.16): synchronous and all-or-nothing.
 * Unlike re-subscription, a change of `user` or `checkpoint` is refused.
 */
import { registrationRefusal } from '../frameworks/authorize.js';
import type { SchedulerCall } from '../../../protocol/scheduler.js';
import { compileOfferConstraints } from '../../allocator/offer-constraints.js';
import type { StepContext } from '../context.js';
import type { Reply } from '../events.js';
import type { Framework } from '../state.js';
import { frameworkRoles, validateFrameworkInfo, validateFrameworkUpdate, validateSuppressedRoles } from '../frameworks/framework-info.js';
import { applyFrameworkUpdate, sendFrameworkUpdates } from '../frameworks/lifecycle.js';

export function onUpdateFramework(ctx: StepContext, framework: Framework, call: SchedulerCall): Reply {
  const update = call.update_framework;
  if (update === undefined) return { status: 400, body: "Expecting 'update_framework' to be present" };
  const info = update.framework_info;
  const invalid = validateFrameworkInfo(ctx.state, info);
  if (invalid !== undefined) return { status: 400, body: `Supplied FrameworkInfo is not valid: ${invalid}` };
  const updateError = validateFrameworkUpdate(framework.info, info);
  if (updateError !== undefined) return { status: 400, body: `FrameworkInfo update is not valid: ${updateError}` };
  const roles = new Set(frameworkRoles(info));
  const suppressed = validateSuppressedRoles(roles, update.suppressed_roles ?? []);
  if (!suppressed.ok) return { status: 400, body: `'UpdateFramework' call is not valid: ${suppressed.error}` };
  const constraints = compileOfferConstraints(update.offer_constraints, roles);
  if (!constraints.ok) {
    return { status: 400, body: `'UpdateFramework' call is not valid: Offer constraints are not valid: ${constraints.error}` };
  }
  const unauthorized = registrationRefusal(ctx.state, { ...info, id: { value: framework.id } });
  if (unauthorized !== undefined) return { status: 403, body: unauthorized };
  const changed = JSON.stringify(framework.info) !== JSON.stringify({ ...info, id: { value: framework.id } });
  applyFrameworkUpdate(ctx, framework, info, suppressed.value, update.offer_constraints, constraints.value);
  if (changed) sendFrameworkUpdates(ctx, framework);
  ctx.requestAllocation('all');
  return { status: 200 };
}
