/**
 * The form bodies of the legacy storage endpoints (spec/storage.md 5.1 steps
 * 4-7): /master/reserve, /master/unreserve, /master/create-volumes and
 * /master/destroy-volumes take `slaveId=<id>&resources=<JSON array>` (or
 * `volumes=`) as a query string in the body. Pure: the body text in, the
 * equivalent v1 operator call out, or the 400 text of the first check that
 * fails, with Mesos' exact wording (each endpoint words step 7 its own way).
 * Everything after step 7 (unknown agent, resource and operation validation,
 * authorization, containment) is the core's, exactly as for the v1 call.
 */
import { decodeValue } from '../../protocol/decode.js';
import { Resource, type WireResourceJson } from '../../protocol/mesos.js';
import type { OperatorCall } from '../../protocol/operator.js';
import { err, ok, type Result } from '../../lib/result.js';

export const legacyStorageEndpoints = ['reserve', 'unreserve', 'create-volumes', 'destroy-volumes'] as const;
export type LegacyStorageEndpoint = (typeof legacyStorageEndpoints)[number];

/**
 * libprocess' query::decode: pairs split at '&' and ';' (empty pieces
 * skipped), a key without '=' has the empty value, a later key replaces an
 * earlier one, '+' is a space, and a '%' not followed by two hex digits is an
 * error. Escapes decode to bytes, which are read back as UTF-8.
 */
export function decodeQueryString(query: string): Result<Map<string, string>, string> {
  const values = new Map<string, string>();
  for (const token of query.split(/[;&]/)) {
    if (token === '') continue;
    const equals = token.indexOf('=');
    const key = percentDecode(equals === -1 ? token : token.slice(0, equals));
    if (!key.ok) return key;
    const value = percentDecode(equals === -1 ? '' : token.slice(equals + 1));
    if (!value.ok) return value;
    values.set(key.value, value.value);
  }
  return ok(values);
}

function percentDecode(text: string): Result<string, string> {
  // A valid escape takes exactly three characters and none of them is '%', so
  // the first '%' without two hex digits after it is the one a scan stops at.
  const malformed = /%(?![0-9A-Fa-f]{2})/.exec(text);
  if (malformed !== null) return err(`Malformed % escape in '${text}': '${text.slice(malformed.index, malformed.index + 3)}'`);
  const plain = (piece: string): Buffer => Buffer.from(piece.replace(/\+/g, ' '), 'utf8');
  const parts: Buffer[] = [];
  let last = 0;
  for (const escape of text.matchAll(/%[0-9A-Fa-f]{2}/g)) {
    parts.push(plain(text.slice(last, escape.index)), Buffer.from([Number.parseInt(escape[0].slice(1), 16)]));
    last = escape.index + 3;
  }
  parts.push(plain(text.slice(last)));
  return ok(Buffer.concat(parts).toString('utf8'));
}

/** The v1 call a legacy form asks for, or the 400 body of steps 4-7. */
export function legacyStorageCall(endpoint: LegacyStorageEndpoint, body: string): Result<OperatorCall, string> {
  const decoded = decodeQueryString(body);
  if (!decoded.ok) return err(`Unable to decode query string: ${decoded.error}`);
  const values = decoded.value;
  const slaveId = values.get('slaveId');
  if (slaveId === undefined) return err("Missing 'slaveId' query parameter in the request body");
  const agent_id = { value: slaveId };
  switch (endpoint) {
    case 'reserve': {
      // Reserve words its parse errors "Error parsing", the others "Error in parsing".
      const resources = resourceList(values, 'resources', 'Error parsing');
      if (!resources.ok) return resources;
      const source = values.has('source') ? resourceList(values, 'source', 'Error parsing') : ok([]);
      if (!source.ok) return source;
      // An empty `source` is an absent one, as for a repeated protobuf field.
      const withSource = source.value.length > 0 ? { source: source.value } : {};
      return ok({ type: 'RESERVE_RESOURCES', reserve_resources: { agent_id, resources: resources.value, ...withSource } });
    }
    case 'unreserve': {
      const resources = resourceList(values, 'resources', 'Error in parsing');
      return resources.ok ? ok({ type: 'UNRESERVE_RESOURCES', unreserve_resources: { agent_id, resources: resources.value } }) : resources;
    }
    case 'create-volumes': {
      const volumes = resourceList(values, 'volumes', 'Error in parsing');
      return volumes.ok ? ok({ type: 'CREATE_VOLUMES', create_volumes: { agent_id, volumes: volumes.value } }) : volumes;
    }
    case 'destroy-volumes': {
      const volumes = resourceList(values, 'volumes', 'Error in parsing');
      return volumes.ok ? ok({ type: 'DESTROY_VOLUMES', destroy_volumes: { agent_id, volumes: volumes.value } }) : volumes;
    }
  }
}

/**
 * Steps 6 and 7 for one parameter: present, a JSON array, and every element a
 * Resource message (shape only; the rules of spec 1.3 are the core's step 9).
 */
function resourceList(values: ReadonlyMap<string, string>, key: string, verb: string): Result<WireResourceJson[], string> {
  const text = values.get(key);
  if (text === undefined) return err(`Missing '${key}' query parameter in the request body`);
  const prefix = `${verb} '${key}' query parameter in the request body: `;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return err(prefix + (error as Error).message);
  }
  // stout's JSON::parse<JSON::Array> wording.
  if (!Array.isArray(json)) return err(`${prefix}Unexpected JSON type parsed`);
  const resources: WireResourceJson[] = [];
  for (const element of json) {
    const resource = decodeValue(Resource, element, 'Resource');
    if (!resource.ok) return err(prefix + resource.error);
    resources.push(resource.value);
  }
  return ok(resources);
}
