/**
 * The agent-to-master channel: messages go in order, each in an (agent id,
 * epoch, sequence number) envelope; whatever is queued when a request
 * completes goes in the next one as a batch (POST /internal/v1/messages), so
 * a thousand status updates cost a few requests, not a thousand round trips.
 * A batch is bounded by count and by serialized size; a message bigger than
 * the size bound goes alone.
 * A network error sends the same batch again (the master recognizes what it
 * applied already by sequence number); a 409 means the link is no good and the
 * core links again; messages of an older epoch are dropped (delivery is at
 * most once per link).
 */
import { request, type Dispatcher } from 'undici';
import { assert } from '../../lib/assert.js';
import { requestBodyBytesMax } from '../../lib/http/server.js';
import type { AgentToMasterMessage } from '../../protocol/internal.js';

interface Pending {
  readonly epoch: number;
  readonly seq: number;
  readonly message: AgentToMasterMessage;
  /** Serialized size of `{seq, message}` in a batch, measured once when queued. */
  readonly bytes: number;
}

/** Retry delays for a message that did not get through (network errors). */
const retryDelayMs = { first: 100, max: 2_000 };

/** Messages per request at most: bounds the request body and the master's time on one request. */
const batchMessagesMax = 500;

/**
 * Serialized messages per request at most (their `{seq, message}` entries; the
 * envelope adds a few dozen bytes): large messages (a status update with
 * data, an executor's message) must not add up past the master's body limit
 * (lib/http/server.ts), which would refuse the whole batch with 413.
 */
export const batchBytesMax = 4 * 1024 * 1024;
assert(batchBytesMax * 2 <= requestBodyBytesMax, 'a full batch must fit well under the master\'s request body limit');

export class MessageSender {
  private readonly queue: Pending[] = [];
  private sending = false;
  private stopped = false;

  constructor(
    /** The leading master's base URL now; undefined while none is known. */
    private readonly masterUrl: () => string | undefined,
    private readonly dispatcher: Dispatcher,
    private readonly agentId: () => string | undefined,
    private readonly onRefused: (epoch: number, message: string) => void,
    private readonly onDropped: (message: string) => void,
  ) {}

  enqueue(epoch: number, seq: number, message: AgentToMasterMessage): void {
    this.queue.push({ epoch, seq, message, bytes: Buffer.byteLength(JSON.stringify({ seq, message })) });
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
        const batch = this.nextBatch();
        const outcome = await this.send(batch);
        if (outcome === 'retry') {
          await sleep(delayMs);
          delayMs = Math.min(retryDelayMs.max, delayMs * 2);
          continue;
        }
        delayMs = retryDelayMs.first;
        // dropBefore() may have emptied the queue meanwhile; only what was sent leaves it.
        if (this.queue[0] === batch[0]) this.queue.splice(0, batch.length);
      }
    } finally {
      this.sending = false;
    }
  }

  /** The longest run at the head of the queue with one epoch, within both bounds (the first message always goes). */
  private nextBatch(): Pending[] {
    const first = this.queue[0] as Pending;
    let end = 1;
    let bytes = first.bytes;
    while (end < this.queue.length && end < batchMessagesMax) {
      const next = this.queue[end] as Pending;
      // +1: the comma between entries.
      if (next.epoch !== first.epoch || bytes + 1 + next.bytes > batchBytesMax) break;
      bytes += 1 + next.bytes;
      end++;
    }
    return this.queue.slice(0, end);
  }

  private async send(batch: readonly Pending[]): Promise<'done' | 'retry'> {
    const agentId = this.agentId();
    const first = batch[0];
    if (agentId === undefined || first === undefined) return 'done';
    try {
      const body =
        batch.length === 1
          ? { agent_id: { value: agentId }, epoch: first.epoch, seq: first.seq, message: first.message }
          : { agent_id: { value: agentId }, epoch: first.epoch, messages: batch.map(({ seq, message }) => ({ seq, message })) };
      const base = this.masterUrl();
      if (base === undefined) throw new Error('no leading master is known yet');
      const response = await request(`${base}/internal/v1/${batch.length === 1 ? 'message' : 'messages'}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        dispatcher: this.dispatcher,
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
      });
      const text = await response.body.text();
      if (response.statusCode === 409) {
        this.dropBefore(first.epoch + 1);
        this.onRefused(first.epoch, text);
        return 'done';
      }
      if (response.statusCode >= 500) return 'retry';
      if (response.statusCode >= 400) this.onDropped(`master refused ${batch.map((p) => p.message.type).join(', ')} (${response.statusCode}): ${text}`);
      return 'done';
    } catch {
      return 'retry';
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
