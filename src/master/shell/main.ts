/**
 * `berth master`: parses flags, listens, and runs the core until SIGTERM or
 * SIGINT. Bad flags exit 1 with one line; nothing is started.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { err, ok, type Result } from '../../lib/result.js';
import { MemoryRegistryStore, type RegistryStore } from '../registry/registry.js';
import { ZooKeeperGroup } from '../../ha/zookeeper-group.js';
import { parseZooKeeperUrl, type ZooKeeperUrl } from '../../ha/zk-url.js';
import type { WireMasterInfo } from '../../protocol/outputs.js';
import type { Logger } from 'pino';
import { registryFileName, SqliteRegistryStore } from '../registry/sqlite-store.js';
import { ZooKeeperRegistryStore } from '../registry/zookeeper-store.js';
import { systemClock } from '../../lib/clock.js';
import { SeededRandom, systemRandom } from '../../lib/random.js';
import { createHttpServer } from '../../lib/http/server.js';
import { parseFlags, flagsUsage } from '../../lib/flags/index.js';
import { masterFlags } from '../../cli/flags/master-flags.js';
import { MasterCore } from '../core/master-core.js';
import { registerSchedulerRoutes } from '../http/scheduler-route.js';
import { registerInternalRoutes } from '../http/internal-routes.js';
import { registerOperatorRoutes } from '../http/operator-route.js';
import { registerLegacyRoutes } from '../http/legacy-routes.js';
import { registerStorageRoutes } from '../http/storage-routes.js';
import { registerMaintenanceRoutes } from '../http/maintenance-routes.js';
import { registerAuthentication } from '../http/authentication.js';
import { compileHttpAuthentication } from '../auth/http-authentication.js';
import { aclListNames, type Acls } from '../auth/acls.js';
import { implicitObjectLists, roleObjectLists } from '../core/operator/authorize.js';
import { compileMasterConfig } from './config.js';
import { masterInfo } from './master-info.js';
import { advertisedHostname, advertisedIp } from './address.js';
import { MasterRuntime } from './runtime.js';
import { pinoLevel } from '../../lib/logging.js';

export async function runMaster(argv: readonly string[]): Promise<number> {
  const parsed = parseFlags(masterFlags, argv);
  if (!parsed.ok) return fail(parsed.error);
  if (parsed.value.helpRequested) {
    process.stdout.write(flagsUsage(masterFlags, 'berth master'));
    return 0;
  }
  if (parsed.value.positional.length > 0) return fail(`Unexpected argument '${parsed.value.positional[0] ?? ''}': flags take the form --name=value`);
  const flags = parsed.value.values;
  const config = compileMasterConfig(flags);
  if (!config.ok) return fail(config.error);
  const authentication = compileHttpAuthentication(flags, (path) => readFileSync(path, 'utf8'));
  if (!authentication.ok) return fail(authentication.error);
  const zk = flags.zk === undefined ? undefined : parseZooKeeperUrl(flags.zk, 'zk');
  if (zk !== undefined && !zk.ok) return fail(zk.error);
  // Several masters share one registry in ZooKeeper, opened by whichever is elected; a master alone keeps it in SQLite.
  const localRegistry = zk === undefined ? openRegistry(flags.work_dir, flags.registry) : ok(undefined);
  if (!localRegistry.ok) return fail(localRegistry.error);
  let registry: RegistryStore | undefined = localRegistry.value;
  const logger = pino({ level: pinoLevel(flags.logging_level), base: { process: 'master' } }, pino.destination(2));
  for (const name of unenforcedAclLists(config.value.acls)) {
    logger.warn(`--acls: the '${name}' list is read but not enforced by berth yet (docs/differences.md)`);
  }
  const app = createHttpServer();
  registerAuthentication(app, authentication.value);
  let runtime: MasterRuntime | undefined;
  // With --zk, the leader while this master does not lead: requests go there (307).
  let otherLeader: string | undefined;
  const leader = (): string | undefined => otherLeader;
  registerSchedulerRoutes(app, () => runtime, leader);
  registerOperatorRoutes(app, () => runtime, leader);
  registerLegacyRoutes(app, () => runtime, leader);
  registerStorageRoutes(app, () => runtime, leader);
  registerMaintenanceRoutes(app, () => runtime, leader);
  registerInternalRoutes(app, () => runtime);
  const host = flags.ip ?? '0.0.0.0';
  try {
    await app.listen({ host, port: flags.port });
  } catch (error) {
    registry?.close();
    process.stderr.write(`Failed to listen on ${host}:${flags.port}: ${(error as Error).message}\n`);
    return 1;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : flags.port;
  const ip = advertisedIp(flags.advertise_ip ?? flags.ip, host);
  const hostname = advertisedHostname(flags.hostname, flags.hostname_lookup, ip);
  const random = flags.seed !== undefined ? new SeededRandom(flags.seed) : systemRandom;
  const info = masterInfo(systemRandom.uuid(), ip, flags.advertise_port ?? port, hostname);
  const lead = async (store: RegistryStore): Promise<MasterRuntime> => {
    // A registry without weights takes the flag's, so that they survive a restart without it (Mesos 5.3).
    if (store.recovered.weights.size === 0 && config.value.weights.size > 0) await store.apply({ type: 'update_weights', weights: config.value.weights });
    if (!store.durable) logger.warn('The registry is in memory (no --work_dir, or --registry=in_memory): a restarted master forgets its agents, weights, quota and maintenance');
    return new MasterRuntime(new MasterCore(config.value, info, random, systemClock.nowMs(), store.recovered, store.durable), systemClock, logger, store);
  };
  let group: ZooKeeperGroup | undefined;
  if (zk === undefined) {
    runtime = await lead(registry ?? new MemoryRegistryStore());
  } else {
    let elected = false;
    const joined = await joinElection(zk.value, flags.zk_session_timeout, info, logger, (contender, leaderUrl) => {
      otherLeader = contender.leading ? undefined : leaderUrl;
      if (!contender.leading || elected) return;
      elected = true;
      logger.info('Elected as the leading master; recovering the registry');
      void recoverSharedRegistry(contender, zk.value.path, flags.registry).then(async (store) => {
        registry = store;
        runtime = await lead(store);
        logger.info('Recovered the registry; serving as the leading master');
      }, (error: unknown) => {
        logger.fatal(`Failed to recover the registry: ${error instanceof Error ? error.message : String(error)}; stopping`);
        process.exit(1);
      });
    }, async (contender) => (flags.registry === 'in_memory' ? ok(undefined) : ZooKeeperRegistryStore.checkFormat(contender.client, sharedRegistryPath(zk.value.path))));
    if (!joined.ok) {
      await app.close();
      return fail(`--zk: ${joined.error}`);
    }
    group = joined.value;
  }
  logger.info({ url: `http://${ip}:${port}`, id: info.id }, 'listening');
  process.stdout.write(`berth master ${info.id} listening on http://${ip}:${port}\n`);
  await waitForSignal();
  runtime?.stop();
  registry?.close();
  group?.close();
  await app.close();
  return 0;
}

/**
 * Contends for leadership in the ZooKeeper group (src/ha): `onLeader` hears
 * the group (whether this master leads) and where the leader is, at every
 * change. A master that loses its session stops at once: another may lead by
 * now.
 */
async function joinElection(
  url: ZooKeeperUrl,
  sessionTimeoutMs: number,
  info: WireMasterInfo,
  logger: Logger,
  onLeader: (group: ZooKeeperGroup, leaderUrl: string | undefined) => void,
  beforeContending: (group: ZooKeeperGroup) => Promise<Result<void>>,
): Promise<Result<ZooKeeperGroup>> {
  const holder: { group?: ZooKeeperGroup } = {};
  const connected = await ZooKeeperGroup.connect(url, sessionTimeoutMs, sessionTimeoutMs, {
    leader: (leader) => {
      logger.info(`Leading master: ${leader === undefined ? 'none' : `${leader.id} at ${leader.url}`}`);
      if (holder.group !== undefined) onLeader(holder.group, leader?.url);
    },
    sessionLost: (why) => {
      logger.fatal(`${why}: stopping, since another master may lead now`);
      process.exit(1);
    },
  });
  if (!connected.ok) return connected;
  holder.group = connected.value;
  const usable = await beforeContending(connected.value);
  if (!usable.ok) {
    connected.value.close();
    return usable;
  }
  const contended = await connected.value.contend(info);
  if (!contended.ok) {
    connected.value.close();
    return contended;
  }
  return ok(connected.value);
}

function sharedRegistryPath(zkPath: string): string {
  return `${zkPath === '/' ? '' : zkPath}/registry`;
}

/**
 * The registry several masters share, under `<zk path>/registry`, opened once
 * this master is elected: writes are fenced by this master's own contender
 * node, so a master that lost leadership cannot change it.
 * --registry=in_memory keeps it in memory (for tests).
 */
async function recoverSharedRegistry(group: ZooKeeperGroup, zkPath: string, kind: 'in_memory' | 'replicated_log'): Promise<RegistryStore> {
  if (kind === 'in_memory') return new MemoryRegistryStore();
  const fence = group.contenderPath;
  if (fence === undefined) throw new Error('elected without a contender node');
  const opened = await ZooKeeperRegistryStore.open(group.client, sharedRegistryPath(zkPath), fence);
  if (!opened.ok) throw new Error(opened.error);
  return opened.value;
}

/**
 * The registry: one SQLite file under --work_dir (made if missing), or in
 * memory without a work directory or with --registry=in_memory.
 */
function openRegistry(workDir: string | undefined, kind: 'in_memory' | 'replicated_log'): Result<RegistryStore> {
  if (workDir === undefined || kind === 'in_memory') return ok(new MemoryRegistryStore());
  try {
    mkdirSync(workDir, { recursive: true });
  } catch (error) {
    return err(`Failed to create the work directory '${workDir}': ${(error as Error).message}`);
  }
  return SqliteRegistryStore.open(join(workDir, registryFileName));
}

function fail(message: string): number {
  process.stderr.write(`${message}\n`);
  return 1;
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

/** The ACL lists given that berth does not decide with yet (docs/differences.md): the agent-side and container lists, get_endpoints. */
function unenforcedAclLists(acls: Acls | undefined): string[] {
  if (acls === undefined) return [];
  const enforced = new Set<string>([
    'reserve_resources',
    'unreserve_resources',
    'create_volumes',
    'destroy_volumes',
    'resize_volumes',
    ...implicitObjectLists,
    ...roleObjectLists,
    'teardown_frameworks',
    'register_frameworks',
    'run_tasks',
    'view_frameworks',
    'view_tasks',
    'view_executors',
    'view_roles',
    'view_flags',
  ]);
  const given = aclListNames.filter((name) => acls[name].length > 0 && !enforced.has(name));
  return [...given, ...acls.unenforced.keys()];
}
