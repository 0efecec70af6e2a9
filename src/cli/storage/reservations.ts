/**
 * `berth reservations list|reserve|unreserve`: dynamic reservations through
 * the v1 operator API. Resources are typed in the agent flag's text form
 * (`cpus:1;mem:512;disk:1024`, or a JSON array); unreserve finds the exact
 * reservation (principal, labels) on the agent, so only role and amounts are
 * typed.
 */
import { flag, type FlagDefinition } from '../../lib/flags/index.js';
import { err, ok, type Result } from '../../lib/result.js';
import { parseResourcesString, toEndpointResource, type DiskSource, type Resource } from '../../resources/index.js';
import { reservationRows, reservationStack, resourceText, sourceText, type AgentStorage, type ReservationRow } from './agent-storage.js';
import { fetchAgent, fetchAgents, sendChange } from './cluster-calls.js';
import type { CommandIo } from './operator-client.js';
import { processTerminal } from '../../lib/terminal.js';
import { agentFilterFlag, agentFlag, diskSourceFlag, jsonFlag, masterFlag, roleFilterFlag, roleFlag } from './storage-flags.js';
import { reserveCall, toReserve, toUnreserve, unreserveCall } from './storage-requests.js';
import { fail, runGroup, subcommand, type CommandGroup } from './subcommands.js';
import { formatTable } from '../../lib/text-table.js';

function resourcesFlag(what: string): FlagDefinition<string, 'required'> {
  return flag.string({
    required: true,
    help: `${what}, in the agent flag's text form (cpus:1;mem:512;disk:1024)\nor as a JSON array of resources.`,
    check: (value) => checkResources(value),
  });
}

const list = subcommand(
  'One row per reserved resource, static or dynamic, volumes included.',
  { master: masterFlag, agent: agentFilterFlag, role: roleFilterFlag, json: jsonFlag },
  async (flags, io) => {
    const agents = await fetchAgents(flags.master, io);
    if (agents === undefined) return 1;
    const rows = reservationRows(agents).filter(
      (row) => (flags.agent === undefined || row.agentId === flags.agent) && (flags.role === undefined || row.role === flags.role),
    );
    io.out(flags.json ? `${JSON.stringify(rows.map(reservationJson), null, 2)}\n` : `${reservationTable(rows)}\n`);
    return 0;
  },
);

const reserve = subcommand(
  "Reserve an agent's unreserved resources for a role.",
  {
    master: masterFlag,
    agent: agentFlag,
    role: roleFlag,
    principal: flag.string({ help: 'The principal the reservation is made by (recorded with it).' }),
    resources: resourcesFlag('What to reserve'),
    disk_source: diskSourceFlag,
  },
  async (flags, io) => {
    const parsed = parseRequested(flags.resources);
    if (!parsed.ok) return fail(io, parsed.error);
    const resources = toReserve(parsed.value, flags.role, flags.principal, flags.disk_source);
    const done = `Reserved ${amounts(resources)} for role ${flags.role} on agent ${flags.agent}`;
    return sendChange(flags.master, reserveCall(flags.agent, resources), io, done);
  },
);

const unreserve = subcommand(
  "Give reserved resources back (destroy volumes on them first).",
  {
    master: masterFlag,
    agent: agentFlag,
    role: roleFlag,
    principal: flag.string({ help: 'The principal of the reservation, needed only when the role has\nreservations by several principals.' }),
    resources: resourcesFlag('What to give back'),
    disk_source: diskSourceFlag,
  },
  async (flags, io) => {
    const parsed = parseRequested(flags.resources);
    if (!parsed.ok) return fail(io, parsed.error);
    const agent = await fetchAgent(flags.master, flags.agent, io);
    if (agent === undefined) return 1;
    const resources = matchReservations(agent, parsed.value, flags);
    if (!resources.ok) return fail(io, resources.error);
    const done = `Unreserved ${amounts(resources.value)} from role ${flags.role} on agent ${flags.agent}`;
    return sendChange(flags.master, unreserveCall(flags.agent, resources.value), io, done);
  },
);

export const reservationsGroup: CommandGroup = {
  name: 'reservations',
  subcommands: { list, reserve, unreserve },
  trailer:
    'Reserved resources are offered only to frameworks of the role; volumes are created on\n' +
    "reserved disk ('berth volumes create'). A refusal is printed as the master words it,\n" +
    'and the exit status is 1.\n',
};

export function runReservations(argv: readonly string[], io: CommandIo = processTerminal()): Promise<number> {
  return runGroup(reservationsGroup, argv, io);
}

function checkResources(value: string): string | undefined {
  const parsed = parseRequested(value);
  return parsed.ok ? undefined : `Invalid --resources: ${parsed.error}`;
}

/** Non-empty amounts, unreserved (the role comes from --role). */
function parseRequested(text: string): Result<Resource[], string> {
  const parsed = parseResourcesString(text);
  if (!parsed.ok) return parsed;
  const resources = parsed.value.filter((resource) => resource.scalar?.value !== 0);
  if (resources.length === 0) return err('Expected at least one resource, e.g. cpus:1;mem:512');
  if (resources.some((resource) => resource.reservations.length > 0)) {
    return err('Give the amounts without a role (cpus:1, not cpus(eng):1): the role is --role');
  }
  return ok(resources);
}

/** Each requested amount with the exact reservation it is taken from on the agent. */
function matchReservations(
  agent: AgentStorage,
  requested: readonly Resource[],
  flags: { role: string; principal: string | undefined; disk_source: DiskSource | undefined },
): Result<Resource[], string> {
  const matched: Resource[] = [];
  for (const resource of requested) {
    const source = resource.name === 'disk' ? (resource.disk?.source ?? flags.disk_source) : undefined;
    const query = { role: flags.role, name: resource.name, principal: flags.principal, diskSource: sourceText(source), dynamicOnly: true };
    const stack = reservationStack(agent, query);
    if (!stack.ok) return stack;
    matched.push(toUnreserve(resource, stack.value, source));
  }
  return ok(matched);
}

function amounts(resources: readonly Resource[]): string {
  return resources.map(resourceText).join(';');
}

function reservationTable(rows: readonly ReservationRow[]): string {
  const header = ['AGENT', 'ROLE', 'TYPE', 'PRINCIPAL', 'RESOURCE', 'VOLUME'];
  return formatTable(header, rows.map((row) => [row.agentId, row.role, row.type, row.principal, row.amount, row.volumeId]));
}

function reservationJson(row: ReservationRow): Record<string, unknown> {
  return {
    agent_id: row.agentId,
    hostname: row.hostname,
    role: row.role,
    type: row.type,
    principal: row.principal ?? null,
    resource_text: row.amount,
    volume_id: row.volumeId ?? null,
    // As /master/slaves lists it: ready for /master/unreserve or UNRESERVE_RESOURCES.
    resource: toEndpointResource(row.resource),
  };
}
