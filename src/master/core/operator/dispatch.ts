/**
 * Operator calls on the master's state (POST /api/v1, spec/core.md 6.2).
 * Process-level calls (GET_HEALTH, GET_FLAGS, GET_VERSION, GET_METRICS,
 * logging, files) are answered by the HTTP shell. With --acls the state calls
 * show only what the operator's principal may view (viewer.ts).
 */
import type { OperatorCall, OperatorCallType } from '../../../protocol/operator.js';
import type { StepContext } from '../context.js';
import type { Reply } from '../events.js';
import {
  getAgents,
  getExecutors,
  getFrameworks,
  getMaster,
  getOperations,
  getQuota,
  getRoles,
  getState,
  getTasks,
  getWeights,
} from '../../views/v1.js';
import { onMarkAgentGone } from './agent-gone.js';
import { onUpdateQuota } from './quota.js';
import { onUpdateWeights } from './weights.js';
import { onDeactivateAgent, onReactivateAgent } from './agent-activation.js';
import { forbidden, operatorMayOnRole, operatorMayTeardown } from './authorize.js';
import { viewerFor } from './viewer.js';
import { onDrainAgent } from './agent-drain.js';
import { onStartMaintenance, onStopMaintenance, onUpdateMaintenanceSchedule } from '../maintenance/schedule.js';
import { maintenanceSchedule, maintenanceStatus } from '../../views/maintenance.js';
import { removeFramework } from '../frameworks/lifecycle.js';
import { operatorStorageOperation, storageCallOperation } from './storage.js';

type Handler = (ctx: StepContext, call: OperatorCall, principal?: string) => Reply;

function respond(type: string, payload: object): Reply {
  const key = type.toLowerCase();
  return { status: 200, body: { type, [key]: payload } };
}

function notYet(what: string): Handler {
  return () => ({ status: 501, body: `berth does not support ${what} yet` });
}

/** Calls the shell answers itself never reach the core. */
type ShellCalls = 'GET_HEALTH' | 'GET_FLAGS' | 'GET_VERSION' | 'GET_METRICS' | 'GET_LOGGING_LEVEL' | 'SET_LOGGING_LEVEL' | 'LIST_FILES' | 'READ_FILE' | 'SUBSCRIBE';

const handlers: Record<Exclude<OperatorCallType, ShellCalls>, Handler> = {
  UNKNOWN: () => ({ status: 501 }),
  GET_STATE: (ctx, _call, principal) => respond('GET_STATE', getState(ctx.state, viewerFor(ctx.state.acls, principal))),
  GET_AGENTS: (ctx) => respond('GET_AGENTS', getAgents(ctx.state)),
  GET_FRAMEWORKS: (ctx, _call, principal) => respond('GET_FRAMEWORKS', getFrameworks(ctx.state, viewerFor(ctx.state.acls, principal))),
  GET_EXECUTORS: (ctx, _call, principal) => respond('GET_EXECUTORS', getExecutors(ctx.state, viewerFor(ctx.state.acls, principal))),
  GET_OPERATIONS: (ctx) => respond('GET_OPERATIONS', getOperations(ctx.state)),
  GET_TASKS: (ctx, _call, principal) => respond('GET_TASKS', getTasks(ctx.state, viewerFor(ctx.state.acls, principal))),
  GET_ROLES: (ctx, _call, principal) => respond('GET_ROLES', getRoles(ctx.state, viewerFor(ctx.state.acls, principal))),
  GET_WEIGHTS: (ctx, _call, principal) => respond('GET_WEIGHTS', getWeights(ctx.state, viewerFor(ctx.state.acls, principal))),
  UPDATE_WEIGHTS: onUpdateWeights,
  GET_MASTER: (ctx) => respond('GET_MASTER', getMaster(ctx.state)),
  GET_QUOTA: (ctx, _call, principal) => respond('GET_QUOTA', getQuota(ctx.state, (role) => operatorMayOnRole(ctx.state, 'get_quotas', principal, role))),
  UPDATE_QUOTA: onUpdateQuota,
  SET_QUOTA: notYet('the deprecated SET_QUOTA (use UPDATE_QUOTA)'),
  REMOVE_QUOTA: notYet('the deprecated REMOVE_QUOTA (use UPDATE_QUOTA)'),
  TEARDOWN: onTeardown,
  RESERVE_RESOURCES: onStorageCall,
  UNRESERVE_RESOURCES: onStorageCall,
  CREATE_VOLUMES: onStorageCall,
  DESTROY_VOLUMES: onStorageCall,
  GROW_VOLUME: onStorageCall,
  SHRINK_VOLUME: onStorageCall,
  GET_MAINTENANCE_STATUS: (ctx, _call, principal) => respond('GET_MAINTENANCE_STATUS', { status: maintenanceStatus(ctx.state, principal) }),
  GET_MAINTENANCE_SCHEDULE: (ctx, _call, principal) => respond('GET_MAINTENANCE_SCHEDULE', { schedule: maintenanceSchedule(ctx.state, principal) }),
  UPDATE_MAINTENANCE_SCHEDULE: onUpdateMaintenanceSchedule,
  START_MAINTENANCE: onStartMaintenance,
  STOP_MAINTENANCE: onStopMaintenance,
  DRAIN_AGENT: onDrainAgent,
  DEACTIVATE_AGENT: onDeactivateAgent,
  REACTIVATE_AGENT: onReactivateAgent,
  MARK_AGENT_GONE: onMarkAgentGone,
};

export function onOperatorCall(ctx: StepContext, call: OperatorCall, principal?: string): Reply {
  const type = call.type;
  if (type === undefined) return { status: 400, body: "Failed to validate master::Call: Expecting 'type' to be present" };
  if (!(type in handlers)) return { status: 500, body: `${type} is handled by the HTTP layer` };
  return handlers[type as keyof typeof handlers](ctx, call, principal);
}

/** The storage calls (spec/storage.md 5.2); the principal is the authenticated operator's. */
function onStorageCall(ctx: StepContext, call: OperatorCall, principal?: string): Reply {
  const request = storageCallOperation(call);
  if ('status' in request) return request;
  return operatorStorageOperation(ctx, request.agentId, request.operation, principal);
}

/**
 * Operator TEARDOWN: 200 after the same removal as the scheduler's TEARDOWN;
 * 400 for an unknown framework; 403 when `teardown_frameworks` does not let
 * the operator tear down frameworks of that framework's principal.
 */
function onTeardown(ctx: StepContext, call: OperatorCall, principal?: string): Reply {
  const id = call.teardown?.framework_id.value;
  if (id === undefined) return { status: 400, body: "Failed to validate master::Call: Expecting 'teardown' to be present" };
  const framework = ctx.state.frameworks.get(id);
  if (framework === undefined) return { status: 400, body: `No framework found with specified ID ${id}` };
  if (!operatorMayTeardown(ctx.state, principal, framework.info.principal)) return forbidden;
  removeFramework(ctx, framework);
  return { status: 200 };
}
