/**
 * `berth agent`: parses flags, recovers its id from the work directory,
 * listens, and links to the master until SIGTERM/SIGINT or until the master
 * tells it to shut down. Bad flags or an unreadable work directory exit 1 with
 * one line.
 */
import { mkdirSync } from 'node:fs';
import { pino } from 'pino';
import { systemClock } from '../../lib/clock.js';
import { systemRandom } from '../../lib/random.js';
import { createHttpServer } from '../../lib/http/server.js';
import { flagsAsStrings, flagsUsage, parseFlags } from '../../lib/flags/index.js';
import { pinoLevel } from '../../lib/logging.js';
import { agentFlags } from '../../cli/flags/agent-flags.js';
import { advertisedHostname, advertisedIp } from '../../master/shell/address.js';
import { AgentCore } from '../core/agent-core.js';
import { compileAgentConfig } from './config.js';
import { recoverAgentId } from './meta.js';
import { registerAgentRoutes } from './routes.js';
import { AgentRuntime } from './runtime.js';
import { masterUrlFromFlag } from './master-url.js';

export async function runAgent(argv: readonly string[]): Promise<number> {
  const parsed = parseFlags(agentFlags, argv);
  if (!parsed.ok) return fail(parsed.error);
  if (parsed.value.helpRequested) {
    process.stdout.write(flagsUsage(agentFlags, 'berth agent'));
    return 0;
  }
  if (parsed.value.positional.length > 0) return fail(`Unexpected argument '${parsed.value.positional[0] ?? ''}': flags take the form --name=value`);
  const flags = parsed.value.values;
  const masterUrl = masterUrlFromFlag(flags.master);
  if (!masterUrl.ok) return fail(masterUrl.error);
  try {
    mkdirSync(flags.work_dir, { recursive: true });
  } catch (error) {
    return fail(`Failed to create the work directory '${flags.work_dir}': ${(error as Error).message}`);
  }
  const recovered = recoverAgentId(flags.work_dir);
  if (!recovered.ok) return fail(recovered.error);
  const logger = pino({ level: pinoLevel(flags.logging_level), base: { process: 'agent' } }, pino.destination(2));
  const app = createHttpServer();
  let runtime: AgentRuntime | undefined;
  let pid = '';
  const flagStrings = Object.fromEntries(flagsAsStrings(agentFlags, flags).map(({ name, value }) => [name, value]));
  registerAgentRoutes(app, { runtime: () => runtime, pid: () => pid, flags: flagStrings });
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
  const config = compileAgentConfig(flags, ip, flags.advertise_port ?? port, hostname);
  if (!config.ok) {
    await app.close();
    return fail(config.error);
  }
  pid = `slave(1)@${ip}:${port}`;
  runtime = new AgentRuntime(new AgentCore(config.value, systemRandom, systemClock.nowMs(), recovered.value), systemClock, logger, masterUrl.value, flags.work_dir);
  logger.info({ url: `http://${ip}:${port}`, master: masterUrl.value }, 'listening');
  process.stdout.write(`berth agent listening on http://${ip}:${port}\n`);
  const stopReason = await new Promise<string>((resolve) => {
    runtime?.onShutdown((message) => resolve(`shut down by the master: ${message}`));
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info(`Stopping (${stopReason})`);
  runtime.stop();
  await app.close();
  return 0;
}

function fail(message: string): number {
  process.stderr.write(`${message}\n`);
  return 1;
}
