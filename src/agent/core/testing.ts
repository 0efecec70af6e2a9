/**
 * Test helpers for the agent core: a config with Mesos' defaults, wire
 * fixtures (FrameworkInfo, TaskInfo), and a driver that steps a core at the
 * times it is told, links it to a pretend master (open_link effect, then a
 * REGISTERED link record) and collects effects by type.
 */
import { SeededRandom } from '../../lib/random.js';
import type { AgentToMasterMessage, MasterToAgentMessage } from '../../protocol/internal.js';
import type { ExecutorCall, ExecutorEvent } from '../../protocol/executor.js';
import type { WireMasterInfo, WireTaskStatus } from '../../protocol/outputs.js';
import { parseResourceText, Resources, toCanonicalJson } from '../../resources/index.js';
import type { JournalRecord } from '../checkpoint/records.js';
import type { ExitStatus } from '../containerizer/types.js';
import { AgentCore, type AgentStepResult } from './agent-core.js';
import type { AgentConfig } from './config.js';
import { emptyResourceState } from '../volumes/resource-state.js';
import type { AgentEffect, AgentEvent } from './events.js';
import type { Json } from './model.js';

export const agentIp = '10.0.0.7';

export function agentConfig(overrides: Partial<AgentConfig> = {}): AgentConfig {
  const parsed = parseResourceText('cpus:4;mem:4096;disk:10000;ports:[31000-32000]', '*');
  if (!parsed.ok) throw new Error(parsed.error);
  const resources = Resources.of(parsed.value);
  return {
    info: { hostname: 'agent1.test', port: 5051, ip: agentIp, resources: resources.toList().map((r) => toCanonicalJson(r)) as AgentConfig['info']['resources'] },
    declared: resources,
    recoveredResources: emptyResourceState,
    version: '1.11.0',
    capabilities: ['MULTI_ROLE', 'HIERARCHICAL_ROLE', 'RESERVATION_REFINEMENT'],
    registrationBackoffFactorMs: 1_000,
    registrationBackoffMaxMs: 60_000,
    defaultPingTimeoutMs: 75_000,
    workDir: '/var/lib/berth',
    endpoint: `${agentIp}:5051`,
    switchUser: false,
    executorRegistrationTimeoutMs: 60_000,
    executorReregistrationTimeoutMs: 2_000,
    executorShutdownGracePeriodMs: 5_000,
    recoveryTimeoutMs: 900_000,
    maxCompletedExecutorsPerFramework: 150,
    statusUpdateRetryInitialMs: 10_000,
    statusUpdateRetryMaxMs: 600_000,
    recover: 'reconnect',
    baseEnvironment: { PATH: '/usr/bin:/bin' },
    ...overrides,
  };
}

export const masterInfo: WireMasterInfo = {
  id: 'master-1',
  ip: 167772161,
  port: 5050,
  pid: 'master@10.0.0.1:5050',
  hostname: 'master1.test',
  version: '1.11.0',
  address: { hostname: 'master1.test', ip: '10.0.0.1', port: 5050 },
  capabilities: [],
};

export const FW = 'fw-1';

export function frameworkInfo(overrides: { id?: string; checkpoint?: boolean; capabilities?: string[] } = {}): Json {
  return {
    id: { value: overrides.id ?? FW },
    name: 'test-framework',
    user: 'root',
    roles: ['*'],
    checkpoint: overrides.checkpoint ?? true,
    capabilities: (overrides.capabilities ?? ['MULTI_ROLE']).map((type) => ({ type })),
  };
}

const taskResources = [
  { name: 'cpus', type: 'SCALAR', scalar: { value: 1 } },
  { name: 'mem', type: 'SCALAR', scalar: { value: 128 } },
];

export function commandTask(id: string, extra: Json = {}): Json {
  return { name: id, task_id: { value: id }, agent_id: { value: 'agent-1' }, resources: taskResources, command: { value: 'sleep 100' }, ...extra };
}

export function customTask(id: string, executorId = 'exec-1', frameworkId = FW, extra: Json = {}): Json {
  return {
    name: id,
    task_id: { value: id },
    agent_id: { value: 'agent-1' },
    resources: taskResources,
    executor: { executor_id: { value: executorId }, framework_id: { value: frameworkId }, command: { value: './my-executor' } },
    ...extra,
  };
}

/** A 16-byte uuid (base64) an executor would make, distinct per n. */
export function executorUuid(n: number): string {
  return Buffer.alloc(16, n).toString('base64');
}

export function ofType<T extends AgentEffect['type']>(effects: readonly AgentEffect[], type: T): Extract<AgentEffect, { type: T }>[] {
  return effects.filter((e): e is Extract<AgentEffect, { type: T }> => e.type === type);
}

/** The effects without logs, as [type, ...] for order checks. */
export function kinds(effects: readonly AgentEffect[]): string[] {
  return effects.filter((e) => e.type !== 'log').map((e) => (e.type === 'persist' ? `persist:${e.record.type}` : e.type));
}

export function messages(effects: readonly AgentEffect[]): AgentToMasterMessage[] {
  return ofType(effects, 'send_message').map((e) => e.message);
}

/** The statuses sent to the master in STATUS_UPDATE messages, with their latest_state. */
export function sentUpdates(effects: readonly AgentEffect[]): (WireTaskStatus & { latest_state?: string })[] {
  const out: (WireTaskStatus & { latest_state?: string })[] = [];
  for (const message of messages(effects)) {
    if (message.type !== 'STATUS_UPDATE') continue;
    const latest = message.status_update.latest_state;
    out.push({ ...(message.status_update.status as unknown as WireTaskStatus), ...(latest !== undefined ? { latest_state: latest } : {}) });
  }
  return out;
}

export function persisted(effects: readonly AgentEffect[]): JournalRecord[] {
  return ofType(effects, 'persist').map((e) => e.record);
}

/** The statuses of the update records persisted. */
export function persistedUpdates(effects: readonly AgentEffect[]): WireTaskStatus[] {
  return persisted(effects).flatMap((r) => (r.type === 'update' ? [r.status as unknown as WireTaskStatus] : []));
}

export function executorEvents(effects: readonly AgentEffect[]): ExecutorEvent[] {
  return ofType(effects, 'executor_event').map((e) => e.event);
}

export interface DriverOptions {
  readonly config?: Partial<AgentConfig>;
  readonly seed?: number;
  readonly nowMs?: number;
  readonly agentId?: string;
}

export class AgentDriver {
  readonly core: AgentCore;
  readonly config: AgentConfig;
  nowMs: number;
  /** Every record persisted so far, in order: the journal. */
  readonly journal: JournalRecord[] = [];
  /** The epoch of the last open_link. */
  epoch: number | undefined;
  private seq = 0;

  constructor(options: DriverOptions = {}) {
    this.config = agentConfig(options.config);
    this.nowMs = options.nowMs ?? 1_000_000;
    this.core = new AgentCore(this.config, new SeededRandom(options.seed ?? 7), this.nowMs, options.agentId);
  }

  get state() {
    return this.core.state;
  }

  step(event: AgentEvent, atMs = this.nowMs): AgentStepResult {
    this.nowMs = atMs;
    const result = this.core.step(event, atMs);
    for (const effect of result.effects) {
      if (effect.type === 'persist') this.journal.push(effect.record);
      if (effect.type === 'open_link') {
        this.epoch = effect.epoch;
        this.seq = 0;
      }
    }
    return result;
  }

  tick(atMs = this.nowMs): AgentEffect[] {
    return this.step({ type: 'tick' }, atMs).effects;
  }

  advance(ms: number): AgentEffect[] {
    return this.tick(this.nowMs + ms);
  }

  /** Ticks at each deadline until the core opens a link; returns that effect. */
  openLink(): Extract<AgentEffect, { type: 'open_link' }> {
    for (let i = 0; i < 20; i++) {
      const open = ofType(this.tick(), 'open_link')[0];
      if (open !== undefined) return open;
      const next = this.core.nextDeadlineMs();
      if (next === undefined) break;
      this.nowMs = Math.max(this.nowMs, next);
    }
    throw new Error('the agent did not open a link');
  }

  /** Feeds a master record on the current link with the next sequence number. */
  master(message: MasterToAgentMessage): AgentStepResult {
    if (this.epoch === undefined) throw new Error('no link');
    return this.step({ type: 'link_record', epoch: this.epoch, record: { ...message, seq: ++this.seq } });
  }

  /** Opens the link and answers REGISTERED; returns the effects of the REGISTERED step. */
  link(agentId = 'agent-1', pingTimeoutSeconds = 75): AgentEffect[] {
    this.openLink();
    return this.register(agentId, pingTimeoutSeconds);
  }

  /** The master's REGISTERED on the link being opened. */
  register(agentId = 'agent-1', pingTimeoutSeconds = 75): AgentEffect[] {
    return this.master({
      type: 'REGISTERED',
      registered: { agent_id: { value: agentId }, master_info: masterInfo, ping_timeout_seconds: pingTimeoutSeconds, reregistered: this.state.agentId !== undefined },
    }).effects;
  }

  runTask(task: Json, framework: Json = frameworkInfo()): AgentEffect[] {
    return this.master({ type: 'RUN_TASK', run_task: { framework: framework as never, task: task as never } }).effects;
  }

  ack(taskId: string, uuid: string, frameworkId = FW): AgentEffect[] {
    return this.master({
      type: 'STATUS_UPDATE_ACKNOWLEDGEMENT',
      status_update_acknowledgement: { framework_id: { value: frameworkId }, task_id: { value: taskId }, uuid },
    }).effects;
  }

  kill(taskId: string, gracePeriodMs?: number, frameworkId = FW): AgentEffect[] {
    return this.master({
      type: 'KILL_TASK',
      kill_task: {
        framework_id: { value: frameworkId },
        task_id: { value: taskId },
        ...(gracePeriodMs !== undefined ? { kill_policy: { grace_period: { nanoseconds: gracePeriodMs * 1e6 } } } : {}),
      },
    }).effects;
  }

  started(containerId: string, supervisorPid = 4242): AgentEffect[] {
    return this.step({ type: 'container_started', containerId, supervisorPid, startTime: '12345' }).effects;
  }

  exited(containerId: string, status: ExitStatus | undefined): AgentEffect[] {
    return this.step({ type: 'container_exited', containerId, status }).effects;
  }

  /** The container id of an executor (a command task's executor id is the task id). */
  containerOf(executorId: string, frameworkId = FW): string {
    const executor = this.state.frameworks.get(frameworkId)?.executors.get(executorId);
    if (executor === undefined) throw new Error(`no executor ${executorId}`);
    return executor.containerId;
  }

  subscribe(executorId: string, connectionId = 'conn-1', subscribe: NonNullable<ExecutorCall['subscribe']> = {}, frameworkId = FW): AgentStepResult {
    return this.step({
      type: 'executor_subscribe',
      connectionId,
      call: { framework_id: { value: frameworkId }, executor_id: { value: executorId }, type: 'SUBSCRIBE', subscribe },
    });
  }

  executorCall(call: Omit<ExecutorCall, 'framework_id' | 'executor_id'> & { executorId: string; frameworkId?: string }): AgentStepResult {
    const { executorId, frameworkId, ...rest } = call;
    return this.step({ type: 'executor_call', call: { framework_id: { value: frameworkId ?? FW }, executor_id: { value: executorId }, ...rest } as ExecutorCall });
  }

  /** An executor's UPDATE call for a task, as the executor library makes it. */
  executorUpdate(executorId: string, taskId: string, state: WireTaskStatus['state'], uuid: string): AgentStepResult {
    return this.executorCall({ executorId, type: 'UPDATE', update: { status: executorStatus(taskId, state, uuid) as never } });
  }
}

export function executorStatus(taskId: string, state: WireTaskStatus['state'], uuid: string): Json {
  return { task_id: { value: taskId }, state, source: 'SOURCE_EXECUTOR', uuid, timestamp: 1000 };
}

/**
 * Runs a command task and starts its container: returns the container id and
 * the uuids of TASK_STARTING and TASK_RUNNING (STARTING is the head, sent).
 */
export function startCommandTask(driver: AgentDriver, taskId = 't1', extra: Json = {}, framework: Json = frameworkInfo()): { containerId: string; starting: string; running: string; effects: AgentEffect[] } {
  driver.runTask(commandTask(taskId, extra), framework);
  const containerId = driver.containerOf(taskId, (framework['id'] as { value: string }).value);
  const effects = driver.started(containerId);
  const [starting, running] = persistedUpdates(effects).map((s) => s.uuid ?? '');
  if (starting === undefined || running === undefined) throw new Error('no STARTING/RUNNING');
  return { containerId, starting, running, effects };
}

/** A fresh core that recovers the given journal (as after an agent restart). */
export function recovered(records: readonly JournalRecord[], options: DriverOptions & { rebooted?: boolean } = {}): { driver: AgentDriver; result: ReturnType<AgentCore['recover']> } {
  const driver = new AgentDriver({ agentId: 'agent-1', ...options });
  const result = driver.core.recover(records, driver.nowMs, options.rebooted ?? false);
  return { driver, result };
}
