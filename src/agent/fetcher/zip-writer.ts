/**
 * For tests: writes a zip archive of stored (uncompressed) entries with Unix
 * modes, including names and links that no honest tool would write, to check
 * that the fetcher refuses them. Not used by the agent itself.
 */
import { crc32 } from 'node:zlib';

export interface ZipEntry {
  readonly name: string;
  /** File content, or the target of a symlink. */
  readonly data?: string;
  readonly mode?: number;
  readonly directory?: boolean;
  readonly symlink?: boolean;
}

const fileType = 0o100000;
const directoryType = 0o040000;
const symlinkType = 0o120000;
/** 1980-01-01, the zip epoch, in MS-DOS date format. */
const dosDate = (0 << 9) | (1 << 5) | 1;
const utf8NameFlag = 0x0800;
const versionNeeded = 20;
const versionMadeByUnix = (3 << 8) | 20;

export function makeZip(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const data = Buffer.from(entry.data ?? '', 'utf8');
    const crc = crc32(data);
    const type = entry.directory === true ? directoryType : entry.symlink === true ? symlinkType : fileType;
    const mode = type | (entry.mode ?? (entry.directory === true ? 0o755 : entry.symlink === true ? 0o777 : 0o644));
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(versionNeeded, 4);
    local.writeUInt16LE(utf8NameFlag, 6);
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(versionMadeByUnix, 4);
    central.writeUInt16LE(versionNeeded, 6);
    central.writeUInt16LE(utf8NameFlag, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(dosDate, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((mode << 16) | (entry.directory === true ? 0x10 : 0)) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const centralDirectory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralDirectory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralDirectory, end]);
}
