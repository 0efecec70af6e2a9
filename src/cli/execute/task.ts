/** The one task `berth execute` launches: a command task (spec 2.5). Pure. */
import type { Random } from '../../lib/random.js';
import type { WireJsonResource } from '../../protocol/outputs.js';
import type { LaunchTask } from '../../sdk/operations.js';
import type { TaskInfo } from '../../sdk/types.js';

export interface CommandSpec {
  readonly taskId: string;
  readonly name: string;
  readonly command: string;
  /** True: `sh -c <command>`; false: split at spaces into the program and its arguments (argv[0] included). */
  readonly shell: boolean;
  readonly env?: Readonly<Record<string, string>>;
}

/** `<name>-<8 hex digits>`: unique enough to run the same name again while an earlier run is still known. */
export function newTaskId(name: string, random: Random): string {
  return `${name}-${random.uuid().slice(0, 8)}`;
}

/** The task, on the resources taken from its offer (echoed as the master offered them). */
export function commandTask(spec: CommandSpec, resources: readonly WireJsonResource[]): LaunchTask {
  const command: NonNullable<TaskInfo['command']> = spec.shell
    ? { shell: true, value: spec.command }
    : shellFree(spec.command);
  if (spec.env !== undefined && Object.keys(spec.env).length > 0) {
    command.environment = { variables: Object.entries(spec.env).map(([name, value]) => ({ name, type: 'VALUE' as const, value })) };
  }
  return {
    name: spec.name,
    task_id: { value: spec.taskId },
    // The offer's own resource objects: valid by construction, in the master's format.
    resources: resources as NonNullable<TaskInfo['resources']>,
    command,
  };
}

function shellFree(commandLine: string): NonNullable<TaskInfo['command']> {
  const tokens = commandLine.split(' ').filter((token) => token !== '');
  return { shell: false, value: tokens[0] ?? '', arguments: tokens };
}
