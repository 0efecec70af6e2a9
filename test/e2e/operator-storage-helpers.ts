/**
 * Helpers of the operator storage tests (operator-storage.test.ts,
 * storage-cli.test.ts): Mesos' documented curl recipes made runnable
 * (placeholders filled, the `-d` pieces posted as curl posts them), form and
 * v1 posts, and the reserved resources the master and an agent report, summed
 * up as short strings so that a test can compare them.
 *
 * Nothing here hides an assertion: helpers post, read and wait; tests assert.
 */
import { rawRequest, type RawResponse } from '../support/http.js';
import { fetchJson } from '../support/cluster.js';

/** The agent of the reservation.md recipes: they reserve 8 cpus and 4096 MB of memory for `ads`. */
export const storageAgentFlags: readonly string[] = ['--registration_backoff_factor=10ms', '--resources=cpus:8;mem:4096;disk:2048;ports:[31000-31100]'];

/** What curl sends for a recipe: the `-u` credentials, the `-d` pieces, the URL. */
export interface Recipe {
  readonly user: string | undefined;
  readonly pieces: readonly string[];
  readonly url: string;
}

/**
 * A recipe with its placeholders filled: `<operator_principal>:<password>`
 * (curl's -u), `<ip>:<port>` and `<slave_id>` as they are, every other
 * `<name>` (inside the JSON) as a JSON string of `values[name]`.
 */
export function fillRecipe(text: string, hostPort: string, agentId: string, values: Readonly<Record<string, string>>): Recipe {
  const filled = text
    .replace('<operator_principal>:<password>', 'ops:secret')
    .replace('<ip>:<port>', hostPort)
    .replace('<slave_id>', agentId)
    .replace(/<(\w+)>/g, (_match, name: string) => JSON.stringify(values[name] ?? `missing value for <${name}>`));
  const user = /-u (\S+)/.exec(filled)?.[1];
  // curl -d key='...' sends what is between the quotes as it is, newlines included.
  const pieces = [...filled.matchAll(/-d (\w+)=(?:'([^']*)'|(\S+))/g)].map((match) => `${match[1] ?? ''}=${match[2] ?? match[3] ?? ''}`);
  const url = /-X POST (\S+)/.exec(filled)?.[1] ?? '';
  return { user, pieces, url };
}

/** The docs' JSON has a comma before some closing braces, which JSON (picojson, JSON.parse) refuses. */
export function withoutTrailingCommas(text: string): string {
  return text.replace(/,(\s*[}\]])/g, '$1');
}

/** POSTs the pieces as curl -d does: joined with '&', form-encoded, with Basic credentials when given. */
export async function postForm(url: string, pieces: readonly string[], user?: string): Promise<RawResponse> {
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (user !== undefined) headers['Authorization'] = `Basic ${Buffer.from(user).toString('base64')}`;
  return rawRequest(url, { method: 'POST', headers, body: pieces.join('&') });
}

export async function postRecipe(recipe: Recipe): Promise<RawResponse> {
  return postForm(recipe.url, recipe.pieces, recipe.user);
}

/** A v1 operator call. */
export async function postOperator(masterUrl: string, call: object): Promise<RawResponse> {
  return rawRequest(`${masterUrl}/api/v1`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(call) });
}

interface EndpointResource {
  name: string;
  scalar?: { value: number };
  reservations?: { type: string; role: string; principal?: string }[];
  disk?: { persistence?: { id: string; principal?: string }; volume?: { container_path: string; mode: string } };
}

type ReservedFull = Record<string, EndpointResource[]>;

/** "cpus:8", "disk:512 volume pv-1", with the reserver principal: "cpus:8 by ops"; "ports:?" for non-scalars. */
function summary(resource: EndpointResource): string {
  const volume = resource.disk?.persistence === undefined ? '' : ` volume ${resource.disk.persistence.id}`;
  const principal = resource.reservations?.[resource.reservations.length - 1]?.principal;
  return `${resource.name}:${resource.scalar?.value ?? '?'}${volume}${principal === undefined ? '' : ` by ${principal}`}`;
}

function summarize(full: ReservedFull | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [role, resources] of Object.entries(full ?? {})) out[role] = resources.map(summary).sort();
  return out;
}

/** The agent's reserved resources as /master/slaves lists them (`reserved_resources_full`), summed up per role. */
export async function masterReserved(masterUrl: string, agentId: string): Promise<Record<string, string[]>> {
  const { slaves } = await fetchJson<{ slaves: { id: string; reserved_resources_full?: ReservedFull }[] }>(`${masterUrl}/master/slaves`);
  return summarize(slaves.find((slave) => slave.id === agentId)?.reserved_resources_full);
}

/** The agent's own view (`/state` `reserved_resources_full`), which a 202 reaches asynchronously. */
export async function agentReserved(agentUrl: string): Promise<Record<string, string[]>> {
  return summarize((await fetchJson<{ reserved_resources_full?: ReservedFull }>(`${agentUrl}/state`)).reserved_resources_full);
}

/** GET_AGENTS `total_resources` of one agent, summed up (unreserved ones too, without a principal). */
export async function totalResources(masterUrl: string, agentId: string): Promise<string[]> {
  const answer = await postOperator(masterUrl, { type: 'GET_AGENTS' });
  const body = JSON.parse(answer.text) as { get_agents: { agents: { agent_info: { id: { value: string } }; total_resources: EndpointResource[] }[] } };
  const agent = body.get_agents.agents.find((candidate) => candidate.agent_info.id.value === agentId);
  return (agent?.total_resources ?? []).map(summary).sort();
}

/** A resource in the legacy reservation format (`role` + `reservation`), as the docs write them. */
export function legacyReserved(name: string, value: number, role: string, principal = 'ops'): Record<string, unknown> {
  return { name, type: 'SCALAR', scalar: { value }, role, reservation: { principal } };
}

/** A persistent volume in the legacy format of persistent-volume.md (role `ads` unless told). */
export function legacyVolume(id: string, megabytes: number, mode: 'RW' | 'RO' = 'RW', role = 'ads'): Record<string, unknown> {
  return {
    ...legacyReserved('disk', megabytes, role),
    disk: { persistence: { id, principal: 'ops' }, volume: { mode, container_path: 'data' } },
  };
}
