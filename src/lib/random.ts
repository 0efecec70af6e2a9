import { randomBytes } from 'node:crypto';

/**
 * Randomness is an input. The core takes a Random so that a seed replays a run
 * exactly (agent shuffles in the allocator, generated ids).
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, bound). */
  int(bound: number): number;
  /** An RFC 4122 version 4 UUID string. */
  uuid(): string;
  /** 16 random bytes forming an RFC 4122 version 4 UUID. */
  uuidBytes(): Uint8Array;
}

/** sfc32: small, fast, and good enough for shuffles and ids in tests; seeded. */
export class SeededRandom implements Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 16; i++) this.nextUint32();
  }

  private nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.nextUint32() / 4294967296;
  }

  int(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  uuidBytes(): Uint8Array {
    const bytes = new Uint8Array(16);
    for (let i = 0; i < 16; i += 4) {
      const word = this.nextUint32();
      bytes[i] = word & 0xff;
      bytes[i + 1] = (word >>> 8) & 0xff;
      bytes[i + 2] = (word >>> 16) & 0xff;
      bytes[i + 3] = (word >>> 24) & 0xff;
    }
    return markVersion4(bytes);
  }

  uuid(): string {
    return formatUuid(this.uuidBytes());
  }
}

/** Cryptographic randomness for production shells. */
export const systemRandom: Random = {
  next: () => randomBytes(4).readUInt32LE(0) / 4294967296,
  int: (bound) => Math.floor((randomBytes(4).readUInt32LE(0) / 4294967296) * bound),
  uuidBytes: () => markVersion4(new Uint8Array(randomBytes(16))),
  uuid: () => formatUuid(markVersion4(new Uint8Array(randomBytes(16)))),
};

function markVersion4(bytes: Uint8Array): Uint8Array {
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  return bytes;
}

export function formatUuid(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Fisher-Yates shuffle of a copy, driven by the given Random. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const copy = items.slice();
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const tmp = copy[i] as T;
    copy[i] = copy[j] as T;
    copy[j] = tmp;
  }
  return copy;
}
