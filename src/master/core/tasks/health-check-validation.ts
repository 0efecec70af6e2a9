/** HealthCheck validation (Mesos' common/validation.cpp validateHealthCheck), with its texts. */
import type { HealthCheck } from '../../../protocol/mesos.js';
import type { z } from 'zod';

type Check = z.output<typeof HealthCheck>;

export function validateHealthCheck(check: Check): string | undefined {
  if (check.type === undefined) return "HealthCheck must specify 'type'";
  switch (check.type) {
    case 'COMMAND':
      if (check.command === undefined) return "Expecting 'command' to be set for COMMAND health check";
      if ((check.command.shell ?? true) && check.command.value === undefined) return 'Command health check must contain a shell command';
      if (check.command.shell === false && check.command.value === undefined) return "Command health check must contain 'value'";
      break;
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
    ['interval_seconds', check.interval_seconds],
    ['timeout_seconds', check.timeout_seconds],
    ['grace_period_seconds', check.grace_period_seconds],
  ] as const) {
    if (value !== undefined && value < 0) return `Expecting '${field}' to be non-negative`;
  }
  return undefined;
}
