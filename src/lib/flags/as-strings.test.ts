// Method: parse a command line, then echo it, as /master/flags does.
import { describe, expect, it } from 'vitest';
import { flagsAsStrings } from './as-strings.js';
import { defineFlags } from './definition.js';
import { flag } from './kinds.js';
import { parseFlags } from './parse.js';

const definitions = defineFlags({
  port: flag.int({ default: 5050, help: '' }),
  zk: flag.string({ help: '' }),
  hostname_lookup: flag.bool({ default: true, help: '' }),
  allocation_interval: flag.duration({ default: 1_000, help: '' }),
  size: flag.bytes({ help: '' }),
});

function echo(argv: readonly string[]) {
  const result = parseFlags(definitions, argv);
  if (!result.ok || result.value.helpRequested) throw new Error(`expected ${JSON.stringify(argv)} to parse`);
  return flagsAsStrings(definitions, result.value.values);
}

describe('flags: as strings', () => {
  it('flags: as strings: prints values as Mesos does, sorted by name, leaving out optional flags not given', () => {
    expect(echo(['--no-hostname_lookup', '--allocation_interval=1000ms', '--size=1024KB'])).toEqual([
      { name: 'allocation_interval', value: '1secs' },
      { name: 'hostname_lookup', value: 'false' },
      { name: 'port', value: '5050' },
      { name: 'size', value: '1MB' },
    ]);
  });

  it('flags: as strings: includes optional flags that were given', () => {
    expect(echo(['--zk=zk://a:2181/mesos'])).toContainEqual({ name: 'zk', value: 'zk://a:2181/mesos' });
  });
});
