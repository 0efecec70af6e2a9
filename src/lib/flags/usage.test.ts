// Method: the whole usage text of a small flag set, compared line by line, so a
// change to layout, order or the default suffix shows as a diff.
import { describe, expect, it } from 'vitest';
import { defineFlags } from './definition.js';
import { flag } from './kinds.js';
import { flagsUsage } from './usage.js';

const definitions = defineFlags({
  work_dir: flag.path({ required: true, help: 'Where state lives.' }),
  port: flag.int({ default: 5050, help: 'Port to listen on.' }),
  hostname_lookup: flag.bool({ default: true, help: 'Look up the hostname.' }),
  gc_delay: flag.duration({ default: 604_800_000, help: 'First line.\nSecond line.' }),
  recover: flag.enum(['reconnect', 'cleanup'], { default: 'reconnect', help: 'Ends with a newline.\n' }),
  zk: flag.string({ help: 'ZooKeeper URL.' }),
});

describe('flags: usage', () => {
  it('flags: usage: lists every flag by name with its default, booleans as --[no-]name', () => {
    expect(flagsUsage(definitions, 'berth agent').split('\n')).toEqual([
      'Usage: berth agent [options]',
      '',
      '  --gc_delay=VALUE           First line.',
      '                             Second line. (default: 1weeks)',
      '  --[no-]help                Prints this help message (default: false)',
      '  --[no-]hostname_lookup     Look up the hostname. (default: true)',
      '  --port=VALUE               Port to listen on. (default: 5050)',
      '  --recover=VALUE            Ends with a newline.',
      '                             (default: reconnect)',
      '  --work_dir=VALUE           Where state lives. (required)',
      '  --zk=VALUE                 ZooKeeper URL.',
      '',
    ]);
  });
});
