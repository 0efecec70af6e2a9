/**
 * Mesos' legacy maintenance endpoints (spec/core.md 6.4):
 * /master/maintenance/schedule (GET the schedule, POST a new one as a bare
 * Schedule), /master/maintenance/status (GET), /master/machine/down and
 * /master/machine/up (POST a JSON array of machine ids), each also without
 * the /master prefix. They hand the same operator calls as POST /api/v1 to
 * the core: one set of rules for both APIs.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { bodyText } from '../../lib/http/server.js';
import { decodeJson, describeIssues } from '../../protocol/decode.js';
import { MachineID, MaintenanceSchedule, type OperatorCall } from '../../protocol/operator.js';
import { maintenanceSchedule, maintenanceStatus } from '../views/maintenance.js';
import type { MasterState } from '../core/state.js';
import type { MasterRuntime } from '../shell/runtime.js';
import { authenticatedPrincipal } from './authentication.js';
import { sendJsonView, sendReply } from './replies.js';
import { answerNotLeading, noOtherLeader, type LeaderLocator } from './standby.js';

type Method = 'GET' | 'POST';

interface Endpoint {
  readonly path: string;
  readonly view?: (state: MasterState, principal: string | undefined) => object;
  readonly post?: (body: string) => { ok: true; call: OperatorCall } | { ok: false; error: string };
}

function machineList(body: string): { ok: true; value: z.output<typeof MachineID>[] } | { ok: false; error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    return { ok: false, error: `Failed to parse body into JSON: ${(error as Error).message}` };
  }
  if (!Array.isArray(parsed)) return { ok: false, error: 'Expecting a JSON array of machine ids' };
  // reportInput: a field of the wrong type is told as such, not as missing.
  const result = z.array(MachineID).safeParse(parsed, { reportInput: true });
  return result.success ? { ok: true, value: result.data } : { ok: false, error: describeIssues(result.error.issues) };
}

/** Mesos answers the legacy endpoints with the bare conversion error ("Missing required fields: ..."), no prefix. */
function bareConversionError(error: string): string {
  return error.replace(/^Failed to convert JSON into Schedule protobuf: /, '');
}

const endpoints: readonly Endpoint[] = [
  {
    path: 'maintenance/schedule',
    view: maintenanceSchedule,
    post: (body) => {
      const schedule = decodeJson(MaintenanceSchedule, body, 'Schedule');
      return schedule.ok
        ? { ok: true, call: { type: 'UPDATE_MAINTENANCE_SCHEDULE', update_maintenance_schedule: { schedule: schedule.value } } }
        : { ok: false, error: bareConversionError(schedule.error) };
    },
  },
  { path: 'maintenance/status', view: maintenanceStatus },
  {
    path: 'machine/down',
    post: (body) => {
      const machines = machineList(body);
      return machines.ok ? { ok: true, call: { type: 'START_MAINTENANCE', start_maintenance: { machines: machines.value } } } : machines;
    },
  },
  {
    path: 'machine/up',
    post: (body) => {
      const machines = machineList(body);
      return machines.ok ? { ok: true, call: { type: 'STOP_MAINTENANCE', stop_maintenance: { machines: machines.value } } } : machines;
    },
  },
];

export function registerMaintenanceRoutes(app: FastifyInstance, runtime: () => MasterRuntime | undefined, leader: LeaderLocator = noOtherLeader): void {
  for (const endpoint of endpoints) {
    for (const prefix of ['/master', '']) {
      app.all(`${prefix}/${endpoint.path}`, (request, reply) => handle(endpoint, request, reply, runtime(), leader));
    }
  }
}

function handle(endpoint: Endpoint, request: FastifyRequest, reply: FastifyReply, runtime: MasterRuntime | undefined, leader: LeaderLocator): void {
  if (runtime === undefined) return answerNotLeading(request, reply, leader);
  const allowed: Method[] = [...(endpoint.view !== undefined ? ['GET' as const] : []), ...(endpoint.post !== undefined ? ['POST' as const] : [])];
  const method = request.method;
  if (method === 'GET' && endpoint.view !== undefined) {
    const view = endpoint.view;
    const principal = authenticatedPrincipal(request);
    return runtime.whenPerformed(() => sendJsonView(reply, request.query as Record<string, string | undefined>, view(runtime.core.state, principal)));
  }
  if (method === 'POST' && endpoint.post !== undefined) {
    const call = endpoint.post(bodyText(request.body));
    if (!call.ok) return void sendReply(reply, { status: 400, body: call.error });
    const principal = authenticatedPrincipal(request);
    const output = runtime.dispatch({ type: 'operator_call', call: call.call, ...(principal !== undefined && { principal }) });
    return runtime.whenPerformed(() => sendReply(reply, output.reply ?? { status: 200 }));
  }
  // libprocess' MethodNotAllowed, word for word.
  const expected = allowed.map((name) => `'${name}'`).join(', ');
  void reply
    .code(405)
    .header('Allow', allowed.join(', '))
    .type('text/plain; charset=utf-8')
    .send(`405 Method Not Allowed. Expecting one of { ${expected} }, but received '${method}'.`);
}

