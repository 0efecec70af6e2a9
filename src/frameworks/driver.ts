/**
 * Runs a framework machine (machine.ts) against a real master: the thin I/O
 * shell around the pure logic. It subscribes through the SDK's Scheduler
 * (which rides out broken connections and acknowledges task updates), hands
 * the machine every offer, task status and operation status, sends the calls
 * the machine asks for, acknowledges operation statuses, prints progress, and
 * ends the run at the machine's outcome, a deadline, Ctrl-C or the loss of
 * the master. At the end it tears the framework down.
 *
 *   start ─▶ SUBSCRIBED ─▶ events ─▶ machine.step ─▶ ACCEPT / DECLINE (filters: offerRefuseSeconds)
 *                          UPDATE_OPERATION_STATUS ─▶ ACKNOWLEDGE_OPERATION_STATUS, then machine.step
 *   outcome | deadline | Ctrl-C | master lost ─▶ TEARDOWN (bounded) ─▶ result
 */
import type { FrameworkInfo } from '../protocol/mesos.js';
import type { WireOperationStatus } from '../protocol/outputs.js';
import type { SchedulerEvent } from '../protocol/scheduler.js';
import * as calls from '../sdk/calls.js';
import { CallError } from '../sdk/errors.js';
import { Scheduler } from '../sdk/scheduler.js';
import { formatDuration } from '../lib/duration.js';
import type { FrameworkMachine, MachineEvent, MachineStep } from './machine.js';
import { oneLine } from '../lib/one-line.js';

/**
 * Filter on what an ACCEPT leaves and on declined offers. Short: a shard
 * waiting for its volume must see the agent again soon.
 */
export const offerRefuseSeconds = 1;
/** Seconds the master keeps the framework while the connection is broken. */
export const frameworkFailoverTimeoutSeconds = 60;
/** Attempts to reach the master at start before giving up. */
export const firstSubscribeAttemptsMax = 3;
/** Consecutive failed re-subscriptions (backoff up to 30 s) before giving up on a lost master. */
export const resubscribeAttemptsMax = 30;
/** How long TEARDOWN may take before the driver just closes its connection. */
export const teardownTimeoutMs = 5_000;
/** A shell's exit status after SIGINT. */
export const interruptedExitStatus = 130;

export interface DriverIo {
  /** One line of progress, without its newline. */
  progress(line: string): void;
  /** Calls `handler` on Ctrl-C; returns a function that stops listening. */
  onInterrupt(handler: () => void): () => void;
}

export interface DriverOptions<Summary> {
  readonly masters: readonly string[];
  readonly frameworkInfo: FrameworkInfo;
  readonly machine: FrameworkMachine<Summary>;
  /** The whole run, from the first SUBSCRIBE to the outcome. */
  readonly timeoutMs: number;
  readonly io: DriverIo;
}

export type DriverResult<Summary> =
  | { readonly ok: true; readonly frameworkId: string; readonly summary: Summary; readonly elapsedMs: number }
  | { readonly ok: false; readonly error: string; readonly exitCode: number };

type Ending<Summary> = { readonly ok: true; readonly summary: Summary } | { readonly ok: false; readonly error: string; readonly exitCode: number };

export async function runFramework<Summary>(options: DriverOptions<Summary>): Promise<DriverResult<Summary>> {
  return new FrameworkDriver(options).run();
}

class FrameworkDriver<Summary> {
  private readonly scheduler: Scheduler;
  private readonly machine: FrameworkMachine<Summary>;
  private settleEnding!: (ending: Ending<Summary>) => void;
  private readonly ending = new Promise<Ending<Summary>>((resolve) => (this.settleEnding = resolve));
  private ended = false;
  /** The Scheduler has ended by itself (refused, gave up): there is no one left to tear down. */
  private schedulerEnded = false;

  constructor(private readonly options: DriverOptions<Summary>) {
    this.machine = options.machine;
    this.scheduler = new Scheduler({
      masters: options.masters,
      frameworkInfo: { ...options.frameworkInfo, failover_timeout: frameworkFailoverTimeoutSeconds },
      attemptsMax: resubscribeAttemptsMax,
      handlers: {
        onSubscribed: (frameworkId, again) => options.io.progress(`${again ? 're-subscribed' : 'subscribed'} as framework ${frameworkId}`),
        onOffers: (offers) => this.feed({ type: 'offers', offers }),
        onUpdate: (status) => this.feed({ type: 'task-status', status }),
        onEvent: (event) => this.onEvent(event),
        onDisconnected: () => {
          if (!this.ended) options.io.progress('disconnected from the master; subscribing again');
        },
        onError: (error) => {
          if (!this.ended && this.scheduler.frameworkId !== undefined) options.io.progress(oneLine(error.message));
        },
      },
    });
  }

  async run(): Promise<DriverResult<Summary>> {
    const startedMs = Date.now();
    const stopListening = this.options.io.onInterrupt(() => this.abandon('interrupted', interruptedExitStatus));
    const deadline = setTimeout(() => this.onDeadline(), this.options.timeoutMs);
    this.scheduler.start({ attemptsMax: firstSubscribeAttemptsMax }).then(
      () => undefined,
      (error: unknown) => {
        const why = oneLine((error as Error).message);
        this.end({ ok: false, error: `cannot subscribe through ${this.options.masters.join(',')}: ${why}`, exitCode: 1 });
      },
    );
    void this.scheduler.done.then((end) => {
      this.schedulerEnded = true;
      if (this.scheduler.frameworkId !== undefined && (end.reason === 'refused' || end.reason === 'gave-up')) {
        this.abandon(`lost the master (${end.reason}): ${oneLine(end.error?.message ?? '')}`, 1);
      }
    });
    const ending = await this.ending;
    clearTimeout(deadline);
    stopListening();
    await this.finish();
    if (!ending.ok) return ending;
    return { ok: true, frameworkId: this.scheduler.frameworkId ?? '', summary: ending.summary, elapsedMs: Date.now() - startedMs };
  }

  private onDeadline(): void {
    const waiting = this.machine.waitingFor();
    this.abandon(`timed out after ${formatDuration(this.options.timeoutMs)} waiting for ${waiting}`, 1);
  }

  private async onEvent(event: SchedulerEvent): Promise<void> {
    if (event.type !== 'UPDATE_OPERATION_STATUS') return;
    const status = event.update_operation_status.status as WireOperationStatus;
    // Acknowledged first: the machine cannot fail to take it in, and the last one may end the run (and the framework).
    await this.acknowledgeOperation(status);
    await this.feed({ type: 'operation-status', status });
  }

  /** Hands one event to the machine, sends what it asks for, and ends the run at its outcome. */
  private async feed(event: MachineEvent): Promise<void> {
    if (this.ended) {
      if (event.type === 'offers') await this.decline(event.offers.map((offer) => offer.id.value));
      return;
    }
    let step: MachineStep;
    try {
      step = this.machine.step(event);
    } catch (error) {
      // A bug in the framework's logic: end the run with it rather than wait for the deadline.
      this.end({ ok: false, error: `internal error: ${oneLine(error instanceof Error ? error.message : String(error))}`, exitCode: 1 });
      return;
    }
    for (const line of step.progress) this.options.io.progress(line);
    await this.send(step);
    const outcome = this.machine.outcome();
    if (outcome !== undefined) this.end(outcome.ok ? outcome : { ...outcome, exitCode: 1 });
  }

  private async send(step: MachineStep): Promise<void> {
    const filters = { refuse_seconds: offerRefuseSeconds };
    for (const call of step.calls) {
      try {
        if (call.type === 'accept') await this.scheduler.accept([call.offerId], call.operations, filters);
        else await this.scheduler.decline(call.offerIds, filters);
      } catch (error) {
        // A refused call is the master saying no; anything else (a broken connection) voids the offer, and new ones come.
        if (error instanceof CallError) this.abandon(oneLine(error.message), 1);
      }
    }
  }

  private async decline(offerIds: readonly string[]): Promise<void> {
    await this.scheduler.decline(offerIds, { refuse_seconds: offerRefuseSeconds }).catch(() => undefined);
  }

  private async acknowledgeOperation(status: WireOperationStatus): Promise<void> {
    if (status.uuid === undefined || status.operation_id === undefined || status.agent_id === undefined) return;
    const call = calls.acknowledgeOperationStatusCall(status.agent_id, status.operation_id, status.uuid.value);
    await this.scheduler.call(call).catch((error: unknown) => {
      if (!this.ended) this.options.io.progress(`could not acknowledge operation ${status.operation_id?.value ?? ''}: ${oneLine((error as Error).message)}`);
    });
  }

  private end(ending: Ending<Summary>): void {
    if (this.ended) return;
    this.ended = true;
    this.settleEnding(ending);
  }

  /** Ends the run for a reason of the driver's own (deadline, Ctrl-C, master): says what the machine leaves. */
  private abandon(error: string, exitCode: number): void {
    const left = this.machine.leftovers();
    this.end({ ok: false, error: left === '' ? error : `${error}; left in place: ${left}`, exitCode });
  }

  /** Removes the framework (its tasks, if any are left, are killed); a master that does not answer is left to the failover timeout. */
  private async finish(): Promise<void> {
    if (this.scheduler.frameworkId === undefined || this.schedulerEnded) {
      await this.scheduler.stop();
      return;
    }
    if (!(await this.scheduler.teardownWithin(teardownTimeoutMs))) {
      this.options.io.progress('the master did not take TEARDOWN; the framework goes when its failover timeout expires');
    }
    await this.scheduler.stop();
  }
}
