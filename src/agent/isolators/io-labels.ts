/**
 * The task labels that ask cgroups/blkio for disk IO limits (a berth
 * extension; Mesos has no IO isolator). Each applies to every block device
 * behind the container's sandbox and volumes:
 *
 *   berth.io/read_bps    bytes per second read,    e.g. 1048576 or 1MB
 *   berth.io/write_bps   bytes per second written, e.g. 10MB
 *   berth.io/read_iops   read operations per second
 *   berth.io/write_iops  write operations per second
 *   berth.io/weight      share of the device under contention, 1 to 1000
 *                        (needs an IO scheduler with weights: BFQ, or CFQ)
 *
 * Labels of the executor and all its tasks count; a value that does not
 * parse fails the launch with the label's name and the rule.
 */
import { parseBytes } from '../../lib/bytes.js';
import { err, ok, type Result } from '../../lib/result.js';

export interface IoLimits {
  readonly readBps?: number;
  readonly writeBps?: number;
  readonly readIops?: number;
  readonly writeIops?: number;
  readonly weight?: number;
}

export const ioLabelPrefix = 'berth.io/';

const weightMin = 1;
const weightMax = 1000;

function positiveInteger(label: string, text: string): Result<number> {
  if (!/^[1-9][0-9]*$/.test(text)) return err(`label ${label}: '${text}' is not a positive whole number`);
  const value = Number(text);
  return Number.isSafeInteger(value) ? ok(value) : err(`label ${label}: '${text}' is too large`);
}

function byteRate(label: string, text: string): Result<number> {
  if (/^[0-9]+$/.test(text)) return positiveInteger(label, text);
  const parsed = parseBytes(text);
  if (!parsed.ok) return err(`label ${label}: '${text}' is not bytes per second (e.g. 1048576 or 1MB): ${parsed.error}`);
  if (parsed.value <= 0) return err(`label ${label}: '${text}' must be more than 0 bytes per second`);
  return parsed;
}

/** The IO limits `labels` ask for; none when they name none. Labels under the prefix that are not listed are refused. */
export function ioLimitsOf(labels: Readonly<Record<string, string>>): Result<IoLimits> {
  const limits: { -readonly [K in keyof IoLimits]: IoLimits[K] } = {};
  for (const [label, raw] of Object.entries(labels)) {
    if (!label.startsWith(ioLabelPrefix)) continue;
    const text = raw.trim();
    const field = label.slice(ioLabelPrefix.length);
    let parsed: Result<number>;
    switch (field) {
      case 'read_bps':
      case 'write_bps':
        parsed = byteRate(label, text);
        break;
      case 'read_iops':
      case 'write_iops':
        parsed = positiveInteger(label, text);
        break;
      case 'weight':
        parsed = positiveInteger(label, text);
        if (parsed.ok && (parsed.value < weightMin || parsed.value > weightMax)) parsed = err(`label ${label}: ${parsed.value} is not within ${weightMin} to ${weightMax}`);
        break;
      default:
        return err(`label ${label}: unknown IO limit (known: read_bps, write_bps, read_iops, write_iops, weight)`);
    }
    if (!parsed.ok) return parsed;
    const key = ({ read_bps: 'readBps', write_bps: 'writeBps', read_iops: 'readIops', write_iops: 'writeIops', weight: 'weight' } as const)[field];
    limits[key] = parsed.value;
  }
  return ok(limits);
}
