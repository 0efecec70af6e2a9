/**
 * The MasterInfo this master advertises (spec/core.md 5.1): its id, address,
 * hostname and libprocess-style pid. `ip` is also packed into a uint32 in
 * network byte order read as a host integer, as Mesos does for old clients.
 */
import type { WireMasterInfo } from '../../protocol/outputs.js';

/**
 * berth speaks the Mesos 1.11 APIs; clients that branch on the master's version
 * see that. berth's own version is in /version as `berth_version`.
 */
export const mesosApiVersion = '1.11.0';

export function masterInfo(id: string, ip: string, port: number, hostname: string): WireMasterInfo {
  return {
    id,
    ip: packIpv4(ip),
    port,
    pid: `master@${ip}:${port}`,
    hostname,
    version: mesosApiVersion,
    address: { hostname, ip, port },
    capabilities: [{ type: 'AGENT_UPDATE' }, { type: 'AGENT_DRAINING' }, { type: 'QUOTA_V2' }],
  };
}

/** 10.0.0.1 -> the uint32 whose little-endian bytes are 10,0,0,1. */
export function packIpv4(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return 0;
  const [a, b, c, d] = parts as [number, number, number, number];
  return ((d << 24) | (c << 16) | (b << 8) | a) >>> 0;
}
