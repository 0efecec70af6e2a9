/**
 * Agent re-registration after a master fail-over (issue 6), in the harness:
 * the time a new leading master takes from its election until every agent it
 * expects has re-registered with it. Mesos 1.5: about 19 s at 40,000 agents;
 * goal 10 s.
 *
 * Method, in the shape of Mesos' MasterFailover_BENCHMARK_Test
 * (src/tests/master_benchmarks.cpp, AgentReregistrationDelay): a registry
 * snapshot lists N admitted agents, as the registry a new leader recovers
 * does, so the master expects them (state.recoveredAgents). N simulated
 * agents of cpus:20;mem:10240 (Mesos' figure) each link with a
 * re-registration that reports its 10 running tasks (cpus 0.1, mem 5, ten
 * labels each, as Mesos' benchmark makes them; allocated to role `*`) and
 * its framework, one of 5 (agent i runs framework i mod 5: the frameworks
 * are learnt from the first agents that report them, as a new leader learns
 * them before they re-subscribe).
 *
 * What is measured: the wall time from just before `new Harness({ registry })`
 * (the master's core made with the recovered registry: "the election") until
 * the last agent's link has been processed and `state.recoveredAgents` is
 * empty. The agents link one after the other, each as soon as the previous
 * one's link was answered, and after each link the event-driven allocation
 * the link asked for runs (`settle()`), as the real master's runtime runs it
 * on the next turn of its loop (no framework is subscribed, so it makes no
 * offers). The fake clock does not move: no pings, no timeouts.
 *
 * Within that, the time spent in the master's own steps (MasterCore.step) is
 * reported apart; the rest is the simulated agents building their requests
 * and the harness routing effects. What the harness leaves out is measured
 * apart, not added: the HTTP route's decoding of each link request
 * (JSON.parse and the LinkRequest schema, decodeJson), timed over N request
 * bodies of the same shape. Sockets, HTTP framing and the record streams to
 * the agents are not measured at all.
 */
import { decodeJson } from '../src/protocol/decode.js';
import { LinkRequest, type ReportedTask } from '../src/protocol/internal.js';
import { emptyRegistry, type RegisteredAgent, type RegistrySnapshot } from '../src/master/registry/registry.js';
import { Harness } from '../src/testing/harness.js';
import type { SimAgentOptions } from '../src/testing/sim-agent.js';

/** Mesos 1.5 at 40,000 agents (the anchor), and the goal. */
export const mesosReregistrationSecondsAt40k = 19;
export const goalReregistrationSeconds = 10;

/** Agent counts run by default, each in a child process. */
export const failoverAgentCounts: readonly number[] = [10_000, 40_000];

const tasksPerAgent = 10;
const frameworkCount = 5;
const agentResources = 'cpus:20;mem:10240';
const labelsPerTask = 10;
const firstPort = 5051;

export interface FailoverReregistrationResult {
  readonly agents: number;
  readonly tasksPerAgent: number;
  readonly frameworks: number;
  /** From the master's creation to the last agent re-registered. */
  readonly seconds: number;
  /** This process's CPU time (user + system) over the same span: beside `seconds` on a busy machine. */
  readonly cpuSeconds: number;
  /** Of which in the master's core steps (links and the allocation runs after them). */
  readonly masterStepSeconds: number;
  /** Of which making the master's core with the recovered registry. */
  readonly creationSeconds: number;
  /** Seconds from the master's creation until a quarter, half, three quarters of the agents were back. */
  readonly milestonesSeconds: Readonly<Record<string, number>>;
  /** Measured apart, not in `seconds`: decoding N link request bodies as the HTTP route does. */
  readonly decodeSeconds: number;
  readonly heapUsedMb: number;
}

function agentId(index: number): string {
  return `failover-S${index}`;
}

function frameworkId(index: number): string {
  return `failover-framework-${index}`;
}

function hostname(index: number): string {
  return `failover-agent-${index}.sim`;
}

function taskResources(): object[] {
  return [
    { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 }, allocation_info: { role: '*' } },
    { name: 'mem', type: 'SCALAR', scalar: { value: 5 }, allocation_info: { role: '*' } },
  ];
}

function taskLabels(): object {
  return { labels: Array.from({ length: labelsPerTask }, (_, i) => ({ key: `key${i}`, value: `value${i}` })) };
}

/**
 * What agent `index` reports: its tasks, RUNNING, of its framework. Each
 * task's objects are its own, as a decoded request's are (the master keeps
 * the labels), so the heap holds what a real master's would.
 */
function reportedTasks(index: number): ReportedTask[] {
  const framework = frameworkId(index % frameworkCount);
  return Array.from({ length: tasksPerAgent }, (_, task) => {
    const id = `task-${index}-${task}`;
    return {
      framework_id: { value: framework },
      task: { name: id, task_id: { value: id }, agent_id: { value: agentId(index) }, resources: taskResources(), command: { value: 'dummy command' }, labels: taskLabels() },
      state: 'TASK_RUNNING',
    } as unknown as ReportedTask;
  });
}

function frameworkInfo(index: number): NonNullable<SimAgentOptions['frameworks']>[number] {
  return { id: { value: frameworkId(index) }, user: 'root', name: `failover-${index}`, checkpoint: true } as NonNullable<SimAgentOptions['frameworks']>[number];
}

function agentOptions(index: number): SimAgentOptions {
  return {
    agentId: agentId(index),
    hostname: hostname(index),
    port: firstPort + index,
    resources: agentResources,
    tasks: reportedTasks(index),
    frameworks: [frameworkInfo(index % frameworkCount)],
  };
}

/** The registry a new leader recovers: every agent admitted. */
function registryOf(agents: number): RegistrySnapshot {
  const admitted = new Map<string, RegisteredAgent>();
  for (let index = 0; index < agents; index++) admitted.set(agentId(index), { hostname: hostname(index), ip: '127.0.0.1', port: firstPort + index });
  return { ...emptyRegistry, admitted };
}

/** A link request body as an agent would send it (what SimAgent sends, as JSON). */
function linkRequestBody(index: number, options: SimAgentOptions): string {
  return JSON.stringify({
    protocol_version: 1,
    epoch: 1,
    agent_id: { value: agentId(index) },
    agent_info: {
      hostname: hostname(index),
      port: firstPort + index,
      ip: '127.0.0.1',
      resources: [
        { name: 'cpus', type: 'SCALAR', scalar: { value: 20 } },
        { name: 'mem', type: 'SCALAR', scalar: { value: 10240 } },
      ],
    },
    version: '1.11.0',
    capabilities: ['MULTI_ROLE', 'HIERARCHICAL_ROLE', 'RESERVATION_REFINEMENT', 'RESIZE_VOLUME', 'AGENT_OPERATION_FEEDBACK'],
    tasks: options.tasks,
    frameworks: options.frameworks,
  });
}

/** Seconds to decode `agents` link request bodies as POST /internal/v1/link does (the bodies made outside the timing). */
function decodeSeconds(agents: number): number {
  let total = 0;
  for (let index = 0; index < agents; index++) {
    const body = linkRequestBody(index, agentOptions(index));
    const start = performance.now();
    const decoded = decodeJson(LinkRequest, body, 'LinkRequest');
    total += performance.now() - start;
    if (!decoded.ok) throw new Error(`failover-reregistration: a link request does not decode: ${decoded.error}`);
  }
  return total / 1000;
}

export function runFailoverReregistration(agents: number): FailoverReregistrationResult {
  // The agents' state as it was before the fail-over: made before the clock starts.
  const registry = registryOf(agents);
  const options = Array.from({ length: agents }, (_, index) => agentOptions(index));
  const marks = new Map([Math.ceil(agents / 4), Math.ceil(agents / 2), Math.ceil((3 * agents) / 4)].map((count) => [count, `${count}`]));
  const milestonesSeconds: Record<string, number> = {};

  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const h = new Harness({ seed: 42, registry });
  const creationMs = performance.now() - start;
  let stepMs = creationMs;
  const step = h.core.step.bind(h.core);
  h.core.step = (event, nowMs) => {
    const stepStart = performance.now();
    try {
      return step(event, nowMs);
    } finally {
      stepMs += performance.now() - stepStart;
    }
  };
  for (let index = 0; index < agents; index++) {
    const agent = h.addAgent(options[index] as SimAgentOptions);
    if (!agent.linked) throw new Error(`failover-reregistration: agent ${agentId(index)} was refused: ${h.logs.slice(-3).join('; ')}`);
    h.settle();
    const mark = marks.get(index + 1);
    if (mark !== undefined) milestonesSeconds[mark] = (performance.now() - start) / 1000;
  }
  const left = h.state.recoveredAgents.size;
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);

  if (left !== 0) throw new Error(`failover-reregistration: ${left} agents are still expected after all re-registered`);
  if (h.state.agents.size !== agents) throw new Error(`failover-reregistration: the master knows ${h.state.agents.size} agents, not ${agents}`);
  let tasks = 0;
  for (const framework of h.state.frameworks.values()) tasks += framework.tasks.size;
  if (tasks !== agents * tasksPerAgent) throw new Error(`failover-reregistration: the master knows ${tasks} tasks, not ${agents * tasksPerAgent}`);
  if (h.fatal !== undefined) throw new Error(`failover-reregistration: the master stopped: ${h.fatal}`);
  const heapUsedMb = process.memoryUsage().heapUsed / 2 ** 20;
  // With the master's state still alive, as the real master decodes each link beside it.
  const decode = decodeSeconds(agents);

  return {
    agents,
    tasksPerAgent,
    frameworks: h.state.frameworks.size,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    masterStepSeconds: stepMs / 1000,
    creationSeconds: creationMs / 1000,
    milestonesSeconds,
    decodeSeconds: decode,
    heapUsedMb,
  };
}

/** One line for the result, beside Mesos' figure at 40,000 agents and the goal. */
export function describeFailoverReregistration(result: FailoverReregistrationResult): string {
  const anchor =
    result.agents === 40_000
      ? ` (Mesos 1.5: about ${mesosReregistrationSecondsAt40k} s at 40,000 agents; goal ${goalReregistrationSeconds} s)`
      : ` (Mesos 1.5 at 40,000 agents: about ${mesosReregistrationSecondsAt40k} s; goal ${goalReregistrationSeconds} s there)`;
  return (
    `Fail-over re-registration, ${result.agents} agents x ${result.tasksPerAgent} running tasks (${result.frameworks} frameworks): ` +
    `${result.seconds.toFixed(2)} s from the new leader's creation to the last agent re-registered${anchor}; ` +
    `CPU ${result.cpuSeconds.toFixed(2)} s; ` +
    `${result.masterStepSeconds.toFixed(2)} s of it in the master's steps (creation ${(result.creationSeconds * 1000).toFixed(0)} ms); ` +
    `half back after ${(result.milestonesSeconds[String(Math.ceil(result.agents / 2))] ?? 0).toFixed(2)} s; ` +
    `not included: decoding the ${result.agents} link requests as the HTTP route does, ${result.decodeSeconds.toFixed(2)} s`
  );
}
