/**
 * RecordIO framing of the Mesos streaming APIs: `<decimal length>\n<bytes>`,
 * repeated, with no separator after the data. Lengths count bytes.
 */
export function encodeRecord(data: string): Buffer {
  const body = Buffer.from(data, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}\n`, 'ascii'), body]);
}

/** Largest record a decoder accepts: a bound, so a corrupt length cannot exhaust memory. */
export const recordBytesMax = 64 * 1024 * 1024;

/**
 * Incremental decoder: feed it whatever byte chunks arrive (record and chunk
 * boundaries are unrelated) and it returns the complete records so far.
 */
export class RecordIoDecoder {
  private buffer: Buffer = Buffer.alloc(0);

  decode(chunk: Uint8Array): string[] {
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    const records: string[] = [];
    for (;;) {
      const newline = this.buffer.indexOf(0x0a);
      if (newline < 0) {
        if (this.buffer.length > 20) throw new Error('RecordIO: length prefix longer than 20 digits');
        return records;
      }
      const lengthText = this.buffer.subarray(0, newline).toString('ascii');
      if (!/^[0-9]+$/.test(lengthText)) throw new Error(`RecordIO: invalid length prefix '${lengthText}'`);
      const length = Number(lengthText);
      if (length > recordBytesMax) throw new Error(`RecordIO: record of ${length} bytes exceeds ${recordBytesMax}`);
      if (this.buffer.length < newline + 1 + length) return records;
      records.push(this.buffer.subarray(newline + 1, newline + 1 + length).toString('utf8'));
      this.buffer = this.buffer.subarray(newline + 1 + length);
    }
  }

  /** Bytes received that do not yet form a whole record. */
  pendingBytes(): number {
    return this.buffer.length;
  }
}
