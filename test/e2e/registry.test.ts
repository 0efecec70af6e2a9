/**
 * The master's registry (spec/core.md 5.2, 5.3) with real processes: a
 * master restarted on the same work directory knows which agents to expect,
 * takes back the one that returns, marks the one that does not unreachable
 * after --agent_reregister_timeout, and keeps the weights an operator set. A
 * registry file that is not a database stops the master's start with one
 * line, and is left untouched (a newer format: src/master/registry tests).
 *
 * Method: one master (--agent_reregister_timeout=2secs) and two agents; the
 * second agent is stopped before the master restarts. The bad files are made
 * in a fresh work directory for a master run as a child process.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshTestDir, runBerth, stderrLines } from '../support/berth-cli.js';
import { fetchJson, freePort, startAgent, startMaster, useCluster, waitFor } from '../support/cluster.js';
import { fastAgentFlags, fastMasterFlags, metric, waitForActiveAgents } from './helpers.js';
import { postOperator } from './operator-storage-helpers.js';

useCluster();

describe('master: the registry across a restart', () => {
  it('expects its agents: takes back the one that returns, marks the missing one unreachable; keeps the weights', async () => {
    // A fixed port: the agents link to the restarted master where they knew it.
    const master = await startMaster({ flags: [...fastMasterFlags, '--agent_reregister_timeout=2secs', `--port=${await freePort()}`] });
    await startAgent(master.url, { flags: fastAgentFlags });
    const leaving = await startAgent(master.url, { flags: fastAgentFlags });
    await waitForActiveAgents(master.url, 2);
    expect((await postOperator(master.url, { type: 'UPDATE_WEIGHTS', update_weights: { weight_infos: [{ role: 'eng', weight: 2.5 }] } })).status).toBe(200);
    await leaving.stop();
    const restarted = await master.restart();
    await waitForActiveAgents(restarted.url, 1);
    await waitFor(async () => (await metric(restarted.url, 'master/slaves_unreachable')) === 1, {
      message: 'the agent that did not come back marked unreachable after 2 s',
      timeoutMs: 15_000,
    });
    const state = await fetchJson<{ unreachable_slaves: number; activated_slaves: number }>(`${restarted.url}/master/state`);
    expect(state).toMatchObject({ unreachable_slaves: 1, activated_slaves: 1 });
    const weights = await postOperator(restarted.url, { type: 'GET_WEIGHTS' });
    expect(weights.json()).toMatchObject({ get_weights: { weight_infos: [{ role: 'eng', weight: 2.5 }] } });
  }, 60_000);

  it('refuses to start on a registry file that is not an SQLite database, with one line, leaving it untouched', async () => {
    const corrupt = freshTestDir('registry-corrupt-');
    const garbage = Buffer.from('this is not an SQLite database '.repeat(100));
    writeFileSync(join(corrupt, 'registry.sqlite'), garbage);
    const run = await runBerth(['master', '--ip=127.0.0.1', '--port=0', `--work_dir=${corrupt}`], 15_000);
    expect(run.status).toBe(1);
    expect(run.stdout).not.toMatch(/listening/);
    expect(stderrLines(run), run.stderr).toEqual([`Cannot read the registry ${join(corrupt, 'registry.sqlite')}: file is not a database`]);
    expect(readFileSync(join(corrupt, 'registry.sqlite')).equals(garbage)).toBe(true);
  }, 30_000);
});
