/**
 * Method: the unmodified npm package mesos-framework@0.5.3 (CommonJS, loaded
 * with createRequire) runs in this process against a real master, exactly as a
 * user would configure it: masterUrl, port, a framework name, no tasks, its
 * logs under the test root. The test counts the SUBSCRIBE requests it makes
 * (its `sent_subscribe` event fires once per 200 answer) and the master's
 * register/re-register counters. The 60 s wait is the point of the first test,
 * and it is driven by events: it ends once the framework has received the
 * heartbeats that 60 s bring (one at once, then one every 5 s, the default
 * --heartbeat_interval, below the package's 10 s idle timeout).
 */
import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync } from 'node:fs';
import type { ClientRequest } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startAgent, startMaster, useCluster, waitFor } from '../support/cluster.js';
import { testRoot } from '../support/test-root.js';
import { fastAgentFlags, fastMasterFlags, legacyFrameworks, metric, waitForActiveAgents } from './helpers.js';

useCluster();

interface MesosFrameworkScheduler extends EventEmitter {
  frameworkId: string | null;
  mesosStreamId: string | null;
  httpRequest: ClientRequest;
  subscribe(): void;
}

interface SchedulerOptions {
  masterUrl: string;
  port: number;
  frameworkName: string;
  logging: { path: string; fileName: string; level: string };
  tasks?: Record<string, unknown>;
  restartStates?: string[];
}

interface OfferEvent {
  offers: { id: { value: string }; agent_id: { value: string } }[];
}

const require = createRequire(import.meta.url);
const { Scheduler, Mesos } = require('mesos-framework') as {
  Scheduler: new (options: SchedulerOptions) => MesosFrameworkScheduler;
  Mesos: { getMesos(): { CommandInfo: new (...args: unknown[]) => unknown } };
};

/** What a scheduler did, as its events tell. */
interface Observed {
  subscribeRequests: number;
  subscribed: string[];
  heartbeats: number;
  offers: OfferEvent[];
  declines: number;
  errors: string[];
  updates: { state: string; taskId: string }[];
}

const schedulers: MesosFrameworkScheduler[] = [];

/** Stops the package's stream for good: it re-subscribes on a clean end, but not on a destroyed socket. */
afterEach(() => {
  for (const scheduler of schedulers.splice(0)) {
    scheduler.removeAllListeners();
    scheduler.on('error', () => undefined);
    scheduler.httpRequest.destroy();
  }
});

async function startScheduler(
  masterUrl: string,
  name: string,
  extra: Pick<SchedulerOptions, 'tasks' | 'restartStates'> = {},
): Promise<{ scheduler: MesosFrameworkScheduler; observed: Observed }> {
  mkdirSync(testRoot(), { recursive: true });
  const logDir = mkdtempSync(join(testRoot(), 'mesos-framework-logs-'));
  const url = new URL(masterUrl);
  const scheduler = new Scheduler({
    masterUrl: url.hostname,
    port: Number(url.port),
    frameworkName: name,
    logging: { path: logDir, fileName: 'mesos-framework.log', level: 'error' },
    ...extra,
  });
  schedulers.push(scheduler);
  const observed: Observed = { subscribeRequests: 0, subscribed: [], heartbeats: 0, offers: [], declines: 0, errors: [], updates: [] };
  scheduler.on('sent_subscribe', () => (observed.subscribeRequests += 1));
  scheduler.on('subscribed', (event: { frameworkId: string }) => observed.subscribed.push(event.frameworkId));
  scheduler.on('heartbeat', () => (observed.heartbeats += 1));
  scheduler.on('offers', (event: OfferEvent) => observed.offers.push(event));
  scheduler.on('sent_decline', () => (observed.declines += 1));
  scheduler.on('update', (event: { status: { state: string; task_id: { value: string } } }) => {
    observed.updates.push({ state: event.status.state, taskId: event.status.task_id.value });
  });
  scheduler.on('error', (error: unknown) => observed.errors.push(error instanceof Error ? error.message : JSON.stringify(error)));
  await new Promise<void>((resolve) => scheduler.once('ready', () => resolve()));
  scheduler.subscribe();
  await waitFor(() => observed.subscribed.length > 0 || observed.errors.length > 0, { message: 'SUBSCRIBED or an error from mesos-framework' });
  expect(observed.errors, 'errors reported by mesos-framework').toEqual([]);
  return { scheduler, observed };
}

describe('mesos-framework@0.5.3: an unmodified npm framework', () => {
  it('subscribes with no agent, and after 60 s is still subscribed, having sent exactly one SUBSCRIBE', { timeout: 120_000 }, async () => {
    const master = await startMaster();
    const { scheduler, observed } = await startScheduler(master.url, 'e2e-mesos-framework-idle');
    const streamId = scheduler.mesosStreamId;
    const startedMs = Date.now();

    // One heartbeat at once, then one every 5 s: 13 heartbeats span 60 s.
    await waitFor(() => observed.heartbeats >= 13 || observed.errors.length > 0 || observed.subscribeRequests > 1, {
      message: '60 s of heartbeats at mesos-framework',
      timeoutMs: 75_000,
      intervalMs: 500,
    });

    expect(observed.errors, 'errors reported by mesos-framework').toEqual([]);
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(59_000);
    expect(observed.subscribeRequests).toBe(1);
    expect(observed.subscribed).toEqual([scheduler.frameworkId]);
    expect(scheduler.mesosStreamId).toBe(streamId);
    const { frameworks } = await legacyFrameworks(master.url);
    expect(frameworks).toHaveLength(1);
    expect(frameworks[0]).toMatchObject({ id: scheduler.frameworkId, name: 'e2e-mesos-framework-idle', connected: true, active: true });
    expect(await metric(master.url, 'master/messages_register_framework')).toBe(1);
    expect(await metric(master.url, 'master/messages_reregister_framework')).toBe(0);
  });

  it('with an agent registered first, it receives offers for that agent and declines them (no tasks) with 202', async () => {
    const master = await startMaster({ flags: fastMasterFlags });
    await startAgent(master.url, { flags: fastAgentFlags });
    const [agent] = await waitForActiveAgents(master.url, 1);

    const { scheduler, observed } = await startScheduler(master.url, 'e2e-mesos-framework-offers');
    await waitFor(() => observed.declines > 0 || observed.errors.length > 0, { message: 'an offer declined by mesos-framework' });

    expect(observed.errors, 'errors reported by mesos-framework').toEqual([]);
    expect(observed.offers[0]?.offers.map((offer) => offer.agent_id.value)).toEqual([agent?.id]);
    expect(observed.subscribeRequests).toBe(1);
    const declined = await metric(master.url, `master/frameworks/e2e-mesos-framework-offers/${scheduler.frameworkId}/offers/declined`);
    expect(declined).toBeGreaterThanOrEqual(1);
  });

  it('runs a command task to TASK_FINISHED, acknowledging its updates', async () => {
    const master = await startMaster({ flags: fastMasterFlags });
    await startAgent(master.url, { flags: fastAgentFlags });
    await waitForActiveAgents(master.url, 1);
    const commandInfo = new (Mesos.getMesos().CommandInfo)(null, null, true, 'echo from-mesos-framework', null, null);
    const { scheduler, observed } = await startScheduler(master.url, 'e2e-mesos-framework-task', {
      restartStates: [],
      tasks: { echo: { priority: 1, instances: 1, commandInfo, resources: { cpus: 0.1, mem: 32, ports: 0, disk: 0 } } },
    });
    const updates = observed.updates;
    await waitFor(() => updates.some((u) => u.state === 'TASK_FINISHED') || observed.errors.length > 0, {
      message: 'TASK_FINISHED at mesos-framework',
      timeoutMs: 20_000,
    });

    expect(observed.errors, 'errors reported by mesos-framework').toEqual([]);
    expect(updates.map((u) => u.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
    const taskId = updates[0]?.taskId ?? '';
    // Acknowledged: the master moves the task to the completed ones.
    await waitFor(
      async () => {
        const { frameworks } = await legacyFrameworks(master.url);
        const framework = frameworks.find((f) => f.id === scheduler.frameworkId) as { completed_tasks?: { id: string; state: string }[] } | undefined;
        return framework?.completed_tasks?.some((t) => t.id === taskId && t.state === 'TASK_FINISHED');
      },
      { message: 'the task among the completed ones' },
    );
  });
});
