/**
 * One run of `berth execute`: a framework with one task, on the SDK's
 * Scheduler (which rides out master fail-overs and broken connections).
 *
 *   start ─▶ SUBSCRIBED ─▶ OFFERS: the first offer holding --resources ─▶ LAUNCH, then SUPPRESS
 *                                  (offers that do not fit: DECLINE with a short filter)
 *   UPDATE of the task ─▶ print each state change; from STARTING on, poll its stdout/stderr
 *   RUNNING + --kill_after ─▶ KILL after that long
 *   terminal ─▶ print what is left of the output ─▶ TEARDOWN ─▶ exit with the command's status
 *   Ctrl-C ─▶ KILL, wait (bounded) for the terminal update ─▶ TEARDOWN ─▶ exit 130
 */
import { oneLine } from '../../lib/one-line.js';
import type { Terminal } from '../../lib/terminal.js';
import type { Random } from '../../lib/random.js';
import type { WireOffer, WireTaskStatus } from '../../protocol/outputs.js';
import type { Resource } from '../../resources/index.js';
import type { BackoffPolicy } from '../../sdk/backoff.js';
import { Scheduler } from '../../sdk/scheduler.js';
import { masterList, type ExecuteFlags } from './flags.js';
import { allocateTaskResources } from './offer-match.js';
import { SandboxOutput, type Fetch } from './sandbox-output.js';
import { commandTask } from './task.js';
import { exitStatusOf, isTerminal, statusLine } from './task-status.js';

/** Seconds the master keeps the framework (and its task) while berth execute is disconnected. */
export const executeFailoverTimeoutSeconds = 60;
/** Filter for offers that cannot hold the task: soon offered again, in case a bigger one was split. */
export const declineRefuseSeconds = 5;
/** Filter for offers once the task is launched: nothing more is needed. */
export const declineAfterLaunchRefuseSeconds = 3600;
export const outputPollIntervalMsDefault = 500;
/** Attempts to reach the master at start before giving up ("master unreachable"). */
export const firstSubscribeAttemptsMax = 3;
/** Consecutive failed re-subscription attempts (backoff up to 30 s) before giving up on a lost master. */
export const resubscribeAttemptsMax = 30;
/** After Ctrl-C, how long to wait for the killed task's terminal update. */
export const interruptKillWaitMs = 10_000;
/** How long TEARDOWN may take before berth execute just closes its connection. */
export const teardownTimeoutMs = 5_000;
/** A shell's exit status after SIGINT. */
export const interruptedExitStatus = 130;

/** Where the run speaks (status lines end with a newline), and its Ctrl-C. */
export type ExecuteIo = Terminal;

/** Knobs for tests; the command line does not reach them. */
export interface ExecuteTuning {
  readonly outputPollIntervalMs?: number;
  readonly backoff?: Partial<BackoffPolicy>;
  readonly interruptKillWaitMs?: number;
  readonly random?: Random;
  readonly fetch?: Fetch;
}

type Phase = 'waiting-for-offer' | 'launching' | 'launched';

export class ExecuteRun {
  private readonly scheduler: Scheduler;
  private phase: Phase = 'waiting-for-offer';
  private agentId: string | undefined;
  private lastState: string | undefined;
  private output: SandboxOutput | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private interrupted = false;
  /** Set once the run is over: the teardown's disconnection is expected, not news. */
  private finishing = false;
  private settleExit!: (code: number) => void;
  private readonly exit = new Promise<number>((resolve) => (this.settleExit = resolve));

  constructor(
    private readonly flags: ExecuteFlags,
    private readonly required: readonly Resource[],
    private readonly taskId: string,
    private readonly io: ExecuteIo,
    private readonly tuning: ExecuteTuning = {},
  ) {
    this.scheduler = new Scheduler({
      masters: masterList(flags.master),
      frameworkInfo: {
        user: flags.user,
        name: flags.framework_name,
        role: flags.role,
        checkpoint: flags.checkpoint,
        failover_timeout: executeFailoverTimeoutSeconds,
      },
      attemptsMax: resubscribeAttemptsMax,
      ...(tuning.backoff === undefined ? {} : { backoff: tuning.backoff }),
      ...(tuning.random === undefined ? {} : { random: tuning.random }),
      handlers: {
        onSubscribed: (frameworkId, again) => this.io.out(`${again ? 'Re-subscribed' : 'Subscribed'} with ID ${frameworkId}\n`),
        onOffers: (offers) => this.onOffers(offers),
        onUpdate: (status) => this.onUpdate(status),
        onDisconnected: () => {
          if (!this.finishing) this.io.err('berth execute: disconnected from the master; subscribing again\n');
        },
        // Before the first subscription, failed attempts stay quiet: run() reports the last one, in one line.
        onError: (error) => {
          if (this.scheduler.frameworkId !== undefined) this.io.err(`berth execute: ${oneLine(error.message)}\n`);
        },
      },
    });
  }

  /** Runs to the end; resolves with the exit status. */
  async run(): Promise<number> {
    const stopListening = this.io.onInterrupt(() => this.onInterrupt());
    try {
      await this.scheduler.start({ attemptsMax: firstSubscribeAttemptsMax });
    } catch (error) {
      stopListening();
      if (this.interrupted) return interruptedExitStatus;
      this.io.err(`berth execute: cannot subscribe through ${this.flags.master}: ${oneLine((error as Error).message)}\n`);
      return 1;
    }
    void this.scheduler.done.then((end) => {
      if (end.reason === 'refused' || end.reason === 'gave-up') {
        this.io.err(`berth execute: lost the master for good (${end.reason}): ${oneLine(end.error?.message ?? '')}\n`);
        this.complete(1);
      }
    });
    const code = await this.exit;
    stopListening();
    await this.finish();
    return code;
  }

  private async onOffers(offers: readonly WireOffer[]): Promise<void> {
    const unfit: string[] = [];
    const surplus: string[] = [];
    for (const offer of offers) {
      if (this.phase !== 'waiting-for-offer') {
        surplus.push(offer.id.value);
        continue;
      }
      const resources = allocateTaskResources(offer.resources, this.required, this.flags.role);
      if (resources === undefined) unfit.push(offer.id.value);
      else await this.launch(offer, resources);
    }
    if (unfit.length > 0) await this.decline(unfit, declineRefuseSeconds);
    if (surplus.length > 0) await this.decline(surplus, declineAfterLaunchRefuseSeconds);
  }

  private async launch(offer: WireOffer, resources: Parameters<typeof commandTask>[1]): Promise<void> {
    this.phase = 'launching';
    const task = commandTask(
      {
        taskId: this.taskId,
        name: this.flags.name,
        command: this.flags.command,
        shell: this.flags.shell,
        ...(this.flags.env === undefined ? {} : { env: this.flags.env }),
      },
      resources,
    );
    try {
      await this.scheduler.launch(offer, [task], { refuse_seconds: declineAfterLaunchRefuseSeconds });
    } catch (error) {
      this.io.err(`berth execute: could not launch on offer ${offer.id.value}: ${oneLine((error as Error).message)}\n`);
      this.phase = 'waiting-for-offer';
      return;
    }
    this.phase = 'launched';
    this.agentId = offer.agent_id.value;
    this.output = new SandboxOutput(
      { agentUrl: agentUrl(offer), frameworkId: this.scheduler.frameworkId ?? '', executorId: this.taskId },
      (text) => this.io.out(text),
      (text) => this.io.err(text),
      this.tuning.fetch,
    );
    this.io.out(`Submitted task '${this.taskId}' to agent '${offer.agent_id.value}'\n`);
    await this.scheduler.suppress().catch(() => undefined);
  }

  private async decline(offerIds: readonly string[], refuseSeconds: number): Promise<void> {
    await this.scheduler.decline(offerIds, { refuse_seconds: refuseSeconds }).catch(() => undefined);
  }

  private onUpdate(status: WireTaskStatus): void {
    if (status.task_id.value !== this.taskId) return;
    if (status.state !== this.lastState) {
      this.lastState = status.state;
      this.io.out(`${statusLine(status)}\n`);
    }
    if (status.state === 'TASK_STARTING' || status.state === 'TASK_RUNNING') this.startPolling();
    if (status.state === 'TASK_RUNNING' && this.flags.kill_after !== undefined && this.killTimer === undefined) {
      this.killTimer = setTimeout(() => void this.kill(), this.flags.kill_after);
    }
    if (isTerminal(status.state)) this.complete(this.interrupted ? interruptedExitStatus : exitStatusOf(status));
  }

  private startPolling(): void {
    if (this.pollTimer !== undefined || this.output === undefined) return;
    const output = this.output;
    const intervalMs = this.tuning.outputPollIntervalMs ?? outputPollIntervalMsDefault;
    const tick = (): void => {
      void output.poll().then(() => {
        if (this.pollTimer !== undefined) this.pollTimer = setTimeout(tick, intervalMs);
      });
    };
    this.pollTimer = setTimeout(tick, 0);
  }

  private onInterrupt(): void {
    if (this.interrupted || this.phase !== 'launched') {
      // A second Ctrl-C, or nothing to kill yet: leave now.
      this.interrupted = true;
      if (this.scheduler.frameworkId === undefined) void this.scheduler.stop();
      this.complete(interruptedExitStatus);
      return;
    }
    this.interrupted = true;
    this.io.err(`berth execute: killing task '${this.taskId}'\n`);
    void this.kill();
    setTimeout(() => this.complete(interruptedExitStatus), this.tuning.interruptKillWaitMs ?? interruptKillWaitMs).unref();
  }

  private async kill(): Promise<void> {
    await this.scheduler.kill(this.taskId, this.agentId).catch((error: unknown) => {
      this.io.err(`berth execute: could not kill the task: ${oneLine((error as Error).message)}\n`);
    });
  }

  private complete(code: number): void {
    this.settleExit(code);
  }

  /** Stops the timers, prints what is left of the output, and removes the framework. */
  private async finish(): Promise<void> {
    this.finishing = true;
    clearTimeout(this.killTimer);
    const pollTimer = this.pollTimer;
    this.pollTimer = undefined;
    clearTimeout(pollTimer);
    if (this.output !== undefined) {
      // Bounded: each poll copies at most a few MiB; stop when nothing more comes.
      for (let round = 0; round < 16 && (await this.output.poll()); round += 1);
    }
    if (this.scheduler.frameworkId === undefined) {
      await this.scheduler.stop();
      return;
    }
    if (!(await this.scheduler.teardownWithin(teardownTimeoutMs))) {
      this.io.err('berth execute: the master did not take TEARDOWN; the framework goes when its failover timeout expires\n');
    }
    await this.scheduler.stop();
  }
}

/** The agent's HTTP address, from the offer: its IP (hostnames may not resolve here), else its hostname. */
export function agentUrl(offer: WireOffer): string {
  const address = offer.url.address;
  const host = address.ip ?? address.hostname ?? offer.hostname;
  return `${offer.url.scheme}://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}
