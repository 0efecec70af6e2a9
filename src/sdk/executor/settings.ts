/**
 * Where an executor finds what it needs: the environment the agent sets when
 * it launches an executor (spec 2.3), each variable overridable by an option.
 * Pure: the environment is an argument.
 *
 *   MESOS_AGENT_ENDPOINT            ip:port of the agent (required)
 *   MESOS_FRAMEWORK_ID              (required)
 *   MESOS_EXECUTOR_ID               (required)
 *   MESOS_CHECKPOINT                '1' when the framework checkpoints
 *   MESOS_RECOVERY_TIMEOUT          how long to keep re-subscribing after a break (checkpointing only)
 *   MESOS_SUBSCRIPTION_BACKOFF_MAX  cap on the delay between attempts
 *   MESOS_EXECUTOR_AUTHENTICATION_TOKEN   sent as 'Authorization: Bearer <token>'
 *   MESOS_SANDBOX, MESOS_DIRECTORY  the sandbox (informational)
 */
import { parseDuration } from '../../lib/duration.js';
import { ExecutorEnvironmentError } from '../errors.js';

/** Mesos' default `--recovery_timeout`: how long an agent may be down before its executors give up. */
export const recoveryTimeoutMsDefault = 15 * 60_000;
/** Cap on the delay between subscription attempts when MESOS_SUBSCRIPTION_BACKOFF_MAX is not set. */
export const subscriptionBackoffMaxMsDefault = 2_000;
/** First delay between subscription attempts (it doubles up to the cap, jittered). */
export const subscriptionBackoffInitialMsDefault = 100;
/**
 * How long the first SUBSCRIBE is retried (the agent may still be recovering
 * and answer 503): the agent's default `--executor_registration_timeout`,
 * after which it destroys an executor that has not subscribed anyway.
 */
export const registrationTimeoutMsDefault = 60_000;

export const executorPath = '/api/v1/executor';

export type Environment = Readonly<Record<string, string | undefined>>;

/** Overrides for the environment; each wins over its variable. */
export interface ExecutorSettingsInput {
  /** 'host:port' or 'http://host:port' (MESOS_AGENT_ENDPOINT). */
  readonly agentEndpoint?: string;
  readonly frameworkId?: string;
  readonly executorId?: string;
  readonly checkpoint?: boolean;
  readonly recoveryTimeoutMs?: number;
  readonly subscriptionBackoffMaxMs?: number;
  readonly authenticationToken?: string;
}

export interface ExecutorSettings {
  /** The executor endpoint: http://<agent endpoint>/api/v1/executor. */
  readonly executorUrl: string;
  readonly frameworkId: string;
  readonly executorId: string;
  /** Whether to ride out an agent restart (re-subscribe) rather than end when the connection breaks. */
  readonly checkpoint: boolean;
  readonly recoveryTimeoutMs: number;
  readonly subscriptionBackoffMaxMs: number;
  readonly authenticationToken?: string;
  readonly sandbox?: string;
}

/** Options first, then the environment; throws ExecutorEnvironmentError naming what is missing or malformed. */
export function executorSettings(input: ExecutorSettingsInput, env: Environment): ExecutorSettings {
  const endpoint = input.agentEndpoint ?? required(env, 'MESOS_AGENT_ENDPOINT');
  const token = input.authenticationToken ?? nonEmpty(env['MESOS_EXECUTOR_AUTHENTICATION_TOKEN']);
  const sandbox = nonEmpty(env['MESOS_SANDBOX']) ?? nonEmpty(env['MESOS_DIRECTORY']);
  const settings: ExecutorSettings = {
    executorUrl: executorEndpoint(endpoint),
    frameworkId: input.frameworkId ?? required(env, 'MESOS_FRAMEWORK_ID'),
    executorId: input.executorId ?? required(env, 'MESOS_EXECUTOR_ID'),
    checkpoint: input.checkpoint ?? env['MESOS_CHECKPOINT'] === '1',
    recoveryTimeoutMs: input.recoveryTimeoutMs ?? duration(env, 'MESOS_RECOVERY_TIMEOUT', recoveryTimeoutMsDefault),
    subscriptionBackoffMaxMs:
      input.subscriptionBackoffMaxMs ?? duration(env, 'MESOS_SUBSCRIPTION_BACKOFF_MAX', subscriptionBackoffMaxMsDefault),
    ...(token === undefined ? {} : { authenticationToken: token }),
    ...(sandbox === undefined ? {} : { sandbox }),
  };
  if (!(settings.recoveryTimeoutMs > 0)) throw new ExecutorEnvironmentError(`recovery timeout must be positive, got ${settings.recoveryTimeoutMs} ms`);
  if (!(settings.subscriptionBackoffMaxMs > 0)) {
    throw new ExecutorEnvironmentError(`subscription backoff cap must be positive, got ${settings.subscriptionBackoffMaxMs} ms`);
  }
  return settings;
}

/** 'ip:port', 'http://ip:port' or a full endpoint URL, as the executor endpoint URL. */
export function executorEndpoint(agentEndpoint: string): string {
  const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(agentEndpoint) ? agentEndpoint : `http://${agentEndpoint}`;
  let url: URL;
  try {
    url = new URL(absolute);
  } catch {
    throw new ExecutorEnvironmentError(`agent endpoint '${agentEndpoint}' is not host:port`);
  }
  if (!url.pathname.endsWith(executorPath)) url.pathname = url.pathname.replace(/\/+$/, '') + executorPath;
  return url.toString();
}

function required(env: Environment, name: string): string {
  const value = nonEmpty(env[name]);
  if (value === undefined) throw new ExecutorEnvironmentError(`${name} is not set: is this process an executor launched by an agent?`);
  return value;
}

/** A Mesos duration ('15mins', '2secs'); a bare number is taken as seconds. */
function duration(env: Environment, name: string, fallbackMs: number): number {
  const text = nonEmpty(env[name]);
  if (text === undefined) return fallbackMs;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const parsed = parseDuration(text);
  if (!parsed.ok) throw new ExecutorEnvironmentError(`${name}='${text}': ${parsed.error}`);
  return parsed.value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
