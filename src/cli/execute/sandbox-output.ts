/**
 * Streams a task's stdout and stderr by reading its sandbox through the
 * agent's file browser: `GET /files/read?path=P&offset=N&length=L` answers
 * `{"data": "...", "offset": N}`, 404 while the file is not there.
 *
 * The sandbox is found at the agent's virtual path of the executor's latest
 * run, `/frameworks/<framework>/executors/<executor>/runs/latest`; if the
 * agent does not serve that, at the `directory` its /state lists for the
 * executor. (The command executor's id is the task's id, spec 2.5.)
 *
 * Offsets count bytes; `data` is taken as UTF-8.
 */

/** Bytes asked for per read. */
export const readBytesMax = 64 * 1024;
/** Reads per file per poll: a poll copies at most this × readBytesMax bytes, then yields. */
export const readsPerPollMax = 64;
/** A single answer larger than this is not believed (a bound on memory). */
const answerBytesMax = 4 * readBytesMax;

export interface SandboxTarget {
  /** The agent: 'http://host:port'. */
  readonly agentUrl: string;
  readonly frameworkId: string;
  readonly executorId: string;
}

export type OutputSink = (text: string) => void;

/** The subset of `fetch` used here: tests and the default pass the global one. */
export type Fetch = (url: string, init?: { signal?: AbortSignal }) => Promise<{ status: number; text(): Promise<string> }>;

interface FileCursor {
  readonly name: 'stdout' | 'stderr';
  readonly sink: OutputSink;
  offset: number;
}

export class SandboxOutput {
  private readonly files: FileCursor[];
  /** The sandbox directory to read from, once known. */
  private directory: string | undefined;
  private polling: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly target: SandboxTarget,
    stdout: OutputSink,
    stderr: OutputSink,
    private readonly fetcher: Fetch = fetch,
    private readonly requestTimeoutMs = 5_000,
  ) {
    this.files = [
      { name: 'stdout', sink: stdout, offset: 0 },
      { name: 'stderr', sink: stderr, offset: 0 },
    ];
  }

  /**
   * Copies what is new in both files to their sinks; resolves whether
   * anything was copied. Never rejects: an agent that does not answer (yet)
   * is tried again at the next poll.
   */
  poll(): Promise<boolean> {
    // One poll at a time: two reading from the same offset would print the same bytes twice.
    const polled = this.polling.then(() => this.pollOnce());
    this.polling = polled;
    return polled;
  }

  private async pollOnce(): Promise<boolean> {
    let copied = false;
    try {
      this.directory ??= await this.findDirectory();
      if (this.directory === undefined) return false;
      for (const file of this.files) copied = (await this.copy(file, this.directory)) || copied;
    } catch {
      // Unreachable or not ready: the next poll tries again.
    }
    return copied;
  }

  private async copy(file: FileCursor, directory: string): Promise<boolean> {
    let copied = false;
    for (let reads = 0; reads < readsPerPollMax; reads += 1) {
      const chunk = await this.read(`${directory}/${file.name}`, file.offset);
      if (chunk === undefined || chunk === '') break;
      file.sink(chunk);
      file.offset += Buffer.byteLength(chunk, 'utf8');
      copied = true;
    }
    return copied;
  }

  /** The data at `offset`, '' at the end, undefined when the file is not (yet) there. */
  private async read(path: string, offset: number): Promise<string | undefined> {
    const query = new URLSearchParams({ path, offset: String(offset), length: String(readBytesMax) });
    const answer = await this.fetcher(`${this.target.agentUrl}/files/read?${query.toString()}`, { signal: AbortSignal.timeout(this.requestTimeoutMs) });
    if (answer.status !== 200) return undefined;
    const text = await answer.text();
    if (text.length > answerBytesMax) return undefined;
    const body: unknown = JSON.parse(text);
    const data = typeof body === 'object' && body !== null && 'data' in body ? body.data : undefined;
    return typeof data === 'string' ? data : undefined;
  }

  /** The virtual path if the agent serves it, else the directory from /state; undefined while neither works. */
  private async findDirectory(): Promise<string | undefined> {
    const { frameworkId, executorId } = this.target;
    const virtual = `/frameworks/${frameworkId}/executors/${executorId}/runs/latest`;
    if ((await this.read(`${virtual}/stdout`, 0)) !== undefined) return virtual;
    const answer = await this.fetcher(`${this.target.agentUrl}/state`, { signal: AbortSignal.timeout(this.requestTimeoutMs) });
    if (answer.status !== 200) return undefined;
    return executorDirectory(JSON.parse(await answer.text()), frameworkId, executorId);
  }
}

/** The `directory` of an executor in an agent's /state (Mesos' layout: frameworks[].executors[], and the completed lists). */
export function executorDirectory(state: unknown, frameworkId: string, executorId: string): string | undefined {
  for (const framework of [...list(state, 'frameworks'), ...list(state, 'completed_frameworks')]) {
    if (field(framework, 'id') !== frameworkId) continue;
    for (const executor of [...list(framework, 'executors'), ...list(framework, 'completed_executors')]) {
      const directory = field(executor, 'directory');
      if (field(executor, 'id') === executorId && directory !== undefined) return directory;
    }
  }
  return undefined;
}

function list(value: unknown, key: string): unknown[] {
  if (typeof value !== 'object' || value === null) return [];
  const member = (value as Record<string, unknown>)[key];
  return Array.isArray(member) ? member : [];
}

function field(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const member = (value as Record<string, unknown>)[key];
  return typeof member === 'string' ? member : undefined;
}
