/**
 * The agent's identity on disk: the id it registered with, so that a restarted
 * agent re-registers with the same id (spec/core.md 5.5).
 */
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { basename } from 'node:path';
import { symlinkAtomic, writeFileAtomic } from '../../lib/durable-file.js';
import { err, ok, type Result } from '../../lib/result.js';
import { agentInfoPath, agentMetaDir, checkpointFormatVersion, latestAgentLink } from '../paths.js';

/** The agent id recorded by the last run, if any; an unreadable record is an error, not a silent reset. */
export function recoverAgentId(workDir: string): Result<string | undefined> {
  const link = latestAgentLink(workDir);
  if (!existsSync(link)) return ok(undefined);
  let agentId: string;
  try {
    agentId = basename(readlinkSync(link));
  } catch (error) {
    return err(`Failed to read ${link}: ${(error as Error).message}`);
  }
  const infoPath = agentInfoPath(workDir, agentId);
  try {
    const record = JSON.parse(readFileSync(infoPath, 'utf8')) as { format_version?: unknown };
    if (record.format_version !== checkpointFormatVersion) {
      return err(`${infoPath} has format version ${String(record.format_version)}; this agent reads version ${checkpointFormatVersion}`);
    }
  } catch (error) {
    return err(`Failed to read ${infoPath}: ${(error as Error).message}`);
  }
  return ok(agentId);
}

export function persistAgentId(workDir: string, agentId: string, agentInfo: object): void {
  writeFileAtomic(agentInfoPath(workDir, agentId), JSON.stringify({ format_version: checkpointFormatVersion, agent_info: agentInfo }));
  symlinkAtomic(agentMetaDir(workDir, agentId), latestAgentLink(workDir));
}
