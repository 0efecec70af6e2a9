/**
 * The agent's end of the master link: POST /internal/v1/link with the
 * registration, then read RecordIO records off the response stream until it
 * ends. One link at a time, named by its epoch.
 */
import { request, type Dispatcher } from 'undici';
import { RecordIoDecoder } from '../../lib/recordio.js';
import type { LinkRequest, MasterToAgentRecord } from '../../protocol/internal.js';

export interface LinkListener {
  onRecord(epoch: number, record: MasterToAgentRecord): void;
  onFailed(epoch: number, status: number | undefined, message: string): void;
  onClosed(epoch: number): void;
}

export class MasterLink {
  private current: { epoch: number; abort: AbortController } | undefined;

  constructor(
    /** The leading master's base URL now; undefined while none is known (--master=zk://). */
    private readonly masterUrl: () => string | undefined,
    private readonly dispatcher: Dispatcher,
    private readonly listener: LinkListener,
  ) {}

  open(epoch: number, linkRequest: LinkRequest): void {
    this.close();
    const abort = new AbortController();
    this.current = { epoch, abort };
    void this.run(epoch, linkRequest, abort.signal);
  }

  close(epoch?: number): void {
    if (this.current === undefined || (epoch !== undefined && this.current.epoch !== epoch)) return;
    this.current.abort.abort();
    this.current = undefined;
  }

  private isCurrent(epoch: number): boolean {
    return this.current?.epoch === epoch;
  }

  private async run(epoch: number, linkRequest: LinkRequest, signal: AbortSignal): Promise<void> {
    try {
      const base = this.masterUrl();
      if (base === undefined) throw new Error('no leading master is known yet');
      const response = await request(`${base}/internal/v1/link`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(linkRequest),
        dispatcher: this.dispatcher,
        signal,
        bodyTimeout: 0,
        headersTimeout: 30_000,
      });
      if (response.statusCode !== 200) {
        const text = await response.body.text();
        if (this.isCurrent(epoch)) this.listener.onFailed(epoch, response.statusCode, text);
        return;
      }
      const decoder = new RecordIoDecoder();
      for await (const chunk of response.body) {
        for (const record of decoder.decode(chunk as Buffer)) {
          if (!this.isCurrent(epoch)) return;
          this.listener.onRecord(epoch, JSON.parse(record) as MasterToAgentRecord);
        }
      }
      if (this.isCurrent(epoch)) this.listener.onClosed(epoch);
    } catch (error) {
      if (this.isCurrent(epoch)) this.listener.onFailed(epoch, undefined, (error as Error).message);
    }
  }
}
