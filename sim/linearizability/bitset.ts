/**
 * The set of linearized operations, as a fixed-size bitset with an incrementally maintained Zobrist hash: each
 * operation owns two random 32-bit words, and the set's hash is the XOR of its members' words, so adding or removing
 * an operation updates the hash in O(1) instead of rehashing the whole set at every search step.
 */
export class OperationSet {
  readonly words: Uint32Array
  /** Zobrist hash (low and high words) of the current members. */
  hashLow = 0
  hashHigh = 0
  private readonly zobristLow: Uint32Array
  private readonly zobristHigh: Uint32Array

  constructor(readonly size: number) {
    this.words = new Uint32Array(Math.max(1, Math.ceil(size / 32)))
    this.zobristLow = new Uint32Array(size)
    this.zobristHigh = new Uint32Array(size)
    // A fixed-seed splitmix32 stream: deterministic, and independent of the operations' content.
    let seed = 0x9e3779b9
    const next = (): number => {
      seed = (seed + 0x9e3779b9) | 0
      let z = seed
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
      return (z ^ (z >>> 16)) >>> 0
    }
    for (let i = 0; i < size; i++) {
      this.zobristLow[i] = next()
      this.zobristHigh[i] = next()
    }
  }

  has(index: number): boolean {
    return (this.words[index >>> 5] & (1 << (index & 31))) !== 0
  }

  /** Adds or removes `index` (toggling keeps both directions one code path). */
  toggle(index: number): void {
    this.words[index >>> 5] ^= 1 << (index & 31)
    this.hashLow ^= this.zobristLow[index]
    this.hashHigh ^= this.zobristHigh[index]
  }

  snapshot(): Uint32Array {
    return this.words.slice()
  }

  equals(words: Uint32Array): boolean {
    const mine = this.words
    for (let i = 0; i < mine.length; i++) if (mine[i] !== words[i]) return false
    return true
  }
}
