/**
 * The flags the storage commands share, with berth's (Mesos') flag syntax,
 * and the values people type that are not plain strings: sizes ("512" MB, or
 * "2GB") and disk sources ("PATH:/mnt/a"). Flag names take '_' as everywhere
 * in berth; '-' is accepted too (`--container-path`), since these commands are
 * typed by hand more than any other.
 */
import { parseBytes } from '../../lib/bytes.js';
import { flag } from '../../lib/flags/index.js';
import { err, ok, type Result } from '../../lib/result.js';
import { roundScalar, validateRole, type DiskSource } from '../../resources/index.js';

/** Where `--master` points when not given: `berth local`'s master. */
export const masterDefault = '127.0.0.1:5050';

const bytesPerMegabyte = 1024 * 1024;

export const masterFlag = flag.string({ default: masterDefault, help: "The master's host:port (or URL), or zk://host:port[,...]/path to ask the leader." });
export const agentFlag = flag.string({ required: true, help: 'The agent id, as listed by `berth volumes list` or /master/slaves.' });
export const agentFilterFlag = flag.string({ help: 'Only this agent (an agent id).' });
export const roleFlag = flag.string({ required: true, help: 'The role the resources are reserved for.', check: (value) => validateRole(value) });
export const roleFilterFlag = flag.string({ help: 'Only this role.', check: (value) => validateRole(value) });
export const jsonFlag = flag.bool({ default: false, help: 'Print JSON (one array of objects) instead of a table.' });

export const diskSourceFlag = flag.custom<DiskSource | undefined>({
  parse: parseDiskSource,
  format: (source) => (source === undefined ? 'ROOT' : `${source.type}:${source.path?.root ?? source.mount?.root ?? ''}`),
  help: 'The disk: ROOT (the agent work_dir), PATH:<root> or MOUNT:<root>,\nas the agent declares it in --resources. (default: ROOT)',
});

/** A size in megabytes (Mesos' unit for disk and mem): "512", "0.5", or with a unit, "2GB", "512MB". */
export function parseMegabytes(text: string): Result<number, string> {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    const megabytes = roundScalar(Number(trimmed));
    return megabytes > 0 ? ok(megabytes) : err(`Expected a size greater than zero, got '${text}'`);
  }
  const bytes = parseBytes(trimmed);
  if (!bytes.ok) return err(`Expected a size in MB (512) or with a unit (2GB): ${bytes.error}`);
  const megabytes = roundScalar(bytes.value / bytesPerMegabyte);
  return megabytes > 0 ? ok(megabytes) : err(`Expected a size of at least 1KB, got '${text}'`);
}

export const sizeFlag = flag.custom<number>({
  required: true,
  parse: parseMegabytes,
  format: String,
  help: 'Size of the volume: megabytes (512) or with a unit (2GB).',
});

export const byFlag = flag.custom<number>({
  required: true,
  parse: parseMegabytes,
  format: String,
  help: 'How much to add or take away: megabytes (256) or with a unit (1GB).',
});

/** "ROOT" is no source (the agent's work_dir); "PATH:/r" and "MOUNT:/r" name a declared disk by its root. */
export function parseDiskSource(text: string): Result<DiskSource | undefined, string> {
  if (text.toUpperCase() === 'ROOT') return ok(undefined);
  const colon = text.indexOf(':');
  const type = text.slice(0, colon).toUpperCase();
  const root = text.slice(colon + 1);
  if (colon === -1 || root === '' || (type !== 'PATH' && type !== 'MOUNT')) {
    return err(`Expected ROOT, PATH:<root> or MOUNT:<root>, got '${text}'`);
  }
  return ok(type === 'PATH' ? { type, path: { root } } : { type, mount: { root } });
}

/**
 * `--container-path=x` as `--container_path=x` (and `--no-json` untouched):
 * dashes inside a flag's name become underscores. Values and positional
 * arguments are left alone; a lone `--` ends the flags.
 */
export function normalizeFlagNames(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  const flags = end === -1 ? argv : argv.slice(0, end);
  const rest = end === -1 ? [] : argv.slice(end);
  const normalized = flags.map((token) => {
    const match = /^--(no-)?([^=]*)(.*)$/s.exec(token);
    if (match === null) return token;
    const [, negation = '', name = '', value = ''] = match;
    return `--${negation}${name.replace(/-/g, '_')}${value}`;
  });
  return [...normalized, ...rest];
}
