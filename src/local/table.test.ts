// Method: format rows and read the text back as a person would.
import { describe, expect, it } from 'vitest';
import { formatProcessTable, shownPath } from './table.js';

describe('local: table', () => {
  it('local: table: paths inside the current directory are shown relative, others absolute', () => {
    expect(shownPath('/home/u/p/.berth/master', '/home/u/p')).toBe('.berth/master');
    expect(shownPath('/tmp/b/master', '/home/u/p')).toBe('/tmp/b/master');
    expect(shownPath('/home/u/p', '/home/u/p')).toBe('.');
    expect(shownPath('/home/u/p2/x', '/home/u/p')).toBe('/home/u/p2/x');
  });

  it('local: table: one aligned row per process under a header', () => {
    const table = formatProcessTable(
      [
        {
          name: 'master',
          pid: 101,
          url: 'http://127.0.0.1:5050',
          workDir: '/p/.berth/master',
          logPath: '/p/.berth/master/master.log',
        },
        { name: 'agent1', pid: undefined, url: undefined, workDir: '/p/.berth/agent1', logPath: '/p/.berth/agent1/agent1.log' },
      ],
      '/p',
    );
    expect(table.split('\n')).toEqual([
      'NAME    PID  URL                    WORK DIR       LOG',
      'master  101  http://127.0.0.1:5050  .berth/master  .berth/master/master.log',
      'agent1  -    -                      .berth/agent1  .berth/agent1/agent1.log',
    ]);
  });
});
