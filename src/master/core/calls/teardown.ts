import type { SchedulerCall } from '../../../protocol/scheduler.js';
import type { StepContext } from '../context.js';
import type { Reply } from '../events.js';
import type { Framework } from '../state.js';
import { removeFramework } from '../frameworks/lifecycle.js';

/** TEARDOWN (spec/core.md 1.5.2): the framework is removed at once. */
export function onTeardown(ctx: StepContext, framework: Framework, _call: SchedulerCall): Reply {
  ctx.state.counters.increment('master/messages_unregister_framework');
  removeFramework(ctx, framework);
  return { status: 202 };
}
