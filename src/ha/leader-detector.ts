/**
 * Finds the leading master for an agent or a client given `--master=zk://...`
 * (Mesos' detector): it joins the ZooKeeper group without contending and
 * follows its lowest member. A lost session or an unreachable ensemble is
 * not fatal here: it connects again after a pause, and meanwhile the last
 * leader seen stays the answer (the link to it fails if it is gone, and is
 * tried again).
 */
import type { Logger } from 'pino';
import { ZooKeeperGroup } from './zookeeper-group.js';
import type { ZooKeeperUrl } from './zk-url.js';

const sessionTimeoutMs = 10_000;
const connectTimeoutMs = 10_000;
const reconnectPauseMs = 1_000;

export class LeaderDetector {
  private leaderUrl: string | undefined;
  private group: ZooKeeperGroup | undefined;
  private stopped = false;

  constructor(
    private readonly url: ZooKeeperUrl,
    private readonly logger: Pick<Logger, 'info' | 'warn'>,
  ) {
    void this.connect();
  }

  /** `http://host:port` of the leader last seen, if any. */
  current(): string | undefined {
    return this.leaderUrl;
  }

  close(): void {
    this.stopped = true;
    this.group?.close();
  }

  private async connect(): Promise<void> {
    while (!this.stopped) {
      const connected = await ZooKeeperGroup.connect(this.url, sessionTimeoutMs, connectTimeoutMs, {
        leader: (leader) => {
          if (leader?.url === this.leaderUrl) return;
          this.leaderUrl = leader?.url;
          this.logger.info(`Leading master: ${leader === undefined ? 'none' : `${leader.id} at ${leader.url}`}`);
        },
        sessionLost: (why) => {
          this.logger.warn(`Detecting the leading master: ${why}; connecting again`);
          this.group = undefined;
          if (!this.stopped) setTimeout(() => void this.connect(), reconnectPauseMs);
        },
      });
      if (connected.ok) {
        if (this.stopped) connected.value.close();
        else this.group = connected.value;
        return;
      }
      this.logger.warn(`Detecting the leading master: ${connected.error}; trying again`);
      await new Promise((resolve) => setTimeout(resolve, reconnectPauseMs));
    }
  }
}
