/**
 * The environment a container gets (Mesos' executorEnvironment): the agent's
 * own environment, then MESOS_* variables that tell an executor (or a command
 * task) where it is, then the command's own variables, which win.
 */
import type { AgentExecutor, Json } from './model.js';
import type { AgentState } from './state.js';

export function containerEnvironment(state: AgentState, executor: AgentExecutor, command: Json | undefined): Record<string, string> {
  const config = state.config;
  const environment: Record<string, string> = { ...config.baseEnvironment };
  const graceMs = shutdownGracePeriodMs(state, executor);
  Object.assign(environment, {
    MESOS_FRAMEWORK_ID: executor.frameworkId,
    MESOS_EXECUTOR_ID: executor.id,
    MESOS_DIRECTORY: executor.directory,
    MESOS_SANDBOX: executor.directory,
    MESOS_SLAVE_ID: state.agentId ?? '',
    MESOS_AGENT_ID: state.agentId ?? '',
    MESOS_SLAVE_PID: `slave(1)@${config.endpoint}`,
    MESOS_AGENT_ENDPOINT: config.endpoint,
    MESOS_CHECKPOINT: executor.checkpoint ? '1' : '0',
    MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: `${graceMs / 1000}secs`,
    MESOS_CONTAINER_ID: executor.containerId,
  });
  if (executor.checkpoint) {
    environment['MESOS_RECOVERY_TIMEOUT'] = `${config.recoveryTimeoutMs / 1000}secs`;
    environment['MESOS_SUBSCRIPTION_BACKOFF_MAX'] = `${config.executorReregistrationTimeoutMs / 1000}secs`;
  }
  if (executor.kind === 'command') {
    const task = [...executor.queuedTasks.values(), ...executor.launchedTasks.values()][0];
    const taskId = (task?.info['task_id'] as { value?: string } | undefined)?.value;
    if (taskId !== undefined) environment['MESOS_TASK_ID'] = taskId;
  }
  const variables = ((command?.['environment'] as Json | undefined)?.['variables'] as { name: string; value?: string; type?: string }[] | undefined) ?? [];
  for (const variable of variables) {
    if (variable.type === 'SECRET') continue;
    environment[variable.name] = variable.value ?? '';
  }
  return environment;
}

/** ExecutorInfo.shutdown_grace_period, else --executor_shutdown_grace_period. */
export function shutdownGracePeriodMs(state: AgentState, executor: AgentExecutor): number {
  const period = executor.info['shutdown_grace_period'] as { nanoseconds?: number } | undefined;
  return period?.nanoseconds !== undefined ? period.nanoseconds / 1e6 : state.config.executorShutdownGracePeriodMs;
}

/** CommandInfo as the process's argv: a shell command through /bin/sh -c, else the executable and its arguments. */
export function commandArgv(command: Json): string[] {
  const value = (command['value'] as string | undefined) ?? '';
  if (command['shell'] !== false) return ['/bin/sh', '-c', value];
  const args = (command['arguments'] as string[] | undefined) ?? [];
  return [value, ...args.slice(1)];
}

/** The user a container runs as: the command's, else the framework's; none when users are not switched. */
export function containerUser(state: AgentState, command: Json | undefined, frameworkInfo: Json): string | undefined {
  if (!state.config.switchUser) return undefined;
  return (command?.['user'] as string | undefined) ?? (frameworkInfo['user'] as string | undefined);
}

export function fetchUris(command: Json | undefined): { value: string; executable: boolean; extract: boolean; cache: boolean; outputFile: string | undefined }[] {
  const uris = (command?.['uris'] as { value: string; executable?: boolean; extract?: boolean; cache?: boolean; output_file?: string }[] | undefined) ?? [];
  return uris.map((uri) => ({
    value: uri.value,
    executable: uri.executable ?? false,
    extract: uri.extract ?? true,
    cache: uri.cache ?? false,
    outputFile: uri.output_file,
  }));
}
