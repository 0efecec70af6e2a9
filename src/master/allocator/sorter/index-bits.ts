/** A growable bitset over small dense integers (framework indexes). */
export class IndexBits {
  words = new Uint32Array(4);
  /** Bits set: lets a caller rule out "covers all of these" without a scan. */
  count = 0;

  set(index: number): void {
    const word = index >>> 5;
    if (word >= this.words.length) {
      const grown = new Uint32Array(Math.max(word + 1, this.words.length * 2));
      grown.set(this.words);
      this.words = grown;
    }
    const bit = 1 << (index & 31);
    const current = this.words[word] as number;
    if ((current & bit) !== 0) return;
    this.words[word] = current | bit;
    this.count++;
  }

  clear(index: number): void {
    const word = index >>> 5;
    if (word >= this.words.length) return;
    const bit = 1 << (index & 31);
    const current = this.words[word] as number;
    if ((current & bit) === 0) return;
    this.words[word] = current & ~bit;
    this.count--;
  }

  has(index: number): boolean {
    const word = index >>> 5;
    return word < this.words.length && ((this.words[word] as number) & (1 << (index & 31))) !== 0;
  }

  clone(): IndexBits {
    const copy = new IndexBits();
    copy.words = this.words.slice();
    copy.count = this.count;
    return copy;
  }
}

/** Number of bits set in both. */
export function countCommonBits(a: Uint32Array, b: Uint32Array): number {
  const length = Math.min(a.length, b.length);
  let count = 0;
  for (let i = 0; i < length; i++) {
    let v = ((a[i] as number) & (b[i] as number)) >>> 0;
    v = v - ((v >>> 1) & 0x55555555);
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    count += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return count;
}
