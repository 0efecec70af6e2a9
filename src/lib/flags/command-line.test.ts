// Method: the splitter alone, with a stub that says which names take a separate
// value; lookup, loading and errors are parse.test.ts's business.
import { describe, expect, it } from 'vitest';
import { splitCommandLine, trimWhitespace } from './command-line.js';

const takesValue = (name: string): boolean => name === 'work_dir' || name === 'port';

describe('flags: command line', () => {
  it('flags: command line: splits --name=value at the first =', () => {
    const { occurrences } = splitCommandLine(['--zk=zk://a=b/path'], takesValue);
    expect(occurrences).toEqual([{ writtenName: 'zk', name: 'zk', isNegated: false, value: 'zk://a=b/path' }]);
  });

  it('flags: command line: takes the next token as the value only for flags that take one', () => {
    const { occurrences, positional } = splitCommandLine(['--work_dir', '/x', '--verbose', 'file.txt'], takesValue);
    expect(occurrences).toEqual([
      { writtenName: 'work_dir', name: 'work_dir', isNegated: false, value: '/x' },
      { writtenName: 'verbose', name: 'verbose', isNegated: false, value: undefined },
    ]);
    expect(positional).toEqual(['file.txt']);
  });

  it('flags: command line: never takes a token starting with -- as a value', () => {
    const { occurrences } = splitCommandLine(['--port', '--work_dir=/x'], takesValue);
    expect(occurrences.map((occurrence) => occurrence.value)).toEqual([undefined, '/x']);
    expect(splitCommandLine(['--port', '--'], takesValue).occurrences[0]?.value).toBeUndefined();
  });

  it('flags: command line: takes a token starting with a single - as a value', () => {
    expect(splitCommandLine(['--port', '-1'], takesValue).occurrences[0]?.value).toBe('-1');
  });

  it('flags: command line: strips no- into the flag name and marks the occurrence negated', () => {
    const { occurrences } = splitCommandLine(['--no-hostname_lookup', '--no-port', '1'], takesValue);
    expect(occurrences).toEqual([
      { writtenName: 'no-hostname_lookup', name: 'hostname_lookup', isNegated: true, value: undefined },
      { writtenName: 'no-port', name: 'port', isNegated: true, value: undefined },
    ]);
  });

  it('flags: command line: lowercases names and trims tokens as stout does', () => {
    const { occurrences } = splitCommandLine(['  --Work_Dir=/X \n'], takesValue);
    expect(occurrences).toEqual([{ writtenName: 'work_dir', name: 'work_dir', isNegated: false, value: '/X' }]);
  });

  it('flags: command line: keeps -name and bare words as positional arguments, untrimmed', () => {
    const { occurrences, positional } = splitCommandLine(['-port=1', ' word ', '-'], takesValue);
    expect(occurrences).toEqual([]);
    expect(positional).toEqual(['-port=1', ' word ', '-']);
  });

  it('flags: command line: a lone -- ends the flags and everything after it is positional', () => {
    const { occurrences, positional } = splitCommandLine(['a', '--port=1', '--', '--work_dir=/x', '--'], takesValue);
    expect(occurrences.map((occurrence) => occurrence.name)).toEqual(['port']);
    expect(positional).toEqual(['a', '--work_dir=/x', '--']);
  });

  it("flags: command line: trims only stout's whitespace characters", () => {
    expect(trimWhitespace(' \t\r\n value \n')).toBe('value');
    expect(trimWhitespace('\u00a0value\u00a0')).toBe('\u00a0value\u00a0');
  });
});
