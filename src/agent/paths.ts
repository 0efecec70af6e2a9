/**
 * The agent's on-disk layout, in one place (Mesos' src/slave/paths.hpp):
 *
 *   <work_dir>/
 *     meta/
 *       boot_id                                  host boot id at the last start
 *       slaves/
 *         latest -> <agent_id>                   the id to re-register with
 *         <agent_id>/slave.info                  AgentInfo (JSON, with a format version)
 *     slaves/<agent_id>/frameworks/<fw>/executors/<ex>/runs/<container>/   sandboxes
 *
 * Checkpointed resources, volumes and task checkpoints join this tree as the
 * features that write them arrive. Every record carries a format version.
 */
import { join } from 'node:path';

export const checkpointFormatVersion = 1;

export function metaDir(workDir: string): string {
  return join(workDir, 'meta');
}

export function bootIdPath(workDir: string): string {
  return join(metaDir(workDir), 'boot_id');
}

export function agentsMetaDir(workDir: string): string {
  return join(metaDir(workDir), 'slaves');
}

export function latestAgentLink(workDir: string): string {
  return join(agentsMetaDir(workDir), 'latest');
}

export function agentMetaDir(workDir: string, agentId: string): string {
  return join(agentsMetaDir(workDir), agentId);
}

export function agentInfoPath(workDir: string, agentId: string): string {
  return join(agentMetaDir(workDir, agentId), 'slave.info');
}
