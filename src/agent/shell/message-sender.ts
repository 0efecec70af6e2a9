/**
 * The agent-to-master channel: messages go one at a time, in order, each in an
 * (agent id, epoch, sequence number) envelope. A network error retries the same
 * message; a 409 means the link is no good and the core links again; messages
 * of an older epoch are dropped (delivery is at most once per link).
 */
import { request, type Dispatcher } from 'undici';
import type { AgentToMasterMessage } from '../../protocol/internal.js';

interface Pending {
  readonly epoch: number;
  readonly seq: number;
  readonly message: AgentToMasterMessage;
}

/** Retry delays for a message that did not get through (network errors). */
const retryDelayMs = { first: 100, max: 2_000 };

export class MessageSender {
  private readonly queue: Pending[] = [];
  private sending = false;
  private stopped = false;

  constructor(
    private readonly masterUrl: string,
    private readonly dispatcher: Dispatcher,
    private readonly agentId: () => string | undefined,
    private readonly onRefused: (epoch: number, message: string) => void,
    private readonly onDropped: (message: string) => void,
  ) {}

  enqueue(epoch: number, seq: number, message: AgentToMasterMessage): void {
    this.queue.push({ epoch, seq, message });
    void this.drain();
  }

  /** Forgets messages of links older than `epoch`. */
  dropBefore(epoch: number): void {
    for (let i = this.queue.length - 1; i >= 0; i--) if ((this.queue[i] as Pending).epoch < epoch) this.queue.splice(i, 1);
  }

  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
  }

  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      let delayMs = retryDelayMs.first;
      while (this.queue.length > 0 && !this.stopped) {
        const next = this.queue[0] as Pending;
        const outcome = await this.send(next);
        if (outcome === 'retry') {
          await sleep(delayMs);
          delayMs = Math.min(retryDelayMs.max, delayMs * 2);
          continue;
        }
        delayMs = retryDelayMs.first;
        if (this.queue[0] === next) this.queue.shift();
      }
    } finally {
      this.sending = false;
    }
  }

  private async send(pending: Pending): Promise<'done' | 'retry'> {
    const agentId = this.agentId();
    if (agentId === undefined) return 'done';
    try {
      const response = await request(`${this.masterUrl}/internal/v1/message`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ agent_id: { value: agentId }, epoch: pending.epoch, seq: pending.seq, message: pending.message }),
        dispatcher: this.dispatcher,
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
      });
      const text = await response.body.text();
      if (response.statusCode === 409) {
        this.dropBefore(pending.epoch + 1);
        this.onRefused(pending.epoch, text);
        return 'done';
      }
      if (response.statusCode >= 500) return 'retry';
      if (response.statusCode >= 400) this.onDropped(`master refused ${pending.message.type} (${response.statusCode}): ${text}`);
      return 'done';
    } catch {
      return 'retry';
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
