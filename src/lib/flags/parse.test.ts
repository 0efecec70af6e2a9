// Method: one small flag set covering every kind, parsed from argv arrays. Each
// error path is asserted by its exact one-line message, which names the flag.
// `file://` values use real files in a fresh directory under os.tmpdir().
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { defineFlags } from './definition.js';
import { flag } from './kinds.js';
import { parseFlags, type ParseFlagsOptions } from './parse.js';

const definitions = defineFlags({
  port: flag.int({ default: 5050, min: 0, max: 65_535, help: 'Port.' }),
  work_dir: flag.path({ help: 'Work directory.' }),
  master: flag.string({ help: 'Master.' }),
  hostname_lookup: flag.bool({ default: true, help: 'Look up hostnames.' }),
  ha: flag.bool({ default: false, help: 'High availability.' }),
  interval: flag.duration({ default: 1_000, help: 'Interval.' }),
  size: flag.bytes({ help: 'Size.' }),
  ratio: flag.double({ help: 'Ratio.' }),
  sorter: flag.enum(['drf', 'random'], { default: 'drf', help: 'Sorter.' }),
});

const withRequired = defineFlags({
  master: flag.string({ required: true, help: 'Master.' }),
  port: flag.int({ default: 5051, help: 'Port.' }),
});

function values(argv: readonly string[], options?: ParseFlagsOptions) {
  const result = parseFlags(definitions, argv, options);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(argv)} to parse, got: ${result.error}`);
  if (result.value.helpRequested) throw new Error(`expected ${JSON.stringify(argv)} not to ask for help`);
  return result.value.values;
}

function failure(argv: readonly string[], options?: ParseFlagsOptions): string {
  const result = parseFlags(definitions, argv, options);
  if (result.ok) throw new Error(`expected ${JSON.stringify(argv)} to be rejected`);
  expect(result.error, 'errors are one line').not.toMatch(/[\r\n]/);
  return result.error;
}

describe('flags: values', () => {
  it('flags: values: takes defaults for flags not given and undefined for optional ones', () => {
    expect(values([])).toEqual({
      port: 5050,
      work_dir: undefined,
      master: undefined,
      hostname_lookup: true,
      ha: false,
      interval: 1_000,
      size: undefined,
      ratio: undefined,
      sorter: 'drf',
    });
  });

  it('flags: values: reads --name=value and --name value alike', () => {
    expect(values(['--work_dir=/x', '--port=1']).work_dir).toBe('/x');
    expect(values(['--work_dir', '/x', '--port', '1'])).toMatchObject({ work_dir: '/x', port: 1 });
  });

  it('flags: values: parses each kind from its text', () => {
    const parsed = values(['--interval=15secs', '--size', '2MB', '--ratio=0.5', '--sorter=random', '--master=m:5050']);
    expect(parsed).toMatchObject({ interval: 15_000, size: 2 * 1024 * 1024, ratio: 0.5, sorter: 'random' });
    expect(parsed.master).toBe('m:5050');
  });

  it('flags: values: keeps everything after the first = of --name=value', () => {
    expect(values(['--master=zk://a=b/mesos']).master).toBe('zk://a=b/mesos');
    expect(values(['--master=']).master).toBe('');
  });

  it('flags: values: accepts flag names in any case, as stout lowercases them', () => {
    expect(values(['--PORT=7']).port).toBe(7);
  });
});

describe('flags: booleans', () => {
  it('flags: booleans: --name sets true', () => {
    expect(values(['--ha']).ha).toBe(true);
  });

  it('flags: booleans: --no-name sets false', () => {
    expect(values(['--no-hostname_lookup']).hostname_lookup).toBe(false);
  });

  it("flags: booleans: --name=true, =false, =1 and =0 are stout's spellings", () => {
    expect(values(['--ha=true']).ha).toBe(true);
    expect(values(['--ha=1']).ha).toBe(true);
    expect(values(['--hostname_lookup=false']).hostname_lookup).toBe(false);
    expect(values(['--hostname_lookup=0']).hostname_lookup).toBe(false);
  });

  it('flags: booleans: an empty value means the flag as written (--name= is true, --no-name= is false)', () => {
    expect(values(['--ha=']).ha).toBe(true);
    expect(values(['--no-hostname_lookup=']).hostname_lookup).toBe(false);
  });

  it('flags: booleans: --name never consumes the next token', () => {
    const result = parseFlags(definitions, ['--ha', 'false']);
    expect(result).toMatchObject({ ok: true, value: { positional: ['false'], values: { ha: true } } });
  });

  it('flags: booleans: any other value is an error naming the flag', () => {
    expect(failure(['--ha=yes'])).toBe(
      "Failed to load flag 'ha': Failed to load value 'yes': Expecting a boolean (e.g., true or false)",
    );
  });

  it('flags: booleans: --no-name with a value is an error naming the flag', () => {
    expect(failure(['--no-ha=true'])).toBe("Failed to load boolean flag 'ha' via 'no-ha' with value 'true'");
  });

  it('flags: booleans: --no-name of a non-boolean flag is an error naming it', () => {
    expect(failure(['--no-port'])).toBe("Failed to load non-boolean flag 'port' via 'no-port'");
  });
});

describe('flags: errors', () => {
  it('flags: errors: an unknown flag is named', () => {
    expect(failure(['--foo'])).toBe("Failed to load unknown flag 'foo'");
    expect(failure(['--foo=1'])).toBe("Failed to load unknown flag 'foo'");
  });

  it('flags: errors: an unknown negated flag is named with the form written', () => {
    expect(failure(['--no-foo'])).toBe("Failed to load unknown flag 'foo' via 'no-foo'");
  });

  it('flags: errors: names of Object.prototype members are unknown flags', () => {
    expect(failure(['--constructor=1'])).toBe("Failed to load unknown flag 'constructor'");
    expect(failure(['--__proto__=1'])).toBe("Failed to load unknown flag '__proto__'");
  });

  it('flags: errors: a bad value names the flag and the value', () => {
    expect(failure(['--port=abc'])).toBe(
      "Failed to load flag 'port': Failed to load value 'abc': Failed to convert into required type (expected an integer)",
    );
    expect(failure(['--interval', '15'])).toBe(
      "Failed to load flag 'interval': Failed to load value '15': Invalid duration '15'",
    );
    expect(failure(['--sorter=fifo'])).toBe(
      "Failed to load flag 'sorter': Failed to load value 'fifo': Expected one of 'drf', 'random'",
    );
  });

  it('flags: errors: a non-boolean flag without a value is an error naming it', () => {
    expect(failure(['--port'])).toBe("Failed to load non-boolean flag 'port': Missing value");
    expect(failure(['--port', '--ha'])).toBe("Failed to load non-boolean flag 'port': Missing value");
  });

  it('flags: errors: a flag given twice is an error, as in Mesos', () => {
    expect(failure(['--port=1', '--port=2'])).toBe("Flag 'port' is already loaded via name 'port'");
    expect(failure(['--port=1', '--port', '1'])).toBe("Flag 'port' is already loaded via name 'port'");
  });

  it('flags: errors: a boolean given as --name and --no-name is given twice', () => {
    expect(failure(['--ha', '--no-ha'])).toBe("Flag 'ha' is already loaded via name 'ha'");
  });

  it('flags: errors: a missing required flag is named', () => {
    expect(parseFlags(withRequired, ['--port=1'])).toEqual({
      ok: false,
      error: "Flag 'master' is required, but it was not provided",
    });
  });

  it('flags: errors: a value outside its range is named by the check', () => {
    expect(failure(['--port=70000'])).toBe('Expected `--port` to be between 0 and 65535');
  });

  it('flags: errors: line breaks in a value are escaped so the error stays one line', () => {
    expect(failure(['--port=1\n2'])).toBe(
      "Failed to load flag 'port': Failed to load value '1\\n2': Failed to convert into required type (expected an integer)",
    );
  });

  it('flags: errors: the parser neither prints nor exits', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation(() => undefined as never);
    const stdout = vi.spyOn(process.stdout, 'write');
    const stderr = vi.spyOn(process.stderr, 'write');
    try {
      parseFlags(definitions, ['--foo']);
      parseFlags(definitions, ['--help']);
      expect(exit).not.toHaveBeenCalled();
      expect(stdout).not.toHaveBeenCalled();
      expect(stderr).not.toHaveBeenCalled();
    } finally {
      exit.mockRestore();
      stdout.mockRestore();
      stderr.mockRestore();
    }
  });
});

describe('flags: positional arguments', () => {
  it('flags: positional arguments: words and -name tokens are kept in order', () => {
    const result = parseFlags(definitions, ['one', '--ha', '-port=1', 'two']);
    expect(result).toMatchObject({ ok: true, value: { positional: ['one', '-port=1', 'two'] } });
  });

  it('flags: positional arguments: a lone -- ends the flags', () => {
    const result = parseFlags(definitions, ['--port=1', '--', '--port=2', '--foo']);
    expect(result).toMatchObject({ ok: true, value: { positional: ['--port=2', '--foo'], values: { port: 1 } } });
  });
});

describe('flags: help', () => {
  it('flags: help: --help is reported, not acted on', () => {
    expect(parseFlags(definitions, ['--help', 'word'])).toEqual({
      ok: true,
      value: { helpRequested: true, values: undefined, positional: ['word'] },
    });
  });

  it('flags: help: --help wins over other errors, as Mesos prints usage first', () => {
    expect(parseFlags(definitions, ['--foo', '--help'])).toMatchObject({ ok: true, value: { helpRequested: true } });
    expect(parseFlags(withRequired, ['--help'])).toMatchObject({ ok: true, value: { helpRequested: true } });
  });

  it('flags: help: --no-help and --help=false do not ask for help', () => {
    expect(parseFlags(definitions, ['--no-help'])).toMatchObject({ ok: true, value: { helpRequested: false } });
    expect(parseFlags(definitions, ['--help=false'])).toMatchObject({ ok: true, value: { helpRequested: false } });
  });

  it('flags: help: a malformed --help is an ordinary flag error', () => {
    expect(failure(['--help=please'])).toBe(
      "Failed to load flag 'help': Failed to load value 'please': Expecting a boolean (e.g., true or false)",
    );
  });
});

describe('flags: file values', () => {
  const directory = mkdtempSync(join(tmpdir(), 'berth-flags-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  function file(name: string, contents: string): string {
    const path = join(directory, name);
    writeFileSync(path, contents);
    return path;
  }

  it('flags: file values: file:// is replaced by the file contents, trimmed', () => {
    const path = file('master', '  zk://a:2181/mesos \n');
    expect(values([`--master=file://${path}`]).master).toBe('zk://a:2181/mesos');
  });

  it('flags: file values: the contents are parsed by the flag kind', () => {
    const interval = file('interval', '15secs\n');
    const port = file('port', '6060\n');
    const ha = file('ha', 'true\n');
    const parsed = values([`--interval=file://${interval}`, '--port', `file://${port}`, `--ha=file://${ha}`]);
    expect(parsed).toMatchObject({ interval: 15_000, port: 6060, ha: true });
  });

  it('flags: file values: a bad value in the file names the flag and the file:// value', () => {
    const path = file('bad-port', 'abc\n');
    expect(failure([`--port=file://${path}`])).toBe(
      `Failed to load flag 'port': Failed to load value 'file://${path}': Failed to convert into required type (expected an integer)`,
    );
  });

  it('flags: file values: paths are taken literally, never read', () => {
    const readFile = vi.fn((): string => 'contents');
    expect(values(['--work_dir=file:///var/lib/berth'], { readFile }).work_dir).toBe('file:///var/lib/berth');
    expect(readFile).not.toHaveBeenCalled();
  });

  it('flags: file values: an unreadable file is an error naming the flag and the path', () => {
    const missing = join(directory, 'missing');
    expect(failure([`--master=file://${missing}`])).toMatch(
      new RegExp(`^Failed to load flag 'master': Failed to load value 'file://${missing}': ` +
        `Error reading file '${missing}': ENOENT`),
    );
  });

  it('flags: file values: the injected reader gets the path after file://', () => {
    const readFile = vi.fn((path: string): string => (path === '/etc/berth/port' ? '7070' : ''));
    expect(values(['--port=file:///etc/berth/port'], { readFile }).port).toBe(7070);
    expect(readFile).toHaveBeenCalledWith('/etc/berth/port');
  });
});
