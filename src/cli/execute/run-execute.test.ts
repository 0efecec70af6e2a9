/**
 * Method: `runExecute` against a FakeMaster and a FakeAgent on 127.0.0.1,
 * with captured output and a fake Ctrl-C. The test plays the cluster: it
 * offers, answers the ACCEPT with status updates, writes the task's sandbox
 * files on the agent, breaks the stream, and checks what berth execute
 * printed, the calls the master received, and the exit status.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../lib/random.js';
import type { WireTaskStatus } from '../../protocol/outputs.js';
import { FakeAgent } from '../../sdk/testing/fake-agent.js';
import { FakeMaster, type FakeStream } from '../../sdk/testing/fake-master.js';
import type { TaskInfo } from '../../sdk/types.js';
import type { ExecuteIo } from './execute-run.js';
import { runExecute } from './run-execute.js';

interface CapturedIo extends ExecuteIo {
  readonly stdout: string[];
  readonly stderr: string[];
  interrupt(): void;
}

let master: FakeMaster | undefined;
let agent: FakeAgent | undefined;

afterEach(async () => {
  await master?.close();
  await agent?.close();
  master = undefined;
  agent = undefined;
});

function capture(): CapturedIo {
  const stdout: string[] = [];
  const stderr: string[] = [];
  let onInterrupt: (() => void) | undefined;
  return {
    stdout,
    stderr,
    out: (text) => void stdout.push(text),
    err: (text) => void stderr.push(text),
    onInterrupt: (handler) => {
      onInterrupt = handler;
      return () => (onInterrupt = undefined);
    },
    interrupt: () => onInterrupt?.(),
  };
}

async function cluster(): Promise<{ master: FakeMaster; agent: FakeAgent }> {
  master = await FakeMaster.start();
  agent = await FakeAgent.start();
  return { master, agent };
}

function execute(masterUrl: string, io: CapturedIo, extra: readonly string[] = [], outputPollIntervalMs = 10): Promise<number> {
  const argv = [`--master=${masterUrl.replace('http://', '')}`, '--name=job', '--command=echo hello', ...extra];
  return runExecute(argv, io, { outputPollIntervalMs, backoff: { initialMs: 5, maxMs: 20 }, random: new SeededRandom(9), interruptKillWaitMs: 2_000 });
}

function offer(id: string, agentPort: number, cpus: number): object {
  return {
    id: { value: id },
    framework_id: { value: 'fake-framework-1' },
    agent_id: { value: 'a1' },
    hostname: 'agent1',
    url: { scheme: 'http', address: { hostname: 'agent1', ip: '127.0.0.1', port: agentPort }, path: '/slave(1)' },
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: cpus }, role: '*' },
      { name: 'mem', type: 'SCALAR', scalar: { value: 1024 }, role: '*' },
    ],
    attributes: [],
    executor_ids: [],
  };
}

let uuidCounter = 0;
function update(taskId: string, state: WireTaskStatus['state'], message?: string): object {
  uuidCounter += 1;
  const status: WireTaskStatus = {
    task_id: { value: taskId },
    state,
    source: 'SOURCE_EXECUTOR',
    agent_id: { value: 'a1' },
    timestamp: 1,
    uuid: Buffer.alloc(16, uuidCounter).toString('base64'),
    ...(message === undefined ? {} : { message }),
  };
  return { type: 'UPDATE', update: { status } };
}

async function eventually(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(5);
  }
}

function callsOf(fake: FakeMaster, type: string) {
  return fake.calls.filter((request) => request.call?.type === type);
}

/** Offers a too-small and a fitting offer; resolves with the task launched and the stream. */
async function launched(fake: FakeMaster, agentPort: number): Promise<{ task: TaskInfo; stream: FakeStream }> {
  const stream = await fake.stream();
  stream.send({ type: 'OFFERS', offers: { offers: [offer('small', agentPort, 0.05), offer('fits', agentPort, 4)] } });
  await eventually('the task was launched', () => callsOf(fake, 'ACCEPT').length === 1);
  const task = callsOf(fake, 'ACCEPT')[0]?.call?.accept?.operations?.[0]?.launch?.task_infos?.[0];
  if (task === undefined) throw new Error('expected a LAUNCH with one task');
  return { task, stream };
}

describe('execute: a run against a fake cluster', () => {
  it('launches on the offer that fits, prints states and output, acknowledges, tears down, exits with the status', async () => {
    const { master, agent } = await cluster();
    const io = capture();
    // One poll when the task starts, then none until the end: what is left is printed after the terminal state.
    const exit = execute(master.url, io, ['--env={"GREETING":"hi"}'], 60_000);

    const { task, stream } = await launched(master, agent.port);
    const sandbox = `/frameworks/fake-framework-1/executors/${task.task_id.value}/runs/latest`;
    agent.files.set(`${sandbox}/stdout`, 'hello\n');
    agent.files.set(`${sandbox}/stderr`, 'warning\n');
    stream.send(update(task.task_id.value, 'TASK_STARTING'), update(task.task_id.value, 'TASK_RUNNING'));
    await eventually('stdout was copied', () => io.stdout.join('').includes('hello\n'));
    agent.files.set(`${sandbox}/stdout`, 'hello\nbye\n');
    stream.send(update(task.task_id.value, 'TASK_FAILED', 'Command exited with status 3'));

    expect(await exit).toBe(3);
    expect(task).toMatchObject({
      name: 'job',
      agent_id: { value: 'a1' },
      command: { shell: true, value: 'echo hello', environment: { variables: [{ name: 'GREETING', type: 'VALUE', value: 'hi' }] } },
      resources: [
        { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 }, role: '*' },
        { name: 'mem', type: 'SCALAR', scalar: { value: 32 }, role: '*' },
      ],
    });
    expect(task.task_id.value).toMatch(/^job-[0-9a-f]{8}$/);
    expect(callsOf(master, 'DECLINE')[0]?.call?.decline).toEqual({ offer_ids: [{ value: 'small' }], filters: { refuse_seconds: 5 } });
    const output = io.stdout.join('');
    expect(output).toContain('Subscribed with ID fake-framework-1\n');
    expect(output).toContain(`Submitted task '${task.task_id.value}' to agent 'a1'\n`);
    expect(output.split('\n').filter((line) => line.startsWith('Received'))).toEqual([
      `Received status update TASK_STARTING for task '${task.task_id.value}'`,
      `Received status update TASK_RUNNING for task '${task.task_id.value}'`,
      `Received status update TASK_FAILED for task '${task.task_id.value}' (Command exited with status 3)`,
    ]);
    // Each byte of the task's stdout exactly once; what was left at the end comes after the terminal state.
    expect(output.split('\n').filter((line) => line === 'hello' || line === 'bye')).toEqual(['hello', 'bye']);
    expect(output.indexOf('bye')).toBeGreaterThan(output.indexOf('TASK_FAILED'));
    expect(io.stderr.join('')).toContain('warning\n');
    expect(callsOf(master, 'ACKNOWLEDGE').length).toBeGreaterThanOrEqual(2);
    expect(callsOf(master, 'SUPPRESS')).toHaveLength(1);
    expect(callsOf(master, 'TEARDOWN')).toHaveLength(1);
  });

  it('rides out a broken master connection: re-subscribes with its id and finishes with 0', async () => {
    const { master, agent } = await cluster();
    const io = capture();
    const exit = execute(master.url, io);
    const { task, stream } = await launched(master, agent.port);
    stream.send(update(task.task_id.value, 'TASK_RUNNING'));
    await eventually('RUNNING was printed', () => io.stdout.join('').includes('TASK_RUNNING'));

    stream.destroy();
    await eventually('re-subscribed', () => master.streams.length === 2);
    master.streams[1]?.send(update(task.task_id.value, 'TASK_FINISHED', 'Command exited with status 0'));

    expect(await exit).toBe(0);
    const subscribes = master.received.filter((request) => request.call?.type === 'SUBSCRIBE');
    expect(subscribes[1]?.call?.subscribe?.framework_info.id).toEqual({ value: 'fake-framework-1' });
    expect(subscribes[0]?.call?.subscribe?.framework_info.failover_timeout).toBeGreaterThan(0);
    expect(io.stdout.join('')).toContain('Re-subscribed with ID fake-framework-1\n');
  });

  it('on Ctrl-C, kills the task, waits for its end and exits 130; output found through /state', async () => {
    const { master, agent } = await cluster();
    const io = capture();
    const exit = execute(master.url, io);
    const { task, stream } = await launched(master, agent.port);
    agent.state = {
      frameworks: [{ id: 'fake-framework-1', executors: [{ id: task.task_id.value, directory: '/work/sandbox' }] }],
    };
    agent.files.set('/work/sandbox/stdout', 'from the real path\n');
    stream.send(update(task.task_id.value, 'TASK_RUNNING'));
    await eventually('stdout was copied', () => io.stdout.join('').includes('from the real path'));

    io.interrupt();
    await eventually('a KILL was sent', () => callsOf(master, 'KILL').length === 1);
    stream.send(update(task.task_id.value, 'TASK_KILLED', 'Command terminated with signal Terminated'));

    expect(await exit).toBe(130);
    expect(callsOf(master, 'KILL')[0]?.call?.kill).toEqual({ task_id: task.task_id, agent_id: { value: 'a1' } });
    expect(callsOf(master, 'TEARDOWN')).toHaveLength(1);
  });

  it('exits 143 when --kill_after kills the task', async () => {
    const { master, agent } = await cluster();
    const io = capture();
    const exit = execute(master.url, io, ['--kill_after=50ms']);
    const { task, stream } = await launched(master, agent.port);
    stream.send(update(task.task_id.value, 'TASK_RUNNING'));

    await eventually('a KILL was sent', () => callsOf(master, 'KILL').length === 1);
    stream.send(update(task.task_id.value, 'TASK_KILLED', 'Command terminated with signal Terminated'));

    expect(await exit).toBe(143);
  });
});

describe('execute: user errors', () => {
  it('says in one line that the master cannot be reached, and exits 1', async () => {
    const gone = await FakeMaster.start();
    const url = gone.url;
    await gone.close();
    const io = capture();

    expect(await execute(url, io)).toBe(1);
    const stderr = io.stderr.join('');
    expect(stderr).toMatch(/^berth execute: cannot subscribe through 127\.0\.0\.1:\d+: .*ECONNREFUSED.*\n$/m);
    expect(io.stderr).toHaveLength(1);
  });

  it('rejects bad flags in one line and exits 1', async () => {
    const io = capture();
    expect(await runExecute(['--name=job', '--command=true'], io)).toBe(1);
    expect(io.stderr).toEqual(["Flag 'master' is required, but it was not provided\n"]);
    expect(await runExecute(['--master=m:1', '--name=job', '--command=true', 'extra'], io)).toBe(1);
    expect(io.stderr[1]).toBe("Unexpected argument 'extra': flags take the form --name=value\n");
  });
});
