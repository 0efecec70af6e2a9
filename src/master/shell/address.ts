/** Picking the address a process advertises when it listens on all interfaces. */
import { hostname as osHostname, networkInterfaces } from 'node:os';

export function advertisedIp(configured: string | undefined, boundHost: string): string {
  if (configured !== undefined) return configured;
  if (boundHost !== '0.0.0.0' && boundHost !== '::') return boundHost;
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return '127.0.0.1';
}

export function advertisedHostname(configured: string | undefined, lookup: boolean, ip: string): string {
  if (configured !== undefined) return configured;
  return lookup ? osHostname() : ip;
}
