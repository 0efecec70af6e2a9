/**
 * The registry operations both stores' tests apply: every kind, including
 * ones that undo or build on earlier ones, with names that are not valid
 * znode names as they are (an agent id with '/' and '..', roles '.', '..'
 * and hierarchical ones, machines with only a hostname or only an ip).
 */
import type { MachineId, MaintenanceWindow, RegistryOperation } from '../registry.js';

export const agent = (n: number) => ({ hostname: `host${n}`, ip: '10.0.0.1', port: 5050 + n });

export const window = (start: number, ...machines: MachineId[]): MaintenanceWindow => ({
  machine_ids: machines,
  unavailability: { start: { nanoseconds: start }, duration: { nanoseconds: 3_600_000_000_000 } },
});

export const operations: RegistryOperation[] = [
  ...[1, 2, 3, 4, 5, 6, 7].map((n): RegistryOperation => ({ type: 'admit_agent', agentId: `S${n}`, agent: agent(n) })),
  { type: 'admit_agent', agentId: 'a/b .. c', agent: agent(10) },
  { type: 'mark_agent_unreachable', agentId: 'S2', hostname: 'host2', unreachableTimeMs: 1_000 },
  { type: 'mark_agent_gone', agentId: 'S3', goneTimeMs: 2_000 },
  { type: 'remove_agent', agentId: 'S4' },
  { type: 'update_weights', weights: new Map([['eng', 2.5], ['eng/db', 0.5], ['.', 1.5], ['..', 1.25]]) },
  { type: 'update_weights', weights: new Map([['eng', 3]]) },
  { type: 'update_quota', role: 'eng', quota: { role: 'eng', guarantees: { cpus: { value: 1 } } } },
  { type: 'update_quota', role: 'eng/db/primary', quota: { role: 'eng/db/primary', limits: { disk: { value: 1024 } } } },
  { type: 'update_quota', role: 'ops', quota: { role: 'ops' } },
  { type: 'update_quota', role: 'ops', quota: undefined },
  { type: 'deactivate_agent', agentId: 'S1' },
  { type: 'deactivate_agent', agentId: 'S2' },
  { type: 'reactivate_agent', agentId: 'S2' },
  { type: 'drain_agent', agentId: 'S5', drain: { state: 'DRAINING', maxGracePeriodMs: 30_000, markGone: false } },
  { type: 'mark_agent_drained', agentId: 'S5' },
  { type: 'drain_agent', agentId: 'S6', drain: { state: 'DRAINING', markGone: true } },
  { type: 'drain_agent', agentId: 'S7', drain: { state: 'DRAINING', markGone: false } },
  { type: 'reactivate_agent', agentId: 'S7' },
  { type: 'drain_agent', agentId: 'S8', drain: { state: 'DRAINING', markGone: false } },
  { type: 'mark_agent_gone', agentId: 'S8', goneTimeMs: 3_000 },
  { type: 'update_maintenance_schedule', windows: [window(1.7e18, { hostname: 'host1', ip: '10.0.0.1' }, { hostname: 'host2' }), window(1.8e18, { ip: '10.0.0.9' })] },
  { type: 'start_maintenance', machines: [{ hostname: 'host2' }, { ip: '10.0.0.9' }, { hostname: 'host9', ip: '10.0.0.9' }] },
  { type: 'stop_maintenance', machines: [{ hostname: 'host2' }] },
  { type: 'start_maintenance', machines: [{ hostname: 'host2' }] },
];
