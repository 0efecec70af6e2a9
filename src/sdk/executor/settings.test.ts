// Method: executorSettings over literal environments; no process state is read or changed.
import { describe, expect, it } from 'vitest';
import { ExecutorEnvironmentError } from '../errors.js';
import { executorEndpoint, executorSettings, recoveryTimeoutMsDefault, subscriptionBackoffMaxMsDefault } from './settings.js';

const env = { MESOS_AGENT_ENDPOINT: '10.0.0.5:5051', MESOS_FRAMEWORK_ID: 'fw-1', MESOS_EXECUTOR_ID: 'ex-1' };

describe('sdk: executor settings', () => {
  it('reads the agent endpoint and ids, with Mesos defaults for the rest', () => {
    expect(executorSettings({}, env)).toEqual({
      executorUrl: 'http://10.0.0.5:5051/api/v1/executor',
      frameworkId: 'fw-1',
      executorId: 'ex-1',
      checkpoint: false,
      recoveryTimeoutMs: recoveryTimeoutMsDefault,
      subscriptionBackoffMaxMs: subscriptionBackoffMaxMsDefault,
    });
  });

  it('reads checkpointing, Mesos durations, the token and the sandbox', () => {
    const settings = executorSettings(
      {},
      {
        ...env,
        MESOS_CHECKPOINT: '1',
        MESOS_RECOVERY_TIMEOUT: '15mins',
        MESOS_SUBSCRIPTION_BACKOFF_MAX: '2secs',
        MESOS_EXECUTOR_AUTHENTICATION_TOKEN: 'jwt',
        MESOS_SANDBOX: '/sandbox',
      },
    );
    expect(settings).toMatchObject({
      checkpoint: true,
      recoveryTimeoutMs: 900_000,
      subscriptionBackoffMaxMs: 2_000,
      authenticationToken: 'jwt',
      sandbox: '/sandbox',
    });
  });

  it('lets options win over the environment', () => {
    const settings = executorSettings({ agentEndpoint: 'http://127.0.0.1:9', checkpoint: true, executorId: 'mine' }, env);
    expect(settings).toMatchObject({ executorUrl: 'http://127.0.0.1:9/api/v1/executor', checkpoint: true, executorId: 'mine' });
  });

  it('names the missing variable', () => {
    expect(() => executorSettings({}, { ...env, MESOS_FRAMEWORK_ID: '' })).toThrow(ExecutorEnvironmentError);
    expect(() => executorSettings({}, { ...env, MESOS_FRAMEWORK_ID: '' })).toThrow(/MESOS_FRAMEWORK_ID is not set/);
  });

  it('rejects a malformed duration with the variable and value', () => {
    expect(() => executorSettings({}, { ...env, MESOS_RECOVERY_TIMEOUT: 'soon' })).toThrow(/MESOS_RECOVERY_TIMEOUT='soon'/);
  });

  it('keeps an endpoint that already names the path', () => {
    expect(executorEndpoint('http://a:1/api/v1/executor')).toBe('http://a:1/api/v1/executor');
    expect(executorEndpoint('a:1')).toBe('http://a:1/api/v1/executor');
  });
});
