/** HealthCheck validation at LAUNCH: Mesos' texts and order (common/validation.cpp validateHealthCheck). */
import { describe, expect, it } from 'vitest';
import { HealthCheck } from '../../../protocol/mesos.js';
import { validateHealthCheck } from './health-check-validation.js';

const check = (wire: object): string | undefined => validateHealthCheck(HealthCheck.parse(wire));

describe('validateHealthCheck', () => {
  it("asks for a 'shell command' when the command has no value and shell is true or absent", () => {
    expect(check({ type: 'COMMAND', command: {} })).toBe("Command health check must contain 'shell command'");
    expect(check({ type: 'COMMAND', command: { shell: true } })).toBe("Command health check must contain 'shell command'");
  });

  it("asks for an 'executable path' when the command has no value and shell is false", () => {
    expect(check({ type: 'COMMAND', command: { shell: false, arguments: ['x'] } })).toBe("Command health check must contain 'executable path'");
  });

  it('accepts a command with a value, shell or not', () => {
    expect(check({ type: 'COMMAND', command: { value: 'true' } })).toBeUndefined();
    expect(check({ type: 'COMMAND', command: { shell: false, value: '/bin/true', arguments: ['true'] } })).toBeUndefined();
  });

  it("refuses a command whose environment is invalid, as Mesos' validateCommandInfo does", () => {
    const env = (variable: object) => check({ type: 'COMMAND', command: { value: 'true', environment: { variables: [variable] } } });
    expect(env({ name: 'A' })).toBe("Health check's `CommandInfo` is invalid: Environment variable 'A' of type 'VALUE' must have a value set");
    expect(env({ name: 'B', type: 'SECRET', value: 'v' })).toBe(
      "Health check's `CommandInfo` is invalid: Environment variable 'B' of type 'SECRET' must have a secret set",
    );
    expect(env({ name: 'C', type: 'UNKNOWN' })).toBe("Health check's `CommandInfo` is invalid: Environment variable of type 'UNKNOWN' is not allowed");
    expect(env({ name: 'D', value: 'd' })).toBeUndefined();
  });

  it('checks the other types with their texts', () => {
    expect(check({})).toBe("HealthCheck must specify 'type'");
    expect(check({ type: 'COMMAND' })).toBe("Expecting 'command' to be set for COMMAND health check");
    expect(check({ type: 'HTTP' })).toBe("Expecting 'http' to be set for HTTP health check");
    expect(check({ type: 'HTTP', http: { port: 80, scheme: 'ftp' } })).toBe("Unsupported HTTP health check scheme: 'ftp'");
    expect(check({ type: 'HTTP', http: { port: 80, path: 'health' } })).toBe("The path 'health' of HTTP health check must start with '/'");
    expect(check({ type: 'TCP' })).toBe("Expecting 'tcp' to be set for TCP health check");
    expect(check({ type: 'UNKNOWN' })).toBe("'UNKNOWN' is not a valid health check type");
  });

  it('names the first negative duration in Mesos order: delay, grace period, interval, timeout', () => {
    const tcp = { type: 'TCP', tcp: { port: 1 } };
    expect(check({ ...tcp, delay_seconds: -1, interval_seconds: -1 })).toBe("Expecting 'delay_seconds' to be non-negative");
    expect(check({ ...tcp, grace_period_seconds: -1, interval_seconds: -1, timeout_seconds: -1 })).toBe(
      "Expecting 'grace_period_seconds' to be non-negative",
    );
    expect(check({ ...tcp, interval_seconds: -1, timeout_seconds: -1 })).toBe("Expecting 'interval_seconds' to be non-negative");
    expect(check({ ...tcp, timeout_seconds: -1 })).toBe("Expecting 'timeout_seconds' to be non-negative");
  });
});
