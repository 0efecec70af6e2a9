/**
 * What the storage commands read from GET_AGENTS (spec/storage.md 5.3): each
 * agent's `total_resources`, upgraded to the canonical form, and the rows
 * `list` prints, one per volume or per reserved resource. Also the lookups
 * that spare the user retyping JSON: a volume by its id, and the reservation
 * stacks of a role that a new volume or an unreserve must match. Pure.
 */
import { z } from 'zod';
import { err, ok, type Result } from '../../lib/result.js';
import {
  decodeWireResource,
  fromWire,
  isPersistentVolume,
  isReserved,
  reservationRole,
  resourceValueToString,
  type DiskSource,
  type Resource,
  type ReservationInfo,
} from '../../resources/index.js';

export interface AgentStorage {
  readonly agentId: string;
  readonly hostname: string;
  /** Declared resources, dynamic reservations and volumes, canonical. */
  readonly resources: readonly Resource[];
}

const GetAgentsAnswer = z.object({
  get_agents: z.object({
    agents: z
      .array(
        z.object({
          agent_info: z.object({ id: z.object({ value: z.string() }), hostname: z.string() }),
          total_resources: z.array(z.unknown()).optional(),
        }),
      )
      .optional(),
  }),
});

/** The agents of a GET_AGENTS answer; a resource the rules refuse means the answer is not a master's. */
export function agentsFromAnswer(answer: unknown): Result<AgentStorage[], string> {
  const parsed = GetAgentsAnswer.safeParse(answer);
  if (!parsed.success) return err('The master answered GET_AGENTS with something that is not a GET_AGENTS response');
  const agents: AgentStorage[] = [];
  for (const agent of parsed.data.get_agents.agents ?? []) {
    const resources: Resource[] = [];
    for (const json of agent.total_resources ?? []) {
      const decoded = decodeWireResource(json);
      const resource = decoded.ok ? fromWire(decoded.value) : decoded;
      if (!resource.ok) return err(`The master listed a resource berth cannot read on agent ${agent.agent_info.id.value}: ${resource.error}`);
      resources.push(resource.value);
    }
    agents.push({ agentId: agent.agent_info.id.value, hostname: agent.agent_info.hostname, resources });
  }
  return ok(agents);
}

export function findAgent(agents: readonly AgentStorage[], agentId: string): Result<AgentStorage, string> {
  const agent = agents.find((candidate) => candidate.agentId === agentId);
  return agent !== undefined ? ok(agent) : err(`No agent with id '${agentId}' is registered with the master`);
}

/** "ROOT", "PATH:/mnt/a" or "MOUNT:/mnt/b": where a disk resource lives. */
export function diskSourceText(resource: Resource): string {
  return sourceText(resource.disk?.source);
}

export function sourceText(source: DiskSource | undefined): string {
  if (source === undefined) return 'ROOT';
  const root = source.type === 'PATH' ? source.path?.root : source.type === 'MOUNT' ? source.mount?.root : source.id;
  return root === undefined ? source.type : `${source.type}:${root}`;
}

/** "cpus:1", "ports:[31000-31010]", "disk[PATH:/mnt/a]:1024": name, disk source and amount. */
export function resourceText(resource: Resource): string {
  const where = resource.name === 'disk' && resource.disk?.source !== undefined ? `[${diskSourceText(resource)}]` : '';
  return `${resource.name}${where}:${resourceValueToString(resource)}`;
}


function topReservation(resource: Resource): ReservationInfo | undefined {
  return resource.reservations[resource.reservations.length - 1];
}

export interface VolumeRow {
  readonly agentId: string;
  readonly hostname: string;
  readonly role: string;
  /** The creator principal (`disk.persistence.principal`), which DESTROY is authorized against. */
  readonly principal: string | undefined;
  readonly id: string;
  readonly sizeMb: number;
  readonly diskSource: string;
  readonly containerPath: string | undefined;
  readonly mode: string | undefined;
  readonly shared: boolean;
  readonly resource: Resource;
}

export function volumeRows(agents: readonly AgentStorage[]): VolumeRow[] {
  return agents.flatMap((agent) =>
    agent.resources.filter(isPersistentVolume).map((resource) => ({
      agentId: agent.agentId,
      hostname: agent.hostname,
      role: reservationRole(resource),
      principal: resource.disk?.persistence?.principal,
      id: resource.disk?.persistence?.id ?? '',
      sizeMb: resource.scalar?.value ?? 0,
      diskSource: diskSourceText(resource),
      containerPath: resource.disk?.volume?.container_path,
      mode: resource.disk?.volume?.mode,
      shared: resource.shared !== undefined,
      resource,
    })),
  );
}

export interface ReservationRow {
  readonly agentId: string;
  readonly hostname: string;
  readonly role: string;
  readonly type: 'STATIC' | 'DYNAMIC';
  readonly principal: string | undefined;
  /** Resource text, e.g. "cpus:1" or "disk[PATH:/mnt/a]:1024". */
  readonly amount: string;
  /** The persistence id when the reserved resource is a volume. */
  readonly volumeId: string | undefined;
  readonly resource: Resource;
}

/** One row per reserved resource (static and dynamic, volumes included), as /master/slaves' reserved_resources_full. */
export function reservationRows(agents: readonly AgentStorage[]): ReservationRow[] {
  return agents.flatMap((agent) =>
    agent.resources.filter(isReserved).map((resource) => {
      const top = topReservation(resource);
      return {
        agentId: agent.agentId,
        hostname: agent.hostname,
        role: reservationRole(resource),
        type: top?.type ?? 'STATIC',
        principal: top?.principal,
        amount: resourceText(resource),
        volumeId: resource.disk?.persistence?.id,
        resource,
      };
    }),
  );
}

/** The volume `id` on `agent` (of `role`, when ids repeat across roles). */
export function findVolume(agent: AgentStorage, id: string, role: string | undefined): Result<Resource, string> {
  const matches = agent.resources.filter(
    (resource) => isPersistentVolume(resource) && resource.disk?.persistence?.id === id && (role === undefined || reservationRole(resource) === role),
  );
  const [only] = matches;
  if (only !== undefined && matches.length === 1) return ok(only);
  const inRole = role === undefined ? '' : ` of role '${role}'`;
  if (only === undefined) return err(`No volume '${id}'${inRole} on agent ${agent.agentId}`);
  const roles = matches.map(reservationRole).join(', ');
  return err(`Volume id '${id}' is used by several roles on agent ${agent.agentId} (${roles}): pick one with --role`);
}

/** What a reservation that a request must match is looked up by. */
export interface ReservationQuery {
  readonly role: string;
  readonly name: string;
  /** undefined: any principal (picked when only one matches). */
  readonly principal: string | undefined;
  readonly diskSource: string;
  readonly dynamicOnly: boolean;
}

/**
 * The reservation stack of the agent's plain (non-volume) reserved resources
 * that match `query`. A request must carry the exact stack (role, principal,
 * labels) of what it consumes, so it is taken from the agent rather than
 * retyped; several different stacks need --principal to choose.
 */
export function reservationStack(agent: AgentStorage, query: ReservationQuery): Result<readonly ReservationInfo[], string> {
  const stacks = new Map<string, readonly ReservationInfo[]>();
  for (const resource of agent.resources) {
    const top = topReservation(resource);
    if (top === undefined || isPersistentVolume(resource) || resource.name !== query.name) continue;
    if (top.role !== query.role || diskSourceText(resource) !== query.diskSource) continue;
    if (query.dynamicOnly && top.type !== 'DYNAMIC') continue;
    if (query.principal !== undefined && top.principal !== query.principal) continue;
    stacks.set(JSON.stringify(resource.reservations), resource.reservations);
  }
  const found = [...stacks.values()];
  const [only] = found;
  if (only !== undefined && found.length === 1) return ok(only);
  const kind = query.dynamicOnly ? 'dynamic reservation' : 'reservation';
  const of = ` of ${query.name}${query.diskSource === 'ROOT' ? '' : ` on ${query.diskSource}`}`;
  const by = query.principal === undefined ? '' : ` by principal '${query.principal}'`;
  if (only === undefined) return err(`Agent ${agent.agentId} has no ${kind}${of} for role '${query.role}'${by}`);
  const principals = found.map((stack) => stack[stack.length - 1]?.principal ?? '(none)').join(', ');
  return err(`Agent ${agent.agentId} has several ${kind}s${of} for role '${query.role}' (principals ${principals}): pick one with --principal`);
}
