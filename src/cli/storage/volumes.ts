/**
 * `berth volumes list|create|destroy|grow|shrink`: persistent volumes through
 * the v1 operator API. Volumes are named by agent and id; the command looks
 * the rest up with GET_AGENTS (the reservation a new volume is carved from,
 * the exact JSON of an existing one), so nobody retypes resource JSON.
 */
import { flag } from '../../lib/flags/index.js';
import { addScalars, formatScalar, subtractScalars, toEndpointResource, validateRole, type Resource } from '../../resources/index.js';
import { findVolume, reservationStack, sourceText, volumeRows, type VolumeRow } from './agent-storage.js';
import { fetchAgent, fetchAgents, sendChange } from './cluster-calls.js';
import type { CommandIo } from './operator-client.js';
import { processTerminal } from '../../lib/terminal.js';
import { agentFilterFlag, agentFlag, byFlag, diskSourceFlag, jsonFlag, masterFlag, roleFilterFlag, roleFlag, sizeFlag } from './storage-flags.js';
import { createVolumesCall, destroyVolumesCall, growVolumeCall, newVolume, shrinkVolumeCall } from './storage-requests.js';
import { fail, runGroup, subcommand, type CommandGroup } from './subcommands.js';
import { formatTable } from '../../lib/text-table.js';

const idFlag = flag.string({ required: true, help: "The volume's persistence id (unique per role on an agent)." });

const list = subcommand(
  'One row per persistent volume (--agent, --role pick some; --json for machines).',
  { master: masterFlag, agent: agentFilterFlag, role: roleFilterFlag, json: jsonFlag },
  async (flags, io) => {
    const agents = await fetchAgents(flags.master, io);
    if (agents === undefined) return 1;
    const rows = volumeRows(agents).filter(
      (row) => (flags.agent === undefined || row.agentId === flags.agent) && (flags.role === undefined || row.role === flags.role),
    );
    io.out(flags.json ? `${JSON.stringify(rows.map(volumeJson), null, 2)}\n` : `${volumeTable(rows)}\n`);
    return 0;
  },
);

const create = subcommand(
  "Create a volume on a role's reserved disk ('berth reservations reserve' first).",
  {
    master: masterFlag,
    agent: agentFlag,
    role: roleFlag,
    principal: flag.string({ help: "The creator principal, stored with the volume; it also picks the\nrole's reservation when the role has several." }),
    id: idFlag,
    size: sizeFlag,
    container_path: flag.string({ help: 'Where tasks see the volume, relative to their sandbox. (default: the id)' }),
    mode: flag.enum(['RW', 'RO'], { default: 'RW', help: 'RW; the master refuses RO volumes (a task may mount one read-only).' }),
    shared: flag.bool({ default: false, help: 'A shared volume: several tasks may use it at once.' }),
    disk_source: diskSourceFlag,
  },
  async (flags, io) => {
    const agent = await fetchAgent(flags.master, flags.agent, io);
    if (agent === undefined) return 1;
    const source = flags.disk_source;
    const query = { role: flags.role, name: 'disk', diskSource: sourceText(source), dynamicOnly: false };
    // The creator's own reservation when there is one, else the role's only one.
    const own = reservationStack(agent, { ...query, principal: flags.principal });
    const stack = own.ok ? own : reservationStack(agent, { ...query, principal: undefined });
    if (!stack.ok) return fail(io, stack.error);
    const volume = newVolume({
      id: flags.id,
      sizeMb: flags.size,
      reservations: stack.value,
      principal: flags.principal,
      containerPath: flags.container_path ?? flags.id,
      mode: flags.mode,
      shared: flags.shared,
      source,
    });
    const done = `Created volume '${flags.id}' (${formatScalar(flags.size)} MB, role ${flags.role}) on agent ${agent.agentId}`;
    return sendChange(flags.master, createVolumesCall(agent.agentId, [volume]), io, done);
  },
);

const volumeFlags = {
  master: masterFlag,
  agent: agentFlag,
  id: idFlag,
  role: flag.string({ help: 'The role of the volume, needed only when its id is used by several roles.', check: (value) => validateRole(value) }),
};

const destroy = subcommand('Destroy a volume and delete its data; its disk stays reserved.', volumeFlags, async (flags, io) => {
  const volume = await fetchVolume(flags, io);
  if (volume === undefined) return 1;
  const done = `Destroyed volume '${flags.id}' on agent ${flags.agent}; the agent deletes its data`;
  return sendChange(flags.master, destroyVolumesCall(flags.agent, [volume]), io, done);
});

const grow = subcommand(
  "Grow a volume into more of its role's reserved disk (not on MOUNT).",
  { ...volumeFlags, by: byFlag },
  async (flags, io) => {
    const volume = await fetchVolume(flags, io);
    if (volume === undefined) return 1;
    const size = formatScalar(addScalars(volume.scalar?.value ?? 0, flags.by));
    const done = `Grew volume '${flags.id}' by ${formatScalar(flags.by)} MB to ${size} MB`;
    return sendChange(flags.master, growVolumeCall(flags.agent, volume, flags.by), io, done);
  },
);

const shrink = subcommand(
  'Shrink a volume; the freed disk stays reserved (not on MOUNT).',
  { ...volumeFlags, by: byFlag },
  async (flags, io) => {
    const volume = await fetchVolume(flags, io);
    if (volume === undefined) return 1;
    const size = formatScalar(subtractScalars(volume.scalar?.value ?? 0, flags.by));
    const done = `Shrank volume '${flags.id}' by ${formatScalar(flags.by)} MB to ${size} MB`;
    return sendChange(flags.master, shrinkVolumeCall(flags.agent, volume, flags.by), io, done);
  },
);

export const volumesGroup: CommandGroup = {
  name: 'volumes',
  subcommands: { list, create, destroy, grow, shrink },
  trailer:
    'The master answers at once and the agent applies the change right after (a directory\n' +
    'under <work_dir>/volumes/roles/<role>/<id>, or <root>/volumes/... on a PATH disk).\n' +
    "A refusal is printed as the master words it, and the exit status is 1.\n",
};

export function runVolumes(argv: readonly string[], io: CommandIo = processTerminal()): Promise<number> {
  return runGroup(volumesGroup, argv, io);
}

async function fetchVolume(flags: { master: string; agent: string; id: string; role: string | undefined }, io: CommandIo): Promise<Resource | undefined> {
  const agent = await fetchAgent(flags.master, flags.agent, io);
  if (agent === undefined) return undefined;
  const volume = findVolume(agent, flags.id, flags.role);
  if (volume.ok) return volume.value;
  fail(io, volume.error);
  return undefined;
}

function volumeTable(rows: readonly VolumeRow[]): string {
  const header = ['AGENT', 'ROLE', 'PRINCIPAL', 'ID', 'SIZE (MB)', 'DISK', 'CONTAINER PATH', 'MODE', 'SHARED'];
  return formatTable(
    header,
    rows.map((row) => {
      const size = formatScalar(row.sizeMb);
      return [row.agentId, row.role, row.principal, row.id, size, row.diskSource, row.containerPath, row.mode, row.shared ? 'yes' : 'no'];
    }),
  );
}

function volumeJson(row: VolumeRow): Record<string, unknown> {
  return {
    agent_id: row.agentId,
    hostname: row.hostname,
    role: row.role,
    principal: row.principal ?? null,
    id: row.id,
    size_mb: row.sizeMb,
    disk_source: row.diskSource,
    container_path: row.containerPath ?? null,
    mode: row.mode ?? null,
    shared: row.shared,
    // As /master/slaves lists it: ready for /master/destroy-volumes or DESTROY_VOLUMES.
    resource: toEndpointResource(row.resource),
  };
}
