/**
 * Leader election and detection through ZooKeeper with Mesos' layout
 * (spec/core.md 5.1), so that Mesos' tools find berth's leader: each master
 * contending creates an ephemeral sequential znode `<path>/json.info_NNNNNNNNNN`
 * holding its MasterInfo as JSON; the one with the lowest sequence number
 * leads. Anyone (an agent, a standby master) detects the leader by watching
 * the group's children and reading the lowest one's data.
 *
 * The session is the contender's lease: when it expires, the ephemeral node is
 * gone and another master may already lead, so a master that loses its session
 * must stop (the caller exits). A connection lost and regained within the
 * session timeout changes nothing.
 */
import zookeeper from 'node-zookeeper-client';
import { err, ok, type Result } from '../lib/result.js';
import type { ZooKeeperUrl } from './zk-url.js';

const nodePrefix = 'json.info_';

/** Pause before listing the group again after a request failed on a lost connection. */
const watchRetryMs = 200;

/** Anyone may read and write the group's nodes, as Mesos creates them (the types leave this constant out). */
const openAcl = (zookeeper.ACL as unknown as { readonly OPEN_ACL_UNSAFE: zookeeper.ACL[] }).OPEN_ACL_UNSAFE;

/** The leader as its znode describes it (Mesos' MasterInfo JSON). */
export interface LeaderInfo {
  readonly id: string;
  /** `http://host:port`, where its HTTP APIs are. */
  readonly url: string;
  /** The znode's name. */
  readonly node: string;
}

export interface ZooKeeperGroupEvents {
  /** The leader changed (undefined: none now). */
  readonly leader: (leader: LeaderInfo | undefined) => void;
  /** The session expired, or the connection could not be kept: whoever contended may no longer lead. */
  readonly sessionLost: (why: string) => void;
}

function leaderUrl(info: { address?: { ip?: string; hostname?: string; port?: number }; ip?: number | string; hostname?: string; port?: number }): string | undefined {
  const host = info.address?.ip ?? info.address?.hostname ?? (typeof info.ip === 'string' ? info.ip : undefined) ?? info.hostname;
  const port = info.address?.port ?? info.port;
  return host === undefined || port === undefined ? undefined : `http://${host}:${port}`;
}

/** A client connected to `servers` within `connectTimeoutMs`, or which ensemble could not be reached. */
export async function connectZooKeeper(servers: string, sessionTimeoutMs: number, connectTimeoutMs: number): Promise<Result<zookeeper.Client>> {
  const client = zookeeper.createClient(servers, { sessionTimeout: sessionTimeoutMs, spinDelay: 200, retries: 0 });
  const connected = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), connectTimeoutMs);
    client.once('connected', () => {
      clearTimeout(timer);
      resolve(true);
    });
    client.connect();
  });
  if (connected) return ok(client);
  client.close();
  return err(`Cannot reach ZooKeeper at ${servers} within ${connectTimeoutMs} ms`);
}

export class ZooKeeperGroup {
  private myNode: string | undefined;
  private currentLeader: LeaderInfo | undefined;
  private closed = false;

  private constructor(
    private readonly connectedClient: zookeeper.Client,
    private readonly url: ZooKeeperUrl,
    private readonly events: ZooKeeperGroupEvents,
  ) {}

  /** The connected client, for the registry in ZooKeeper (the group still owns it and closes it). */
  get client(): zookeeper.Client {
    return this.connectedClient;
  }

  /** This process's own contender znode, full path, once it contended: the registry's fence. */
  get contenderPath(): string | undefined {
    return this.myNode === undefined ? undefined : `${this.url.path}/${this.myNode}`;
  }

  /** Connects within `connectTimeoutMs`, or says which ensemble could not be reached. */
  static async connect(url: ZooKeeperUrl, sessionTimeoutMs: number, connectTimeoutMs: number, events: ZooKeeperGroupEvents): Promise<Result<ZooKeeperGroup>> {
    const connected = await connectZooKeeper(url.servers, sessionTimeoutMs, connectTimeoutMs);
    if (!connected.ok) return connected;
    const client = connected.value;
    const group = new ZooKeeperGroup(client, url, events);
    client.on('expired', () => group.lost('the ZooKeeper session expired'));
    const made = await group.mkdirp(url.path);
    if (!made.ok) {
      client.close();
      return made;
    }
    group.watch();
    return ok(group);
  }

  get leader(): LeaderInfo | undefined {
    return this.currentLeader;
  }

  /** Whether this process's contender node is the leader's. */
  get leading(): boolean {
    return this.myNode !== undefined && this.currentLeader?.node === this.myNode;
  }

  /** Enters the election with `masterInfo` (Mesos' MasterInfo as JSON). */
  contend(masterInfo: object): Promise<Result<string>> {
    return new Promise((resolve) => {
      this.client.create(
        `${this.url.path}/${nodePrefix}`,
        Buffer.from(JSON.stringify(masterInfo)),
        openAcl,
        zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL,
        (error, path) => {
          if (error) return resolve(err(`Cannot contend for leadership under ${this.url.path}: ${String(error)}`));
          this.myNode = path.slice(path.lastIndexOf('/') + 1);
          this.watch();
          resolve(ok(this.myNode));
        },
      );
    });
  }

  close(): void {
    this.closed = true;
    this.client.close();
  }

  private lost(why: string): void {
    if (this.closed) return;
    this.closed = true;
    this.client.close();
    this.events.sessionLost(why);
  }

  private mkdirp(path: string): Promise<Result<void>> {
    return new Promise((resolve) => {
      this.client.mkdirp(path, (error) => resolve(error ? err(`Cannot create ${path} in ZooKeeper: ${String(error)}`) : ok(undefined)));
    });
  }

  /** Lists the group (watching it) and reads the lowest contender; again at every change. */
  private watch(): void {
    if (this.closed) return;
    this.client.getChildren(
      this.url.path,
      () => this.watch(),
      (error, children) => {
        if (this.closed) return;
        if (error) {
          // A connection lost within the session (the client reconnects): look again shortly.
          // Only the session's expiry, which the client reports apart, means the node is gone.
          setTimeout(() => this.watch(), watchRetryMs);
          return;
        }
        const contenders = children.filter((child) => child.startsWith(nodePrefix)).sort();
        const lowest = contenders[0];
        if (this.myNode !== undefined && !contenders.includes(this.myNode)) {
          this.lost('this master\'s contender node is gone');
          return;
        }
        if (lowest === undefined) return this.announce(undefined);
        if (lowest === this.currentLeader?.node) return;
        this.client.getData(`${this.url.path}/${lowest}`, (dataError, data) => {
          if (this.closed) return;
          // Gone meanwhile: the children watch brings the next one.
          if (dataError) return;
          try {
            const info = JSON.parse(data.toString('utf8')) as { id?: string } & Parameters<typeof leaderUrl>[0];
            const url = leaderUrl(info);
            this.announce(url === undefined ? undefined : { id: info.id ?? '', url, node: lowest });
          } catch {
            this.announce(undefined);
          }
        });
      },
    );
  }

  private announce(leader: LeaderInfo | undefined): void {
    if (leader?.node === this.currentLeader?.node) return;
    this.currentLeader = leader;
    this.events.leader(leader);
  }
}
