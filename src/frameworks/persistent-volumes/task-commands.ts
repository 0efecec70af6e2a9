/**
 * The shell commands of the persistent-volumes framework's tasks. Task k of a
 * shard leaves the file `task-<k>` in the volume, holding its task id; what it
 * checks first is what proves the volume kept its data:
 *
 * - a task of a regular shard runs alone: it checks that every earlier task's
 *   file is there, then writes its own;
 * - on a shared shard, task 0 writes first, then every other task runs at
 *   once: each checks task 0's file, writes its own, and waits (bounded) until
 *   each sibling's file is there too, which proves they shared the volume
 *   while they ran.
 *
 * Pure: text in, text out. Messages go to stderr, where the sandbox keeps them.
 */

/** Longest a task of a shared shard waits for its siblings' files. */
export const siblingWaitSeconds = 30;
/** Between looks for the siblings' files. */
const siblingPollSeconds = 0.1;

export function volumeFileName(taskIndex: number): string {
  return `task-${taskIndex}`;
}

function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function indexes(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, offset) => from + offset);
}

/** Exits 1 naming the first of `taskIndexes` whose file is missing. */
function checkFiles(volumePath: string, taskIndexes: readonly number[]): string[] {
  if (taskIndexes.length === 0) return [];
  const names = taskIndexes.map(volumeFileName).join(' ');
  return [`for f in ${names}; do [ -f ${quote(volumePath)}/"$f" ] || { echo "${volumePath}/$f is missing" >&2; exit 1; }; done`];
}

function writeFile(volumePath: string, taskIndex: number, taskId: string): string {
  return `echo ${quote(taskId)} > ${quote(volumePath)}/${volumeFileName(taskIndex)}`;
}

/** Task `taskIndex` of a regular shard: its predecessors' files, then its own. */
export function sequentialTaskCommand(volumePath: string, taskIndex: number, taskId: string): string {
  return [...checkFiles(volumePath, indexes(0, taskIndex)), writeFile(volumePath, taskIndex, taskId)].join('\n');
}

/**
 * Task `taskIndex` (1 or more) of a shared shard whose tasks 1..taskCount-1
 * run together: task 0's file, its own, then its siblings'.
 */
export function concurrentTaskCommand(volumePath: string, taskIndex: number, taskCount: number, taskId: string): string {
  const siblings = indexes(1, taskCount).map(volumeFileName).join(' ');
  const pollsMax = Math.ceil(siblingWaitSeconds / siblingPollSeconds);
  return [
    ...checkFiles(volumePath, [0]),
    writeFile(volumePath, taskIndex, taskId),
    'polls=0',
    'while :; do',
    `  missing=''; for f in ${siblings}; do [ -f ${quote(volumePath)}/"$f" ] || missing="$missing $f"; done`,
    '  [ -z "$missing" ] && exit 0',
    '  polls=$((polls + 1))',
    `  [ "$polls" -ge ${pollsMax} ] && { echo "siblings did not write within ${siblingWaitSeconds}s:$missing" >&2; exit 1; }`,
    `  sleep ${siblingPollSeconds}`,
    'done',
  ].join('\n');
}
