/**
 * `berth agent`: parses flags, reads its id and journal from the work
 * directory, listens, recovers what the last run left (startup.ts), and links
 * to the master until SIGTERM/SIGINT or until the master tells it to shut
 * down. Bad flags or an unreadable work directory exit 1 with one line.
 */
import { mkdirSync } from 'node:fs';
import { pino } from 'pino';
import { systemClock } from '../../lib/clock.js';
import { createHttpServer } from '../../lib/http/server.js';
import { flagsAsStrings, flagsUsage, parseFlags } from '../../lib/flags/index.js';
import { pinoLevel } from '../../lib/logging.js';
import { agentFlags } from '../../cli/flags/agent-flags.js';
import { advertisedHostname, advertisedIp } from '../../master/shell/address.js';
import { compileAgentConfig } from './config.js';
import { recoverAgentId } from './meta.js';
import { prepareMountDiskImages } from './mount-disk-images.js';
import { registerAgentRoutes } from './routes.js';
import { AgentRuntime } from './runtime.js';
import { masterUrlFromFlag } from './master-url.js';
import { LeaderDetector } from '../../ha/leader-detector.js';
import { isZooKeeperUrl, parseZooKeeperUrl } from '../../ha/zk-url.js';
import { ok } from '../../lib/result.js';
import { checkBoot, openJournal } from './recovery.js';
import { buildServices, type BuiltServices } from './services.js';
import { liveExecutors, recoverRuntime } from './startup.js';
import { registerExecutorRoutes } from './executor-route.js';
import { ResourceJournal } from '../volumes/resource-journal.js';
import { Files } from '../files/files.js';
import { registerFilesRoutes } from '../files/routes.js';
import { registerMonitorRoutes } from '../monitor/statistics.js';
import { registerAgentOperatorApi } from '../monitor/operator-api.js';
import { monitoredExecutors } from '../views/monitored.js';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { resolve } from 'node:path';

export async function runAgent(argv: readonly string[]): Promise<number> {
  const parsed = parseFlags(agentFlags, argv);
  if (!parsed.ok) return fail(parsed.error);
  if (parsed.value.helpRequested) {
    process.stdout.write(flagsUsage(agentFlags, 'berth agent'));
    return 0;
  }
  if (parsed.value.positional.length > 0) return fail(`Unexpected argument '${parsed.value.positional[0] ?? ''}': flags take the form --name=value`);
  const flags = parsed.value.values;
  // --master=zk://...: the leader is found in ZooKeeper (and followed); else one fixed address.
  const zk = isZooKeeperUrl(flags.master) ? parseZooKeeperUrl(flags.master, 'master') : undefined;
  if (zk !== undefined && !zk.ok) return fail(zk.error);
  const masterUrl = zk === undefined ? masterUrlFromFlag(flags.master) : ok(flags.master);
  if (!masterUrl.ok) return fail(masterUrl.error);
  try {
    mkdirSync(flags.work_dir, { recursive: true });
  } catch (error) {
    return fail(`Failed to create the work directory '${flags.work_dir}': ${(error as Error).message}`);
  }
  const recovered = recoverAgentId(flags.work_dir);
  if (!recovered.ok) return fail(recovered.error);
  const workDir = resolve(flags.work_dir);
  const boot = checkBoot(workDir);
  const journal = recovered.value === undefined ? undefined : openJournal(workDir, recovered.value, flags.strict);
  if (journal !== undefined && !journal.ok) return fail(journal.error);
  const logger = pino({ level: pinoLevel(flags.logging_level), base: { process: 'agent' } }, pino.destination(2));
  if (journal !== undefined && journal.value.errors > 0) logger.warn(`Skipped ${journal.value.errors} unreadable journal records (--no-strict)`);
  const detector = zk === undefined ? undefined : new LeaderDetector(zk.value, logger);
  const fixedMaster = masterUrl.value;
  const currentMaster = (): string | undefined => (detector === undefined ? fixedMaster : detector.current());
  const app = createHttpServer();
  let runtime: AgentRuntime | undefined;
  let pid = '';
  const flagStrings = Object.fromEntries(flagsAsStrings(agentFlags, flags).map(({ name, value }) => [name, value]));
  const built = buildServices(flags, workDir, systemClock, logger);
  if (!built.ok) return fail(built.error);
  const services = built.value;
  registerAgentRoutes(app, { runtime: () => runtime, pid: () => pid, flags: flagStrings });
  registerExecutorRoutes(app, () => runtime);
  registerFilesRoutes(app, new Files({ roots: services.fileRoots }));
  const monitor = {
    executors: () => (runtime === undefined ? [] : monitoredExecutors(runtime.core.state)),
    usage: (containerId: string) => services.containerizer.usage(containerId),
    clock: systemClock,
  };
  registerMonitorRoutes(app, monitor);
  registerAgentOperatorApi(app, monitor);
  const host = flags.ip ?? '0.0.0.0';
  try {
    await app.listen({ host, port: flags.port });
  } catch (error) {
    return fail(`Failed to listen on ${host}:${flags.port}: ${(error as Error).message}`);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : flags.port;
  const ip = advertisedIp(flags.advertise_ip ?? flags.ip, host);
  const hostname = advertisedHostname(flags.hostname, flags.hostname_lookup, ip);
  // Images may take a while to make and format: the operator sees each step.
  const mountDiskImages = prepareMountDiskImages(flags.mount_disk_images, (line) => process.stdout.write(`berth agent: ${line}\n`));
  if (!mountDiskImages.ok) {
    await app.close();
    return fail(mountDiskImages.error);
  }
  // Reservations and volumes outlive the agent's id: recovered before anything registers (spec/storage.md 3.2).
  const checkpointed = ResourceJournal.open(workDir);
  if (!checkpointed.ok) {
    await app.close();
    return fail(checkpointed.error);
  }
  const config = compileAgentConfig(flags, ip, flags.advertise_port ?? port, hostname, checkpointed.value.state, mountDiskImages.value);
  if (!config.ok) {
    checkpointed.value.journal.close();
    await app.close();
    return fail(config.error);
  }
  pid = `slave(1)@${ip}:${port}`;
  const agentRuntime = await recoverRuntime({
    config: config.value,
    agentId: recovered.value,
    journal: journal?.value,
    boot,
    workDir,
    strict: flags.strict,
    masterUrl: currentMaster,
    services,
    resourceJournal: checkpointed.value.journal,
    logger,
  });
  runtime = agentRuntime;
  if (flags.recover === 'cleanup') return cleanUp(agentRuntime, app, services, logger);
  await agentRuntime.compactJournal();
  agentRuntime.start();
  logger.info({ url: `http://${ip}:${port}`, master: masterUrl.value }, 'listening');
  services.announce();
  process.stdout.write(`berth agent listening on http://${ip}:${port}\n`);
  const stopReason = await new Promise<string>((resolveStop) => {
    agentRuntime.onShutdown((message) => resolveStop(`shut down by the master: ${message}`));
    agentRuntime.onFatalError((error) => resolveStop(`fatal: ${error.message}`));
    process.once('SIGTERM', () => resolveStop('SIGTERM'));
    process.once('SIGINT', () => resolveStop('SIGINT'));
  });
  logger.info(`Stopping (${stopReason})`);
  await agentRuntime.stop();
  detector?.close();
  await services.close();
  await app.close();
  return stopReason.startsWith('fatal') ? 1 : 0;
}

/**
 * --recover=cleanup: every container of the previous run is destroyed, and the
 * agent exits without linking to the master (for an incompatible upgrade).
 */
async function cleanUp(runtime: AgentRuntime, app: FastifyInstance, services: BuiltServices, logger: Logger): Promise<number> {
  const containers = liveExecutors(runtime.core.state).map((executor) => executor.containerId);
  logger.info(`--recover=cleanup: destroying ${containers.length} containers`);
  await runtime.destroyAll(containers);
  await runtime.stop();
  await services.close();
  await app.close();
  process.stdout.write(`berth agent: cleaned up ${containers.length} containers\n`);
  return 0;
}

function fail(message: string): number {
  process.stderr.write(`${message}\n`);
  return 1;
}
