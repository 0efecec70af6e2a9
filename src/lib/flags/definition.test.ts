// Method: defineFlags' assertions at run time, and the inferred value types at
// compile time (expectTypeOf and @ts-expect-error fail `tsc --noEmit`, which is
// part of the check).
import { describe, expect, expectTypeOf, it } from 'vitest';
import { err, ok } from '../result.js';
import { defineFlags, type FlagValues } from './definition.js';
import { flag } from './kinds.js';
import { parseFlags } from './parse.js';

describe('flags: definitions', () => {
  it('flags: definitions: names must be lowercase words, since stout lowercases what it reads', () => {
    expect(() => defineFlags({ workDir: flag.path({ help: '' }) })).toThrow(/'workDir' must be lowercase/);
  });

  it('flags: definitions: names cannot take the reserved no- prefix', () => {
    expect(() => defineFlags({ 'no-thing': flag.bool({ help: '' }) })).toThrow(/'no-thing' must be lowercase/);
  });

  it('flags: definitions: help is built in and cannot be redefined', () => {
    expect(() => defineFlags({ help: flag.bool({ default: false, help: '' }) })).toThrow(/'help' is built in/);
  });

  it('flags: definitions: the value types follow from the definitions', () => {
    const definitions = defineFlags({
      port: flag.int({ default: 5050, help: '' }),
      master: flag.string({ required: true, help: '' }),
      zk: flag.string({ help: '' }),
      ha: flag.bool({ default: false, help: '' }),
      sorter: flag.enum(['drf', 'random'], { default: 'drf', help: '' }),
      recover: flag.enum(['reconnect', 'cleanup'], { help: '' }),
      weights: flag.custom({ help: '', parse: (text) => ok(new Map([[text, 1]])), format: () => '' }),
    });
    expectTypeOf<FlagValues<typeof definitions>>().toEqualTypeOf<{
      readonly port: number;
      readonly master: string;
      readonly zk: string | undefined;
      readonly ha: boolean;
      readonly sorter: 'drf' | 'random';
      readonly recover: 'reconnect' | 'cleanup' | undefined;
      readonly weights: Map<string, number> | undefined;
    }>();

    const result = parseFlags(definitions, ['--master=m']);
    if (!result.ok || result.value.helpRequested) throw new Error('expected values');
    const port: number = result.value.values.port;
    expect(port).toBe(5050);
  });

  it('flags: definitions: mistyped options are compile errors', () => {
    // @ts-expect-error a misspelt option
    expect(() => flag.int({ defualt: 5, help: '' })).not.toThrow();
    // @ts-expect-error a default of the wrong type
    flag.int({ default: '5', help: '' });
    // @ts-expect-error a default and required together
    flag.string({ default: 'x', required: true, help: '' });
    // @ts-expect-error an enum default outside its words
    flag.enum(['drf', 'random'], { default: 'fifo', help: '' });
    // @ts-expect-error custom needs a format to echo its value
    flag.custom({ help: '', parse: () => err('never') });
  });
});
