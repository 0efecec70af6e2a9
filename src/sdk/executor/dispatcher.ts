/**
 * Runs the Executor's handlers one at a time, in event order. The Executor
 * does its bookkeeping as events arrive and hands the handler calls here.
 * MESSAGE events (best effort, and the one kind a scheduler can send at any
 * rate) are dropped beyond a bound of waiting handlers; the others always wait.
 */
import type { KillPolicy } from '../calls.js';
import { HandlerError } from '../errors.js';
import type { Awaitable, TaskInfo } from '../types.js';
import type { ExecutorHandlers, ExecutorSubscribedInfo } from './options.js';

/** Handler calls waiting beyond which an arriving MESSAGE is dropped (and reported). */
export const waitingMessagesMax = 1024;

export class ExecutorDispatcher {
  private chain: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private shutdownRun: Promise<void> | undefined;

  constructor(private readonly handlers: ExecutorHandlers) {}

  subscribed(info: ExecutorSubscribedInfo): void {
    void this.run('onSubscribed', () => this.handlers.onSubscribed?.(info));
  }

  launch(tasks: readonly TaskInfo[], isGroup: boolean): void {
    if (isGroup && this.handlers.onLaunchGroup !== undefined) {
      void this.run('onLaunchGroup', () => this.handlers.onLaunchGroup?.(tasks));
      return;
    }
    for (const task of tasks) void this.run('onLaunch', () => this.handlers.onLaunch?.(task));
  }

  kill(taskId: string, killPolicy: KillPolicy | undefined): void {
    void this.run('onKill', () => this.handlers.onKill?.(taskId, killPolicy));
  }

  message(data: Buffer): void {
    if (this.waiting >= waitingMessagesMax) {
      this.reportError(new Error(`dropped a MESSAGE of ${data.length} bytes: ${this.waiting} handler calls are waiting`));
      return;
    }
    void this.run('onMessage', () => this.handlers.onMessage?.(data));
  }

  /** Runs onShutdown once, after the handlers already waiting; later calls share that run. */
  shutdown(): Promise<void> {
    this.shutdownRun ??= this.run('onShutdown', () => this.handlers.onShutdown?.()).then(() => undefined);
    return this.shutdownRun;
  }

  /** Queues a handler call; resolves true when it returned or resolved, false when it threw. */
  run(name: string, handler: () => Awaitable): Promise<boolean> {
    this.waiting += 1;
    const result = this.chain.then(async () => {
      try {
        await handler();
        return true;
      } catch (error) {
        this.onHandlerError(new HandlerError(name, error));
        return false;
      } finally {
        this.waiting -= 1;
      }
    });
    this.chain = result;
    return result;
  }

  reportError(error: Error): void {
    const onError = this.handlers.onError;
    if (onError === undefined) return;
    try {
      onError.call(this.handlers, error);
    } catch (thrown) {
      queueMicrotask(() => {
        throw thrown;
      });
    }
  }

  private onHandlerError(error: HandlerError): void {
    if (this.handlers.onError !== undefined) {
      this.reportError(error);
      return;
    }
    // No one to tell: a bug in the executor's code surfaces as an uncaught exception.
    queueMicrotask(() => {
      throw error;
    });
  }
}
