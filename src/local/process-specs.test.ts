// Method: build the command lines berth local runs and compare them with what
// `berth master` and `berth agent` are expected to receive.
import { describe, expect, it } from 'vitest';
import { cliEntryPath } from './entry.js';
import { localLayout } from './layout.js';
import { plannedPorts } from './preflight.js';
import { addressOfUrl, agentPort, agentSpec, commandLine, masterSpec, portOfUrl, withPort } from './process-specs.js';

const layout = localLayout('.berth', '/home/user/project');

describe('local: process specs', () => {
  it('local: process specs: the layout hangs off the absolute work directory', () => {
    expect(layout).toEqual({ workDir: '/home/user/project/.berth', socketPath: '/home/user/project/.berth/local.sock' });
    expect(localLayout('/tmp/b', '/home/user').workDir).toBe('/tmp/b');
  });

  it('local: process specs: the master listens on loopback with its own work directory and log', () => {
    const spec = masterSpec(layout, 5050);
    expect(spec.logPath).toBe('/home/user/project/.berth/master/master.log');
    expect(commandLine('/repo/dist/src/cli/main.js', spec)).toEqual([
      '/repo/dist/src/cli/main.js',
      'master',
      '--ip=127.0.0.1',
      '--port=5050',
      '--work_dir=/home/user/project/.berth/master',
    ]);
  });

  it('local: process specs: agent i gets port master+i, hostname agent<i>, its directory and resources', () => {
    const spec = agentSpec(layout, {
      agentIndex: 2,
      masterPort: 5050,
      masterAddress: '127.0.0.1:5050',
      resources: 'cpus:1;mem:512;disk:100;ports:[32000-32999]',
    });
    expect(spec.name).toBe('agent2');
    expect(spec.logPath).toBe('/home/user/project/.berth/agent2/agent2.log');
    expect(commandLine('main.js', spec)).toEqual([
      'main.js',
      'agent',
      '--ip=127.0.0.1',
      '--port=5052',
      '--work_dir=/home/user/project/.berth/agent2',
      '--master=127.0.0.1:5050',
      '--hostname=agent2',
      '--resources=cpus:1;mem:512;disk:100;ports:[32000-32999]',
    ]);
  });

  it('local: process specs: with master port 0 every agent picks a free port too', () => {
    expect(agentPort(0, 3)).toBe(0);
    expect(agentPort(6000, 3)).toBe(6003);
  });

  it('local: process specs: a restart keeps the port the process got', () => {
    const spec = masterSpec(layout, 0);
    expect(commandLine('main.js', withPort(spec, portOfUrl('http://127.0.0.1:41234')))).toContain('--port=41234');
  });

  it('local: process specs: URLs become agent --master addresses and ports', () => {
    expect(addressOfUrl('http://127.0.0.1:5050')).toBe('127.0.0.1:5050');
    expect(portOfUrl('http://127.0.0.1:5050')).toBe(5050);
    expect(portOfUrl('http://127.0.0.1:80')).toBe(80);
  });

  it('local: process specs: the CLI entry is the compiled one, also when running from source', () => {
    expect(cliEntryPath()).toMatch(/\/dist\/src\/cli\/main\.js$/);
  });

  it('local: process specs: planned ports are the master and master+i, none with port 0', () => {
    expect(plannedPorts({ port: 5050, agents: 2 })).toEqual({
      ok: true,
      value: [
        { port: 5050, name: 'master' },
        { port: 5051, name: 'agent1' },
        { port: 5052, name: 'agent2' },
      ],
    });
    expect(plannedPorts({ port: 0, agents: 3 })).toEqual({ ok: true, value: [] });
    expect(plannedPorts({ port: 65_534, agents: 3 })).toEqual({
      ok: false,
      error: '--port=65534 leaves no room for 3 agents on the ports after it (up to 65537)',
    });
  });
});
