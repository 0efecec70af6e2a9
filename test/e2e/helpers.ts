/**
 * Small helpers shared by the end-to-end tests: the agent flags every file uses,
 * framework infos, raw scheduler calls, metrics, and waits on observable
 * events (allocation runs, agent registration) instead of blind sleeps.
 *
 * Nothing here hides an assertion: helpers fetch and wait; tests assert.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, expect } from 'vitest';
import type { FrameworkInfo } from '../../src/protocol/mesos.js';
import type { WireOffer } from '../../src/protocol/outputs.js';
import type { SchedulerEvent, SchedulerEventType } from '../../src/protocol/scheduler.js';
import { createHttpTransport, subscribe, type SchedulerSession, type Transport } from '../../src/sdk/index.js';
import { EventTimeoutError } from '../../src/sdk/index.js';
import { fetchJson, waitFor } from '../support/cluster.js';
import { rawRequest, type RawHeaders, type RawResponse } from '../support/http.js';

/** The agent of spec/core.md 9 ("one agent cpus:2;mem:1024;disk:1024;ports:[31000-32000]"), registering fast. */
export const agentResources = 'cpus:2;mem:1024;disk:1024;ports:[31000-32000]';
export const fastAgentFlags: readonly string[] = ['--registration_backoff_factor=10ms', `--resources=${agentResources}`];

/** A master that re-offers quickly, for tests that wait on allocation runs. */
export const fastMasterFlags: readonly string[] = ['--allocation_interval=100ms'];

export const schedulerPath = '/api/v1/scheduler';

/** A valid FrameworkInfo (`user`, `name`) with the given fields on top. */
export function frameworkInfo(overrides: Partial<FrameworkInfo> = {}): FrameworkInfo {
  return { user: 'e2e', name: 'e2e-framework', ...overrides };
}

export interface StorageFrameworkOptions {
  readonly role: string;
  readonly principal: string;
  /** Beyond MULTI_ROLE (and RESERVATION_REFINEMENT unless `legacy`). */
  readonly capabilities?: readonly string[];
  /** Without RESERVATION_REFINEMENT: offers in the legacy format (spec/storage.md 1.2). */
  readonly legacy?: boolean;
  readonly failoverTimeoutSeconds?: number;
}

/** A checkpointing framework of one role, run as root, that reserves and makes volumes. */
export function storageFrameworkInfo(name: string, options: StorageFrameworkOptions): FrameworkInfo {
  const capabilities = ['MULTI_ROLE', ...(options.legacy === true ? [] : ['RESERVATION_REFINEMENT']), ...(options.capabilities ?? [])];
  return {
    user: 'root',
    name,
    roles: [options.role],
    principal: options.principal,
    checkpoint: true,
    ...(options.failoverTimeoutSeconds === undefined ? {} : { failover_timeout: options.failoverTimeoutSeconds }),
    capabilities: capabilities.map((type) => ({ type })),
  } as FrameworkInfo;
}

/** Subscribes through the SDK and waits for SUBSCRIBED; `transport` lets a file share one pool. */
export async function subscribeFramework(
  masterUrl: string,
  info: FrameworkInfo,
  options: { transport?: Transport; suppressedRoles?: readonly string[] } = {},
): Promise<SchedulerSession> {
  return subscribe({
    master: masterUrl,
    frameworkInfo: info,
    ...(options.transport === undefined ? {} : { transport: options.transport }),
    ...(options.suppressedRoles === undefined ? {} : { suppressedRoles: options.suppressedRoles }),
  });
}

/** POSTs `body` (objects as JSON) to the scheduler endpoint with exactly `headers` (Content-Type is not implied). */
export async function postScheduler(masterUrl: string, body: string | object, headers: RawHeaders = {}): Promise<RawResponse> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return rawRequest(`${masterUrl}${schedulerPath}`, { method: 'POST', headers, body: text });
}

/** POSTs a JSON call with Content-Type application/json and, when given, the stream id. */
export async function postCall(masterUrl: string, body: string | object, streamId?: string): Promise<RawResponse> {
  const headers: RawHeaders = { 'Content-Type': 'application/json' };
  if (streamId !== undefined) headers['Mesos-Stream-Id'] = streamId;
  return postScheduler(masterUrl, body, headers);
}

export type Metrics = Record<string, number>;

export async function metrics(url: string): Promise<Metrics> {
  return fetchJson<Metrics>(`${url}/metrics/snapshot`);
}

/** The value of one metric; fails the test (not the wait) if the master does not publish it. */
export async function metric(url: string, name: string): Promise<number> {
  const snapshot = await metrics(url);
  expect(snapshot, `metric '${name}' published by ${url}`).toHaveProperty([name]);
  return snapshot[name] as number;
}

/** Waits until the master has run `runs` more allocations than now: the event that makes "no offer" meaningful. */
export async function waitForAllocationRuns(masterUrl: string, runs: number, timeoutMs = 10_000): Promise<void> {
  const start = (await metrics(masterUrl))['allocator/mesos/allocation_runs'] ?? 0;
  await waitFor(async () => ((await metrics(masterUrl))['allocator/mesos/allocation_runs'] ?? 0) >= start + runs, {
    message: `${runs} allocation runs on ${masterUrl}`,
    timeoutMs,
    intervalMs: 50,
  });
}

export interface LegacyAgent {
  id: string;
  hostname: string;
  port: number;
  pid: string;
  active: boolean;
  resources: Record<string, unknown>;
  [key: string]: unknown;
}

export interface LegacyFramework {
  id: string;
  name: string;
  active: boolean;
  connected: boolean;
  user: string;
  [key: string]: unknown;
}

export async function legacyAgents(masterUrl: string): Promise<LegacyAgent[]> {
  return (await fetchJson<{ slaves: LegacyAgent[] }>(`${masterUrl}/master/slaves`)).slaves;
}

export async function legacyFrameworks(masterUrl: string): Promise<{ frameworks: LegacyFramework[]; completed_frameworks: LegacyFramework[] }> {
  return fetchJson(`${masterUrl}/master/frameworks`);
}

/** Waits until `count` agents are registered and active; returns them. */
export async function waitForActiveAgents(masterUrl: string, count: number, timeoutMs = 10_000): Promise<LegacyAgent[]> {
  return waitFor(
    async () => {
      const agents = await legacyAgents(masterUrl);
      return agents.filter((agent) => agent.active).length === count ? agents : undefined;
    },
    { message: `${count} active agent(s) on ${masterUrl}`, timeoutMs },
  );
}

/**
 * Asserts that no event of `type` reaches `session` while the master runs
 * `runs` allocations (each one a chance to send it).
 */
export async function expectNoEventDuringAllocations(
  session: SchedulerSession,
  type: SchedulerEventType,
  masterUrl: string,
  runs: number,
): Promise<void> {
  const seen: SchedulerEvent[] = [];
  const stop = session.on('*', (event) => {
    if (event.type === type) seen.push(event);
  });
  try {
    await waitForAllocationRuns(masterUrl, runs);
  } finally {
    stop();
  }
  expect(seen, `no ${type} event during ${runs} allocation runs`).toEqual([]);
}

/** The next event of `type`, or undefined if none arrives within `timeoutMs` (for bounded negative checks). */
export async function eventWithin<T extends SchedulerEventType>(session: SchedulerSession, type: T, timeoutMs: number) {
  try {
    return await session.nextEvent(type, timeoutMs);
  } catch (error) {
    if (error instanceof EventTimeoutError) return undefined;
    throw error;
  }
}

/**
 * The first offer of `agentId` in an OFFERS event that arrives after this
 * call (earlier events, consumed or not, do not count): call it before the
 * action that should bring the offer.
 */
export function nextOfferOf(session: SchedulerSession, agentId: string): Promise<WireOffer> {
  return new Promise((resolve) => {
    const stop = session.on('OFFERS', (event) => {
      const offer = event.offers.offers.find((candidate) => candidate.agent_id.value === agentId);
      if (offer === undefined) return;
      stop();
      resolve(offer);
    });
  });
}

/** Every byte of `text` is ASCII (0x00-0x7f). */
export function isPureAscii(text: string): boolean {
  return Buffer.from(text, 'utf8').every((byte) => byte < 0x80);
}

/** The pid a task's shell wrote to `pid` in its sandbox (`echo $$ > pid`), once the whole line is there: TASK_RUNNING may come before the shell has run. */
export function pidIn(directory: string | undefined): Promise<number> {
  const path = join(directory ?? '', 'pid');
  return waitFor(
    () => {
      const text = readFileSync(path, 'utf8');
      return text.endsWith('\n') ? Number(text) : undefined;
    },
    { message: `the task's pid in ${path}` },
  );
}

export interface FileSessions {
  readonly transport: Transport;
  /** Closed after the test that pushed them. */
  readonly sessions: SchedulerSession[];
  /** Subscribes `info` on the file's transport; the session is closed after the test. */
  open(masterUrl: string, info: FrameworkInfo): Promise<SchedulerSession>;
}

/**
 * The HTTP transport and the scheduler sessions of a test file: the sessions a
 * test opens are closed after it (before useCluster, called earlier, stops
 * the processes), and the transport after the file.
 */
export function useSessions(): FileSessions {
  const transport = createHttpTransport();
  const sessions: SchedulerSession[] = [];
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((session) => session.close()));
  });
  afterAll(async () => {
    await transport.close();
  });
  return {
    transport,
    sessions,
    open: async (masterUrl, info) => {
      const session = await subscribeFramework(masterUrl, info, { transport });
      sessions.push(session);
      return session;
    },
  };
}
