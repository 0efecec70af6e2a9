/** HealthCheck validation (Mesos' common/validation.cpp validateHealthCheck), in its order with its texts. */
import type { CommandInfo, HealthCheck } from '../../../protocol/mesos.js';
import type { z } from 'zod';

type Check = z.output<typeof HealthCheck>;

export function validateHealthCheck(check: Check): string | undefined {
  if (check.type === undefined) return "HealthCheck must specify 'type'";
  switch (check.type) {
    case 'COMMAND': {
      if (check.command === undefined) return "Expecting 'command' to be set for COMMAND health check";
      // CommandInfo.shell defaults to true: a shell command line, else an executable path with its arguments.
      if (check.command.value === undefined) {
        return `Command health check must contain ${(check.command.shell ?? true) ? "'shell command'" : "'executable path'"}`;
      }
      const environment = validateEnvironment(check.command);
      if (environment !== undefined) return `Health check's \`CommandInfo\` is invalid: ${environment}`;
      break;
    }
    case 'HTTP':
      if (check.http === undefined) return "Expecting 'http' to be set for HTTP health check";
      if (check.http.scheme !== undefined && check.http.scheme !== 'http' && check.http.scheme !== 'https') {
        return `Unsupported HTTP health check scheme: '${check.http.scheme}'`;
      }
      if (check.http.path !== undefined && !check.http.path.startsWith('/')) {
        return "The path '" + check.http.path + "' of HTTP health check must start with '/'";
      }
      break;
    case 'TCP':
      if (check.tcp === undefined) return "Expecting 'tcp' to be set for TCP health check";
      break;
    case 'UNKNOWN':
      return "'UNKNOWN' is not a valid health check type";
  }
  for (const [field, value] of [
    ['delay_seconds', check.delay_seconds],
    ['grace_period_seconds', check.grace_period_seconds],
    ['interval_seconds', check.interval_seconds],
    ['timeout_seconds', check.timeout_seconds],
  ] as const) {
    if (value !== undefined && value < 0) return `Expecting '${field}' to be non-negative`;
  }
  return undefined;
}

/**
 * Mesos' validateEnvironment, as validateCommandInfo applies it. The contents
 * of a secret are not checked here: berth resolves no secrets yet.
 */
function validateEnvironment(command: z.output<typeof CommandInfo>): string | undefined {
  for (const variable of command.environment?.variables ?? []) {
    const name = variable.name;
    // An absent type is VALUE, the proto default.
    switch (variable.type ?? 'VALUE') {
      case 'SECRET':
        if (variable.secret === undefined) return `Environment variable '${name}' of type 'SECRET' must have a secret set`;
        if (variable.value !== undefined) return `Environment variable '${name}' of type 'SECRET' must not have a value set`;
        break;
      case 'VALUE':
        if (variable.value === undefined) return `Environment variable '${name}' of type 'VALUE' must have a value set`;
        if (variable.secret !== undefined) return `Environment variable '${name}' of type 'VALUE' must not have a secret set`;
        break;
      case 'UNKNOWN':
        return "Environment variable of type 'UNKNOWN' is not allowed";
    }
  }
  return undefined;
}
