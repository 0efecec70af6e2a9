// Method: the form bodies of the legacy storage endpoints as curl sends them
// (`-d key=value` pieces joined with '&', nothing escaped), and the 400 texts
// of spec/storage.md 5.1 steps 4-7 checked word for word against Mesos'
// master/http.cpp and libprocess' query::decode.
import { describe, expect, it } from 'vitest';
import { decodeQueryString, legacyStorageCall } from './storage-form.js';

const cpus = '{"name":"cpus","type":"SCALAR","scalar":{"value":1},"role":"eng","reservation":{"principal":"ops"}}';

describe('master: legacy storage forms', () => {
  it('master: legacy storage forms: the query string splits at & and ;, + is a space, escapes are UTF-8 bytes', () => {
    const decoded = decodeQueryString('a=1&b=x+y;c&&d=%E2%82%AC%3D&a=2');
    expect(decoded.ok && [...decoded.value]).toEqual([
      ['a', '2'],
      ['b', 'x y'],
      ['c', ''],
      ['d', '€='],
    ]);
  });

  it('master: legacy storage forms: a bad % escape is refused with the piece it is in', () => {
    expect(legacyStorageCall('reserve', 'slaveId=S0&resources=%zz')).toEqual({
      ok: false,
      error: "Unable to decode query string: Malformed % escape in '%zz': '%zz'",
    });
    expect(decodeQueryString('k=ab%4')).toEqual({ ok: false, error: "Malformed % escape in 'ab%4': '%4'" });
  });

  it('master: legacy storage forms: slaveId is looked for before the resources', () => {
    expect(legacyStorageCall('create-volumes', 'volumes=[]')).toEqual({ ok: false, error: "Missing 'slaveId' query parameter in the request body" });
    expect(legacyStorageCall('unreserve', 'slaveId=S0')).toEqual({ ok: false, error: "Missing 'resources' query parameter in the request body" });
    expect(legacyStorageCall('destroy-volumes', 'slaveId=S0&resources=[]')).toEqual({ ok: false, error: "Missing 'volumes' query parameter in the request body" });
  });

  it.each([
    ['reserve', 'resources', "Error parsing 'resources' query parameter in the request body: "],
    ['unreserve', 'resources', "Error in parsing 'resources' query parameter in the request body: "],
    ['create-volumes', 'volumes', "Error in parsing 'volumes' query parameter in the request body: "],
    ['destroy-volumes', 'volumes', "Error in parsing 'volumes' query parameter in the request body: "],
  ] as const)('master: legacy storage forms: %s words its parse errors as Mesos', (endpoint, key, prefix) => {
    for (const bad of ['[{"name":', '{"name":"cpus"}', '[{"type":"SCALAR"}]', '[{"name":"cpus","type":"SCALAR","scalar":"lots"}]']) {
      const parsed = legacyStorageCall(endpoint, `slaveId=S0&${key}=${bad}`);
      expect(parsed.ok, bad).toBe(false);
      if (!parsed.ok) expect(parsed.error.startsWith(prefix), parsed.error).toBe(true);
    }
    const notArray = legacyStorageCall(endpoint, `slaveId=S0&${key}={}`);
    expect(notArray).toEqual({ ok: false, error: `${prefix}Unexpected JSON type parsed` });
  });

  it('master: legacy storage forms: each endpoint becomes its v1 call, resources as sent', () => {
    const resources = [JSON.parse(cpus) as unknown];
    expect(legacyStorageCall('reserve', `slaveId=S0&resources=[${cpus}]`)).toEqual({
      ok: true,
      value: { type: 'RESERVE_RESOURCES', reserve_resources: { agent_id: { value: 'S0' }, resources } },
    });
    expect(legacyStorageCall('unreserve', `slaveId=S0&resources=[${cpus}]`)).toEqual({
      ok: true,
      value: { type: 'UNRESERVE_RESOURCES', unreserve_resources: { agent_id: { value: 'S0' }, resources } },
    });
    expect(legacyStorageCall('create-volumes', `slaveId=S0&volumes=[${cpus}]`)).toEqual({
      ok: true,
      value: { type: 'CREATE_VOLUMES', create_volumes: { agent_id: { value: 'S0' }, volumes: resources } },
    });
    expect(legacyStorageCall('destroy-volumes', `slaveId=S0&volumes=[${cpus}]`)).toEqual({
      ok: true,
      value: { type: 'DESTROY_VOLUMES', destroy_volumes: { agent_id: { value: 'S0' }, volumes: resources } },
    });
  });

  it('master: legacy storage forms: reserve takes an optional source, checked after the resources; an empty one is none', () => {
    const withSource = legacyStorageCall('reserve', `slaveId=S0&resources=[${cpus}]&source=[${cpus}]`);
    expect(withSource.ok && withSource.value.reserve_resources?.source).toHaveLength(1);
    const empty = legacyStorageCall('reserve', `slaveId=S0&resources=[${cpus}]&source=[]`);
    expect(empty.ok && empty.value.reserve_resources).not.toHaveProperty('source');
    expect(legacyStorageCall('reserve', 'slaveId=S0&source=[]&resources=x')).toMatchObject({ ok: false, error: expect.stringContaining("'resources'") });
    expect(legacyStorageCall('reserve', `slaveId=S0&resources=[${cpus}]&source=x`)).toMatchObject({ ok: false, error: expect.stringContaining("Error parsing 'source'") });
  });
});
