/**
 * The open SUBSCRIBE streams of custom executors (spec/core.md 2.1), by
 * connection id. Each gets a HEARTBEAT event every 30 minutes, as Mesos sends,
 * so that proxies between agent and executor keep the connection open.
 */
import type { ExecutorEvent } from '../../protocol/executor.js';
import type { RecordStream } from '../../lib/http/record-stream.js';

export const executorHeartbeatIntervalMs = 30 * 60 * 1000;

export class ExecutorStreams {
  private readonly streams = new Map<string, RecordStream>();
  private nextId = 1;
  private readonly heartbeat: NodeJS.Timeout;

  constructor() {
    this.heartbeat = setInterval(() => {
      for (const stream of this.streams.values()) stream.send({ type: 'HEARTBEAT' } satisfies ExecutorEvent);
    }, executorHeartbeatIntervalMs);
    this.heartbeat.unref();
  }

  newConnectionId(): string {
    return `executor-${this.nextId++}`;
  }

  attach(connectionId: string, stream: RecordStream): void {
    this.streams.set(connectionId, stream);
  }

  /** Forgets a stream that closed (the caller tells the core). */
  detach(connectionId: string): boolean {
    return this.streams.delete(connectionId);
  }

  send(connectionId: string, event: ExecutorEvent): void {
    this.streams.get(connectionId)?.send(event);
  }

  /** Ends a stream from the agent's side (a newer subscription replaced it, or the executor is done). */
  close(connectionId: string): void {
    const stream = this.streams.get(connectionId);
    this.streams.delete(connectionId);
    stream?.end();
  }

  closeAll(): void {
    clearInterval(this.heartbeat);
    for (const stream of this.streams.values()) stream.end();
    this.streams.clear();
  }
}
