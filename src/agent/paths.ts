/**
 * The agent's on-disk layout, in one place (Mesos' src/slave/paths.hpp):
 *
 *   <work_dir>/
 *     meta/
 *       boot_id                                  host boot id at the last start
 *       slaves/
 *         latest -> <agent_id>                   the id to re-register with
 *         <agent_id>/slave.info                  AgentInfo (JSON, with a format version)
 *         <agent_id>/journal                     checkpoint journal: frameworks, executors, tasks, updates
 *         <agent_id>/frameworks/<fw>/executors/<ex>/runs/<container>/
 *                                                the run's supervisor files (pids, exit_status)
 *       resources/resources.journal              checkpointed resources (dynamic reservations,
 *                                                volumes) and unacknowledged operation reports, as a
 *                                                journal of changes; outside slaves/ so they outlive
 *                                                an id change
 *     slaves/<agent_id>/frameworks/<fw>/executors/<ex>/runs/<container>/   sandboxes
 *     volumes/roles/<role'>/<persistence_id>/    persistent volumes on the ROOT disk
 *     fetch_cache/                               the fetcher's cache
 *
 *   <PATH disk root>/volumes/roles/<role'>/<persistence_id>/   persistent volumes on a PATH disk
 *   <MOUNT disk root>/                                          the persistent volume of a MOUNT disk
 *
 * role' is the role with every `/` made a space, so that hierarchical roles
 * stay one directory level (spec/storage.md 3.1; volumes/volume-path.ts).
 * Every record carries a format version.
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

export function journalPath(workDir: string, agentId: string): string {
  return join(agentMetaDir(workDir, agentId), 'journal');
}

/** Where a container's supervisor keeps its pids and exit status (survives the agent). */
export function runMetaDir(workDir: string, agentId: string, frameworkId: string, executorId: string, containerId: string): string {
  return join(agentMetaDir(workDir, agentId), 'frameworks', frameworkId, 'executors', executorId, 'runs', containerId);
}

/** The sandbox, laid out as Mesos lays it out. */
export function sandboxPath(workDir: string, agentId: string, frameworkId: string, executorId: string, containerId: string): string {
  return join(workDir, 'slaves', agentId, 'frameworks', frameworkId, 'executors', executorId, 'runs', containerId);
}

/** Mesos' virtual path of an executor's latest run, as /files shows it. */
export function latestRunVirtualPath(frameworkId: string, executorId: string): string {
  return `/frameworks/${frameworkId}/executors/${executorId}/runs/latest`;
}

export function fetchCacheDir(workDir: string): string {
  return join(workDir, 'fetch_cache');
}

/** The files the task supervisor (native/supervisor.c) keeps in a container's run directory. */
export interface ContainerRunFiles {
  /** "<pid> <start time>": the supervisor; the start time (field 22 of /proc/<pid>/stat) tells it from a recycled pid. */
  readonly supervisorPid: string;
  /** "<pid> <start time>": the command, which leads its own process group. */
  readonly taskPid: string;
  /** "berth-exit-status 1 exited <code>" or "berth-exit-status 1 signaled <signal>", written durably when the container ends. */
  readonly exitStatus: string;
}

export function containerRunFiles(runDirectory: string): ContainerRunFiles {
  return {
    supervisorPid: join(runDirectory, 'supervisor.pid'),
    taskPid: join(runDirectory, 'task.pid'),
    exitStatus: join(runDirectory, 'exit_status'),
  };
}

/** The task's standard output in its sandbox (appended to, so copy-truncate rotation works). */
export function sandboxStdoutPath(sandbox: string): string {
  return join(sandbox, 'stdout');
}

export function sandboxStderrPath(sandbox: string): string {
  return join(sandbox, 'stderr');
}

export function resourcesJournalPath(workDir: string): string {
  return join(metaDir(workDir), 'resources', 'resources.journal');
}

/** Where berth before the resources journal kept the whole set (read once, to move it into the journal). */
export function legacyResourcesPaths(workDir: string): { readonly state: string; readonly target: string } {
  return { state: join(metaDir(workDir), 'resources', 'resources.state'), target: join(metaDir(workDir), 'resources', 'resources.target') };
}
