/**
 * TaskInfo.health_check as the wire carries it, validated (Mesos'
 * common/validation validateHealthCheck) and with the proto defaults applied
 * (spec/core.md 2.5): the checker works only with a `HealthCheckSpec`.
 */
import { err, ok, type Result } from '../../lib/result.js';

export const healthCheckDefaults = {
  delaySeconds: 15,
  intervalSeconds: 10,
  timeoutSeconds: 20,
  consecutiveFailures: 3,
  gracePeriodSeconds: 10,
} as const;

const millisecondsPerSecond = 1000;

/**
 * Mesos accepts interval_seconds 0 and then checks back to back; berth waits
 * at least this long between checks, so one task cannot keep the agent
 * spawning processes in a tight loop.
 */
export const healthCheckIntervalMsMin = 100;
const portMax = 65_535;

/** What to probe: one member per HealthCheck.Type. */
export type ProbeSpec =
  | {
      readonly type: 'COMMAND';
      /** true: `/bin/sh -c value`; false: exec `value` with `arguments` as argv (argv[0] included). */
      readonly shell: boolean;
      readonly value: string;
      readonly arguments: readonly string[];
      /** The check's own variables, laid over the task's environment. */
      readonly environment: Readonly<Record<string, string>>;
    }
  | {
      readonly type: 'HTTP';
      readonly scheme: 'http' | 'https';
      readonly port: number;
      readonly path: string;
      /** Statuses that mean healthy; empty = Mesos' rule, 200 to 399. */
      readonly statuses: readonly number[];
      readonly ipv6: boolean;
    }
  | { readonly type: 'TCP'; readonly port: number; readonly ipv6: boolean };

export interface HealthCheckSpec {
  readonly delayMs: number;
  readonly intervalMs: number;
  /** undefined: no timeout (Mesos reads timeout_seconds 0 as infinite). */
  readonly timeoutMs: number | undefined;
  /** Counted failures in a row that fail the task; 0 behaves as 1, as in Mesos. */
  readonly consecutiveFailures: number;
  readonly gracePeriodMs: number;
  readonly probe: ProbeSpec;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses and validates a HealthCheck; the error is Mesos' message for the same fault. */
export function parseHealthCheck(check: Readonly<Record<string, unknown>>): Result<HealthCheckSpec> {
  const probe = parseProbe(check);
  if (!probe.ok) return probe;
  const seconds: Record<string, number> = {};
  for (const [field, fallback] of [
    ['delay_seconds', healthCheckDefaults.delaySeconds],
    ['grace_period_seconds', healthCheckDefaults.gracePeriodSeconds],
    ['interval_seconds', healthCheckDefaults.intervalSeconds],
    ['timeout_seconds', healthCheckDefaults.timeoutSeconds],
  ] as const) {
    const value = check[field] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) return err(`Expecting '${field}' to be a number`);
    if (value < 0) return err(`Expecting '${field}' to be non-negative`);
    seconds[field] = value;
  }
  const failures = check['consecutive_failures'] ?? healthCheckDefaults.consecutiveFailures;
  if (typeof failures !== 'number' || !Number.isSafeInteger(failures) || failures < 0) {
    return err("Expecting 'consecutive_failures' to be a non-negative integer");
  }
  const timeoutSeconds = seconds['timeout_seconds'] ?? healthCheckDefaults.timeoutSeconds;
  return ok({
    delayMs: (seconds['delay_seconds'] ?? 0) * millisecondsPerSecond,
    intervalMs: Math.max(healthCheckIntervalMsMin, (seconds['interval_seconds'] ?? 0) * millisecondsPerSecond),
    timeoutMs: timeoutSeconds > 0 ? timeoutSeconds * millisecondsPerSecond : undefined,
    consecutiveFailures: failures,
    gracePeriodMs: (seconds['grace_period_seconds'] ?? 0) * millisecondsPerSecond,
    probe: probe.value,
  });
}

function parseProbe(check: Readonly<Record<string, unknown>>): Result<ProbeSpec> {
  const type = check['type'];
  if (type === undefined) return err("HealthCheck must specify 'type'");
  switch (type) {
    case 'COMMAND':
      return parseCommand(check['command']);
    case 'HTTP':
      return parseHttp(check['http']);
    case 'TCP':
      return parseTcp(check['tcp']);
    default:
      return err(`'${String(type)}' is not a valid health check type`);
  }
}

function parseCommand(command: unknown): Result<ProbeSpec> {
  if (!isObject(command)) return err("Expecting 'command' to be set for COMMAND health check");
  const shell = command['shell'] ?? true;
  if (typeof shell !== 'boolean') return err("Health check's `CommandInfo` is invalid: 'shell' must be a boolean");
  const value = command['value'];
  if (typeof value !== 'string') return err(`Command health check must contain ${shell ? "'shell command'" : "'executable path'"}`);
  const argv = command['arguments'] ?? [];
  if (!Array.isArray(argv) || !argv.every((item): item is string => typeof item === 'string')) {
    return err("Health check's `CommandInfo` is invalid: 'arguments' must be strings");
  }
  const environment = parseEnvironment(command['environment']);
  if (!environment.ok) return environment;
  return ok({ type: 'COMMAND', shell, value, arguments: argv, environment: environment.value });
}

/** Environment { variables: [{ name, value }] }; secrets are not supported and refused. */
function parseEnvironment(environment: unknown): Result<Record<string, string>> {
  const variables: Record<string, string> = {};
  if (environment === undefined) return ok(variables);
  const list = isObject(environment) ? (environment['variables'] ?? []) : undefined;
  if (!Array.isArray(list)) return err("Health check's `CommandInfo` is invalid: bad 'environment'");
  for (const variable of list) {
    if (!isObject(variable) || typeof variable['name'] !== 'string' || typeof variable['value'] !== 'string') {
      return err("Health check's `CommandInfo` is invalid: environment variables need a 'name' and a 'value'");
    }
    variables[variable['name']] = variable['value'];
  }
  return ok(variables);
}

function parsePort(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= portMax ? value : undefined;
}

function parseHttp(http: unknown): Result<ProbeSpec> {
  if (!isObject(http)) return err("Expecting 'http' to be set for HTTP health check");
  const scheme = http['scheme'] ?? 'http';
  if (scheme !== 'http' && scheme !== 'https') return err(`Unsupported HTTP health check scheme: '${String(scheme)}'`);
  const path = http['path'] ?? '/';
  if (typeof path !== 'string' || !path.startsWith('/')) return err(`The path '${String(path)}' of HTTP health check must start with '/'`);
  const port = parsePort(http['port']);
  if (port === undefined) return err("Expecting 'http.port' to be a port number");
  const statuses = http['statuses'] ?? [];
  if (!Array.isArray(statuses) || !statuses.every((status): status is number => typeof status === 'number' && Number.isInteger(status))) {
    return err("Expecting 'http.statuses' to be a list of status codes");
  }
  return ok({ type: 'HTTP', scheme, port, path, statuses, ipv6: http['protocol'] === 'IPv6' });
}

function parseTcp(tcp: unknown): Result<ProbeSpec> {
  if (!isObject(tcp)) return err("Expecting 'tcp' to be set for TCP health check");
  const port = parsePort(tcp['port']);
  if (port === undefined) return err("Expecting 'tcp.port' to be a port number");
  return ok({ type: 'TCP', port, ipv6: tcp['protocol'] === 'IPv6' });
}
