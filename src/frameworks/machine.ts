/**
 * What a reference framework's logic is, apart from any I/O: a state machine
 * that takes scheduler events (offers, task statuses, operation statuses) and
 * answers with the calls to make (accept, decline) and lines of progress for
 * the user. The driver (driver.ts) owns the connection, acknowledgements,
 * timers and the terminal; a machine never sees any of them, so a unit test
 * can play a whole run by handing it events.
 *
 *     driver ──event──▶ machine.step(event) ──▶ { calls, progress } ──▶ driver sends, prints
 *                       machine.outcome()   ──▶ undefined while running, then success or failure
 */
import { oneLine } from '../lib/one-line.js';
import type { OfferOperation, OperationState } from '../protocol/mesos.js';
import type { WireOffer, WireOperationStatus, WireTaskStatus } from '../protocol/outputs.js';

export type MachineEvent =
  | { readonly type: 'offers'; readonly offers: readonly WireOffer[] }
  | { readonly type: 'task-status'; readonly status: WireTaskStatus }
  | { readonly type: 'operation-status'; readonly status: WireOperationStatus };

/** A call the machine asks for. Filters are the driver's policy. */
export type MachineCall =
  | { readonly type: 'accept'; readonly offerId: string; readonly operations: readonly OfferOperation[] }
  | { readonly type: 'decline'; readonly offerIds: readonly string[] };

export interface MachineStep {
  readonly calls: readonly MachineCall[];
  /** One line each, without a newline: what changed, for a person watching. */
  readonly progress: readonly string[];
}

/** How a run ended: the summary of a success, or one line saying what went wrong. */
export type Outcome<Summary> = { readonly ok: true; readonly summary: Summary } | { readonly ok: false; readonly error: string };

export interface FrameworkMachine<Summary> {
  step(event: MachineEvent): MachineStep;
  /** Undefined while the run goes on; set once, then never changes. */
  outcome(): Outcome<Summary> | undefined;
  /** What the run waits for now, for a timeout message: "an offer holding ... for shard-0". */
  waitingFor(): string;
  /** What the run has made on the agents and not undone yet (volumes, reservations); '' for nothing. */
  leftovers(): string;
}

/** Task states that are not the end of a task. */
const liveTaskStates: ReadonlySet<string> = new Set(['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING']);

export function isLiveTaskState(state: string): boolean {
  return liveTaskStates.has(state);
}

/**
 * What an operation status means for a framework waiting on it: done, not yet
 * (pending, or the agent is out of reach for now), or refused for good.
 */
export function operationVerdict(state: OperationState): 'finished' | 'waiting' | 'refused' {
  if (state === 'OPERATION_FINISHED') return 'finished';
  if (state === 'OPERATION_PENDING' || state === 'OPERATION_RECOVERING' || state === 'OPERATION_UNREACHABLE') return 'waiting';
  return 'refused';
}

/** `TASK_FAILED (Command exited with status 3)`: the state and why, on one line. */
export function describeTaskStatus(status: WireTaskStatus): string {
  const why = status.message !== undefined && status.message !== '' ? status.message : status.reason;
  return why === undefined ? status.state : `${status.state} (${oneLine(why)})`;
}

/** `OPERATION_ERROR (Persistence ID 'x' is not unique)`. */
export function describeOperationStatus(status: WireOperationStatus): string {
  return status.message === undefined || status.message === '' ? status.state : `${status.state} (${oneLine(status.message)})`;
}


/** Collects calls and progress lines during one step. */
export class StepBuilder {
  private readonly calls: MachineCall[] = [];
  private readonly progress: string[] = [];

  accept(offerId: string, operations: readonly OfferOperation[]): void {
    this.calls.push({ type: 'accept', offerId, operations });
  }

  decline(offerIds: readonly string[]): void {
    if (offerIds.length > 0) this.calls.push({ type: 'decline', offerIds });
  }

  say(line: string): void {
    this.progress.push(line);
  }

  build(): MachineStep {
    return { calls: this.calls, progress: this.progress };
  }
}
