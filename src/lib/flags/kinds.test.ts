// Method: each kind's definition on its own: parse and format through the
// definition's functions, range checks by their Mesos-worded messages, and the
// presence each set of options gives.
import { describe, expect, it } from 'vitest';
import { err, ok } from '../result.js';
import { flag } from './kinds.js';

describe('flags: kinds', () => {
  it('flags: kinds: a default, required: true, or neither give the three presences', () => {
    expect(flag.int({ default: 1, help: '' })).toMatchObject({ presence: 'defaulted', defaultValue: 1 });
    expect(flag.int({ required: true, help: '' })).toMatchObject({ presence: 'required', defaultValue: undefined });
    expect(flag.int({ help: '' })).toMatchObject({ presence: 'optional', defaultValue: undefined });
  });

  it('flags: kinds: int accepts signed decimal integers only', () => {
    const { parse } = flag.int({ help: '' });
    expect(parse('42')).toEqual(ok(42));
    expect(parse('-7')).toEqual(ok(-7));
    expect(parse('+7')).toEqual(ok(7));
    for (const text of ['1.5', '0x10', '1e3', ' 1', '', 'abc']) {
      expect(parse(text), text).toEqual(err('Failed to convert into required type (expected an integer)'));
    }
    expect(parse('9007199254740993')).toEqual(err('Failed to convert into required type (integer out of range)'));
  });

  it('flags: kinds: double accepts decimal and exponent forms', () => {
    const { parse } = flag.double({ help: '' });
    expect(parse('1.5')).toEqual(ok(1.5));
    expect(parse('.25')).toEqual(ok(0.25));
    expect(parse('-2e3')).toEqual(ok(-2000));
    expect(parse('abc')).toEqual(err('Failed to convert into required type (expected a number)'));
    expect(parse('Infinity')).toEqual(err('Failed to convert into required type (expected a number)'));
    expect(parse('1e999')).toEqual(err('Failed to convert into required type (number out of range)'));
  });

  it('flags: kinds: bool is the only kind that takes --name and --no-name', () => {
    expect(flag.bool({ help: '' }).isBoolean).toBe(true);
    for (const definition of [flag.string({ help: '' }), flag.int({ help: '' }), flag.duration({ help: '' })]) {
      expect(definition.isBoolean, definition.kind).toBe(false);
    }
    expect(flag.bool({ help: '' }).format(false)).toBe('false');
  });

  it('flags: kinds: path is the only built-in kind that does not read file:// values', () => {
    expect(flag.path({ help: '' }).readsFileUrls).toBe(false);
    for (const definition of [flag.string({ help: '' }), flag.bool({ help: '' }), flag.bytes({ help: '' })]) {
      expect(definition.readsFileUrls, definition.kind).toBe(true);
    }
  });

  it('flags: kinds: duration and bytes print as Mesos does', () => {
    expect(flag.duration({ help: '' }).format(90_000)).toBe('90secs');
    expect(flag.bytes({ help: '' }).format(1025 * 1024)).toBe('1025KB');
  });

  it('flags: kinds: a range with both bounds is worded as Mesos words --agent_ping_timeout', () => {
    const timeout = flag.duration({ default: 15_000, min: 1_000, max: 900_000, help: '' });
    expect(timeout.check(999, 'agent_ping_timeout')).toBe(
      'Expected `--agent_ping_timeout` to be between 1secs and 15mins',
    );
    expect(timeout.check(900_001, 'agent_ping_timeout')).toBe(
      'Expected `--agent_ping_timeout` to be between 1secs and 15mins',
    );
    expect(timeout.check(1_000, 'agent_ping_timeout')).toBeUndefined();
    expect(timeout.check(900_000, 'agent_ping_timeout')).toBeUndefined();
  });

  it('flags: kinds: a lower or upper bound alone has its own wording', () => {
    expect(flag.int({ min: 1, help: '' }).check(0, 'max_agent_ping_timeouts')).toBe(
      'Expected `--max_agent_ping_timeouts` to be at least 1',
    );
    expect(flag.duration({ max: 15_000, help: '' }).check(16_000, 'executor_reregistration_timeout')).toBe(
      'Expected `--executor_reregistration_timeout` to be not more than 15secs',
    );
    expect(flag.bytes({ min: 1024, help: '' }).check(1, 'size')).toBe('Expected `--size` to be at least 1KB');
  });

  it('flags: kinds: a user check runs after the range check', () => {
    const isEven = (value: number, name: string): string | undefined =>
      value % 2 === 0 ? undefined : `--${name} is odd`;
    const even = flag.int({ min: 0, help: '', check: isEven });
    expect(even.check(-2, 'n')).toBe('Expected `--n` to be at least 0');
    expect(even.check(3, 'n')).toBe('--n is odd');
    expect(even.check(4, 'n')).toBeUndefined();
  });

  it('flags: kinds: enum accepts only its words and lists them when it refuses', () => {
    const sorter = flag.enum(['drf', 'random'], { default: 'drf', help: '' });
    expect(sorter.parse('random')).toEqual(ok('random'));
    expect(sorter.parse('DRF')).toEqual(err("Expected one of 'drf', 'random'"));
  });

  it('flags: kinds: custom uses the given parse and format', () => {
    const pair = flag.custom({
      help: '',
      parse: (text) => {
        const [left, right] = text.split(':');
        return left !== undefined && right !== undefined ? ok({ left, right }) : err(`'${text}' has no ':'`);
      },
      format: (value) => `${value.left}:${value.right}`,
    });
    expect(pair.parse('a:b')).toEqual(ok({ left: 'a', right: 'b' }));
    expect(pair.parse('ab')).toEqual(err("'ab' has no ':'"));
    expect(pair.format({ left: 'x', right: 'y' })).toBe('x:y');
    expect(pair.readsFileUrls).toBe(true);
  });
});
