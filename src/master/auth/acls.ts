/**
 * The `--acls` value (Mesos' acls.proto `ACLs`, spec/storage.md 6.1) parsed
 * into a typed model. The flag machinery has already replaced a
 * `file:///path` value by the file's contents; `parseAclsFlag` also reads
 * the deprecated bare `/path` form, as Mesos' JSON flags do.
 *
 * Mesos ignores unknown fields. berth refuses an unknown list name and an
 * unknown field inside an entry or entity instead: those are typos, and a
 * typo in an ACL silently changes who may do what. Lists Mesos knows but
 * berth does not enforce are accepted (so a Mesos ACL file loads) and named
 * in `unenforced`, for the master to warn about.
 */
import { z } from 'zod';
import { err, ok, type Result } from '../../lib/result.js';
import { decodeValue } from '../../protocol/decode.js';
import { bool, requiredEnum } from '../../protocol/wire.js';
import type { Entity } from './entity.js';

/** The lists berth decides with, each with the field naming its object. */
export const aclObjectFields = {
  register_frameworks: 'roles',
  run_tasks: 'users',
  teardown_frameworks: 'framework_principals',
  reserve_resources: 'roles',
  unreserve_resources: 'reserver_principals',
  create_volumes: 'roles',
  destroy_volumes: 'creator_principals',
  resize_volumes: 'roles',
  view_roles: 'roles',
  view_frameworks: 'users',
  view_tasks: 'users',
  view_executors: 'users',
  update_weights: 'roles',
  get_quotas: 'roles',
  update_quotas: 'roles',
  // The objects of these are given implicitly, as in Mesos: only ANY and NONE decide.
  update_maintenance_schedules: 'machines',
  get_maintenance_schedules: 'machines',
  start_maintenances: 'machines',
  stop_maintenances: 'machines',
  get_maintenance_statuses: 'machines',
  drain_agents: 'agents',
  deactivate_agents: 'agents',
  reactivate_agents: 'agents',
  mark_agents_gone: 'agents',
  view_flags: 'flags',
} as const;

export type AclListName = keyof typeof aclObjectFields;

export const aclListNames = Object.keys(aclObjectFields) as AclListName[];

/** A record with one value per list name. */
export function perAclList<T>(make: (list: AclListName) => T): { readonly [N in AclListName]: T } {
  // Object.fromEntries types its result by string keys; the keys are exactly aclListNames.
  return Object.fromEntries(aclListNames.map((list) => [list, make(list)])) as unknown as { readonly [N in AclListName]: T };
}

/**
 * Lists whose object is a role. As in Mesos, exactly these are hierarchical:
 * an object value ending in `/%` stands for every strict descendant role.
 */
export function isRoleAclList(list: AclListName): boolean {
  return aclObjectFields[list] === 'roles';
}

/** The other lists of acls.proto: accepted, shape-checked, not enforced by berth. */
const unenforcedListNames: ReadonlySet<string> = new Set([
  'get_endpoints', 'access_sandboxes', 'access_mesos_logs',
  'launch_nested_containers_as_user', 'launch_nested_containers_under_parent_with_user',
  'kill_nested_containers', 'wait_nested_containers', 'launch_nested_container_sessions_as_user',
  'launch_nested_container_sessions_under_parent_with_user', 'attach_containers_input',
  'attach_containers_output', 'view_containers', 'set_log_level', 'remove_nested_containers',
  'register_agents', 'launch_standalone_containers', 'kill_standalone_containers',
  'wait_standalone_containers', 'remove_standalone_containers', 'view_standalone_containers',
  'modify_resource_provider_configs', 'mark_resource_providers_gone', 'view_resource_providers',
  'prune_images', 'create_block_disks', 'destroy_block_disks', 'create_mount_disks',
  'destroy_mount_disks', 'destroy_raw_disks',
]);

/** One ACL of list N: its subjects (`principals`) and its objects under the list's own field name. */
export type AclEntry<N extends AclListName> = { readonly principals: Entity } & {
  readonly [F in (typeof aclObjectFields)[N]]: Entity;
};

/** Every list berth enforces, each in the order given (empty when not given). */
export type AclLists = { readonly [N in AclListName]: readonly AclEntry<N>[] };

export type Acls = AclLists & {
  /** The decision when no ACL of the action matches (default true). */
  readonly permissive: boolean;
  /** Lists given that berth accepts but does not enforce, by name; each list's entries in the order given. */
  readonly unenforced: ReadonlyMap<string, readonly Readonly<Record<string, Entity>>[]>;
};

const entityTypes = ['SOME', 'ANY', 'NONE'] as const;

const entitySchema = z
  .strictObject({ type: requiredEnum(entityTypes).optional(), values: z.array(z.string()).optional() })
  .transform((entity): Entity => {
    if (entity.type === 'ANY' || entity.type === 'NONE') return { type: entity.type };
    return { type: 'SOME', values: entity.values ?? [] };
  });

function listSchema(objectField: string) {
  return z.array(z.strictObject({ principals: entitySchema, [objectField]: entitySchema })).optional();
}

/** An unenforced list: entries whose every field is an entity, `principals` among them. */
const unenforcedListSchema = z.array(z.object({ principals: entitySchema }).catchall(entitySchema)).optional();

const aclsSchema = z.object({
  permissive: bool.optional(),
  ...Object.fromEntries(aclListNames.map((name) => [name, listSchema(aclObjectFields[name])])),
  ...Object.fromEntries([...unenforcedListNames].map((name) => [name, unenforcedListSchema])),
});

/** Parses the ACLs JSON text. Errors are one line naming the field and the rule. */
export function parseAcls(text: string): Result<Acls, string> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return err(`Invalid JSON: ${(error as Error).message}`);
  }
  return parseAclsValue(json);
}

export function parseAclsValue(json: unknown): Result<Acls, string> {
  if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
    const known = new Set<string>(['permissive', ...aclListNames, ...unenforcedListNames]);
    const unknown = Object.keys(json).find((key) => !known.has(key));
    if (unknown !== undefined) return err(`Failed to convert JSON into ACLs protobuf: unknown ACL list '${unknown}'`);
  }
  const decoded = decodeValue(aclsSchema, json, 'ACLs');
  if (!decoded.ok) return decoded;
  const value = decoded.value as Record<string, unknown>;
  // The schema checked every list of the table: entries holding `principals`
  // and that list's object field, each an Entity, which is what AclEntry declares.
  const lists = perAclList((name) => value[name] ?? []) as unknown as AclLists;
  const unenforced = new Map<string, readonly Readonly<Record<string, Entity>>[]>();
  for (const key of Object.keys(value)) {
    const entries = value[key];
    if (unenforcedListNames.has(key) && Array.isArray(entries)) unenforced.set(key, entries);
  }
  return ok({ ...lists, permissive: decoded.value.permissive ?? true, unenforced });
}

/**
 * The flag's parser: inline JSON, or (deprecated in Mesos, still honoured
 * there) an absolute path to a file holding it. `file://` was resolved earlier.
 */
export function parseAclsFlag(text: string, readFile: (path: string) => string): Result<Acls, string> {
  if (!text.startsWith('/')) return parseAcls(text);
  let contents: string;
  try {
    contents = readFile(text);
  } catch (error) {
    return err(`Error reading file '${text}': ${(error as Error).message}`);
  }
  return parseAcls(contents);
}

function entityJson(entity: Entity): unknown {
  return entity.type === 'SOME' ? { values: entity.values } : { type: entity.type };
}

/** The ACLs as JSON in Mesos' field names, for `/master/flags`; parses back to an equal model. */
export function formatAcls(acls: Acls): string {
  const out: Record<string, unknown> = { permissive: acls.permissive };
  const lists: [string, readonly Readonly<Record<string, Entity>>[]][] = [
    ...aclListNames.map((name): [string, readonly Readonly<Record<string, Entity>>[]] => [name, acls[name]]),
    ...acls.unenforced,
  ];
  for (const [name, entries] of lists) {
    if (entries.length === 0) continue;
    out[name] = entries.map((entry) => Object.fromEntries(Object.entries(entry).map(([field, entity]) => [field, entityJson(entity)])));
  }
  return JSON.stringify(out);
}
