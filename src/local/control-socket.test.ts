// Method: the control protocol's pure parts, then a real server and client on a
// unix socket under the test root.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testRoot } from '../../test/support/test-root.js';
import { err, ok } from '../lib/result.js';
import { requestRestart } from './control-client.js';
import { startControlServer } from './control-server.js';
import { parseControlMessage, probeControlSocket, socketConnectPath } from './control-socket.js';

function socketDir(): string {
  mkdirSync(testRoot(), { recursive: true });
  return mkdtempSync(join(testRoot(), 'local-sock-'));
}

describe('local: control socket', () => {
  it('local: control socket: a path too long for a unix socket is used relative to the current directory', () => {
    const directory = 'd'.repeat(90);
    expect(socketConnectPath('/tmp/x/local.sock', '/home/u')).toEqual(ok('/tmp/x/local.sock'));
    expect(socketConnectPath(`/home/u/p/${directory}/local.sock`, '/home/u/p')).toEqual(ok(`${directory}/local.sock`));
  });

  it('local: control socket: a path too long either way is a one-line error', () => {
    const deep = `/home/u/p/${'d'.repeat(120)}/local.sock`;
    expect(socketConnectPath(deep, '/home/u/p')).toEqual(
      err(`the control socket path ${deep} is too long for a unix socket; use a shorter --work_dir`),
    );
  });

  it('local: control socket: lines parse into messages; anything else is an error message', () => {
    expect(parseControlMessage('{"progress":"stopping agent1"}')).toEqual({ progress: 'stopping agent1' });
    expect(parseControlMessage('{"done":"restarted agent1"}')).toEqual({ done: 'restarted agent1' });
    expect(parseControlMessage('{"error":"no"}')).toEqual({ error: 'no' });
    expect(parseControlMessage('hello')).toEqual({ error: 'unexpected answer from berth local: hello' });
  });

  it('local: control socket: a restart streams progress and ends with the result; a probe sees the owner', async () => {
    const path = join(socketDir(), 'local.sock');
    expect(await probeControlSocket(path)).toEqual({ state: 'absent' });
    const server = await startControlServer(path, {
      status: () => ({ pid: 4242 }),
      restart: async (name, report) => {
        report(`stopping ${name}`);
        report(`started ${name}`);
        return name === 'agent1' ? ok(`restarted ${name}`) : err(`there is no process '${name}'`);
      },
    });
    if (!server.ok) throw new Error(server.error);
    try {
      expect(await probeControlSocket(path)).toEqual({ state: 'running', pid: 4242 });
      const progress: string[] = [];
      expect(await requestRestart(path, 'agent1', (line) => progress.push(line))).toEqual(ok('restarted agent1'));
      expect(progress).toEqual(['stopping agent1', 'started agent1']);
      expect(await requestRestart(path, 'agent9', () => undefined)).toEqual(err("there is no process 'agent9'"));
      const second = await startControlServer(path, { status: () => ({ pid: 1 }), restart: async () => ok('') });
      expect(second.ok).toBe(false);
    } finally {
      await new Promise((resolve) => server.value.close(resolve));
    }
  });

  it('local: control socket: with nobody listening the client says so', async () => {
    const path = join(socketDir(), 'local.sock');
    expect(await requestRestart(path, 'agent1', () => undefined)).toEqual(err('no berth local is running there'));
  });
});
