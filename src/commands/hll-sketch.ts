/**
 * Redis's HyperLogLog, byte for byte (Redis 7.0 hyperloglog.c): the same hash, the same sparse and dense layouts,
 * the same in-place edits of the sparse form, and the same estimator, so that a key written here reads back with
 * GET exactly as Redis would have stored it, and PFCOUNT answers the same numbers.
 *
 * Layout: a 16-byte header ("HYLL", encoding byte 0 = dense / 1 = sparse, three unused bytes, the cached
 * cardinality as 8 little-endian bytes whose top bit marks it stale), then the registers:
 * - dense: 16384 registers of 6 bits, packed least significant bit first, 12288 bytes;
 * - sparse: run-length opcodes: ZERO 00xxxxxx (1-64 zero registers), XZERO 01xxxxxx yyyyyyyy (1-16384 zero
 *   registers), VAL 1vvvvvxx (1-4 registers of value 1-32).
 *
 * A sketch is edited in a private working copy (`HllWorkspace`) and stored back as a new Buffer: stored strings are
 * never modified in place (see string-growth.ts); a sketch is at most 12304 bytes, so the copy is bounded.
 */

export const HLL_P = 14
export const HLL_REGISTERS = 1 << HLL_P
const HLL_Q = 64 - HLL_P
const HLL_BITS = 6
const HLL_REGISTER_MAX = (1 << HLL_BITS) - 1
export const HLL_HDR_SIZE = 16
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + Math.floor((HLL_REGISTERS * HLL_BITS + 7) / 8)
export const HLL_DENSE = 0
export const HLL_SPARSE = 1
const SPARSE_VAL_MAX_VALUE = 32
const SPARSE_VAL_MAX_LEN = 4
const SPARSE_ZERO_MAX_LEN = 64
const SPARSE_XZERO_MAX_LEN = 16384
// Redis writes 0.721347520444481703680 (0.5 / ln 2); this is the same double.
const ALPHA_INF = 0.7213475204444817

// --- MurmurHash64A (seed 0xadc83b19), in 32-bit halves ---

const M_HI = 0xc6a4a793
const M_LO = 0x5bd1e995
const SEED = 0xadc83b19

/** Low 64 bits of (hi:lo) * (M_HI:M_LO), written to `out`. */
function mulM(hi: number, lo: number, out: Uint32Array): void {
  // lo * M_LO as a full 64-bit product, from 16-bit pieces (every partial product is exact in a double).
  const a0 = lo & 0xffff
  const a1 = lo >>> 16
  const b0 = M_LO & 0xffff
  const b1 = M_LO >>> 16
  const mid = a0 * b1 + a1 * b0
  const low = a0 * b0 + (mid % 65536) * 65536
  const carry = Math.floor(low / 4294967296)
  const high = a1 * b1 + Math.floor(mid / 65536) + carry
  out[0] = (high + Math.imul(hi, M_LO) + Math.imul(lo, M_HI)) >>> 0
  out[1] = low >>> 0
}

const h = new Uint32Array(2)
const k = new Uint32Array(2)

/** MurmurHash64A of bytes; the hash is left in the module's `h` (hi, lo). */
function murmur64(data: Buffer): void {
  const len = data.length
  // h = seed ^ (len * m)
  k[0] = 0
  k[1] = len >>> 0
  mulM(Math.floor(len / 4294967296), len >>> 0, k)
  h[0] = k[0]
  h[1] = (k[1] ^ SEED) >>> 0
  const blocks = len - (len & 7)
  for (let i = 0; i < blocks; i += 8) {
    const lo = (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) >>> 0
    const hi = (data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24)) >>> 0
    mulM(hi, lo, k) // k *= m
    k[1] = (k[1] ^ (k[0] >>> 15)) >>> 0 // k ^= k >> 47
    mulM(k[0], k[1], k) // k *= m
    h[0] ^= k[0] // h ^= k
    h[1] ^= k[1]
    mulM(h[0], h[1], h) // h *= m
  }
  const rest = len & 7
  if (rest > 0) {
    const t = blocks
    if (rest >= 7) h[0] ^= data[t + 6] << 16
    if (rest >= 6) h[0] ^= data[t + 5] << 8
    if (rest >= 5) h[0] ^= data[t + 4]
    if (rest >= 4) h[1] ^= data[t + 3] << 24
    if (rest >= 3) h[1] ^= data[t + 2] << 16
    if (rest >= 2) h[1] ^= data[t + 1] << 8
    h[1] ^= data[t]
    mulM(h[0], h[1], h)
  }
  h[1] = (h[1] ^ (h[0] >>> 15)) >>> 0
  mulM(h[0], h[1], h)
  h[1] = (h[1] ^ (h[0] >>> 15)) >>> 0
}

/** MurmurHash64A as a bigint (for tests). */
export function murmurHash64A(data: Buffer): bigint {
  murmur64(data)
  return (BigInt(h[0]) << 32n) | BigInt(h[1])
}

/** hllPatLen: the register an element maps to, and the length of its "000..1" pattern (1..51). */
export function patternOf(element: Buffer): { index: number; count: number } {
  murmur64(element)
  const index = h[1] & (HLL_REGISTERS - 1)
  // hash >>= 14; hash |= 1 << 50; count trailing zeros + 1.
  const lo = ((h[1] >>> HLL_P) | (h[0] << (32 - HLL_P))) >>> 0
  const hi = (h[0] >>> HLL_P) | (1 << (HLL_Q - 32))
  const count = lo !== 0 ? ctz(lo) + 1 : 32 + ctz(hi) + 1
  return { index, count }
}

function ctz(x: number): number {
  return 31 - Math.clz32(x & -x)
}

// --- headers ---

/** An empty sketch as createHLLObject makes it: sparse, one XZERO opcode covering every register. */
export function emptySketch(): Buffer {
  const out = Buffer.alloc(HLL_HDR_SIZE + 2)
  out.write('HYLL', 0, 'latin1')
  out[4] = HLL_SPARSE
  const run = HLL_REGISTERS - 1
  out[HLL_HDR_SIZE] = (run >> 8) | 0x40
  out[HLL_HDR_SIZE + 1] = run & 0xff
  return out
}

/** isHLLObjectOrReply's checks: long enough, magic, known encoding, dense of the exact size. */
export function isValidSketch(value: Buffer): boolean {
  if (value.length < HLL_HDR_SIZE) return false
  if (value[0] !== 0x48 || value[1] !== 0x59 || value[2] !== 0x4c || value[3] !== 0x4c) return false
  if (value[4] > HLL_SPARSE) return false
  return value[4] !== HLL_DENSE || value.length === HLL_DENSE_SIZE
}

/** The cached cardinality, or null when the cache is stale. */
export function cachedCardinality(sketch: Buffer): number | null {
  if (sketch[15] & 0x80) return null
  let card = 0
  for (let i = 7; i >= 0; i--) card = card * 256 + sketch[8 + i]
  return card
}

// --- dense registers ---

export function denseGet(regs: Uint8Array, base: number, index: number): number {
  const bit = index * HLL_BITS
  const byte = base + (bit >>> 3)
  const fb = bit & 7
  const b0 = regs[byte]
  const b1 = byte + 1 < regs.length ? regs[byte + 1] : 0
  return ((b0 >> fb) | (b1 << (8 - fb))) & HLL_REGISTER_MAX
}

export function denseSet(regs: Uint8Array, base: number, index: number, value: number): void {
  const bit = index * HLL_BITS
  const byte = base + (bit >>> 3)
  const fb = bit & 7
  regs[byte] = (regs[byte] & ~(HLL_REGISTER_MAX << fb)) | ((value << fb) & 0xff)
  if (byte + 1 < regs.length) {
    regs[byte + 1] = (regs[byte + 1] & ~(HLL_REGISTER_MAX >> (8 - fb))) | (value >> (8 - fb))
  }
}

// --- sparse opcodes ---

const isZero = (b: number) => (b & 0xc0) === 0
const isXzero = (b: number) => (b & 0xc0) === 0x40
const isVal = (b: number) => (b & 0x80) !== 0
const zeroLen = (b: number) => (b & 0x3f) + 1
const xzeroLen = (b0: number, b1: number) => (((b0 & 0x3f) << 8) | b1) + 1
const valValue = (b: number) => ((b >> 2) & 0x1f) + 1
const valLen = (b: number) => (b & 0x3) + 1
const valByte = (value: number, len: number) => (((value - 1) << 2) | (len - 1) | 0x80) & 0xff

/** PFDEBUG DECODE's text for a sparse sketch's opcodes: `z:<len>`, `Z:<len>` and `v:<value>,<len>`, space separated. */
export function describeSparse(sketch: Uint8Array): string {
  const parts: string[] = []
  for (let p = HLL_HDR_SIZE; p < sketch.length; ) {
    const b = sketch[p]
    if (isZero(b)) {
      parts.push(`z:${zeroLen(b)}`)
      p++
    } else if (isXzero(b)) {
      // A truncated XZERO reads a zero byte past the end, as Redis reads the sds terminator.
      parts.push(`Z:${xzeroLen(b, sketch[p + 1] ?? 0)}`)
      p += 2
    } else {
      parts.push(`v:${valValue(b)},${valLen(b)}`)
      p++
    }
  }
  return parts.join(' ')
}

/**
 * Calls `visit(firstRegister, runLength, value)` for each sparse run. Returns false when the runs do not add up to
 * exactly HLL_REGISTERS (a corrupted sketch), stopping at a VAL run that would overflow, as Redis does.
 */
function forEachRun(
  bytes: Uint8Array,
  start: number,
  end: number,
  visit: (first: number, run: number, value: number) => void,
): boolean {
  let index = 0
  let p = start
  while (p < end) {
    const b = bytes[p]
    if (isZero(b)) {
      index += zeroLen(b)
      p++
    } else if (isXzero(b)) {
      index += xzeroLen(b, bytes[p + 1])
      p += 2
    } else {
      const run = valLen(b)
      if (run + index > HLL_REGISTERS) break
      visit(index, run, valValue(b))
      index += run
      p++
    }
  }
  return index === HLL_REGISTERS
}

/** A sketch being edited: a private copy with room to grow, in its sparse or dense form. */
export class HllWorkspace {
  bytes: Uint8Array
  length: number

  constructor(sketch: Buffer) {
    this.bytes = new Uint8Array(sketch.length + 64)
    this.bytes.set(sketch)
    this.length = sketch.length
  }

  get encoding(): number {
    return this.bytes[4]
  }

  toBuffer(): Buffer {
    return Buffer.from(this.bytes.subarray(0, this.length))
  }

  invalidateCache(): void {
    this.bytes[15] |= 0x80
  }

  setCachedCardinality(card: number): void {
    let rest = card
    for (let i = 0; i < 8; i++) {
      this.bytes[8 + i] = rest % 256
      rest = Math.floor(rest / 256)
    }
  }

  /**
   * hllAdd: 1 if a register changed, 0 if not, -1 for a corrupted sketch. `sparseMax` is hll-sparse-max-bytes.
   */
  add(element: Buffer, sparseMax: number): number {
    const { index, count } = patternOf(element)
    return this.setRegister(index, count, sparseMax)
  }

  /** Raises register `index` to `count` (if lower), in whichever form the sketch has. */
  setRegister(index: number, count: number, sparseMax: number): number {
    if (this.encoding === HLL_DENSE) return this.denseRaise(index, count)
    return this.sparseSet(index, count, sparseMax)
  }

  private denseRaise(index: number, count: number): number {
    const regs = this.bytes.subarray(0, this.length)
    if (count <= denseGet(regs, HLL_HDR_SIZE, index)) return 0
    denseSet(regs, HLL_HDR_SIZE, index, count)
    return 1
  }

  private ensureRoom(extra: number): void {
    if (this.length + extra <= this.bytes.length) return
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra))
    grown.set(this.bytes.subarray(0, this.length))
    this.bytes = grown
  }

  /** hllSparseToDense; false for a corrupted sketch. */
  toDense(): boolean {
    if (this.encoding === HLL_DENSE) return true
    const dense = new Uint8Array(HLL_DENSE_SIZE)
    dense.set(this.bytes.subarray(0, HLL_HDR_SIZE))
    dense[4] = HLL_DENSE
    const ok = forEachRun(this.bytes, HLL_HDR_SIZE, this.length, (first, run, value) => {
      for (let i = 0; i < run; i++) denseSet(dense, HLL_HDR_SIZE, first + i, value)
    })
    if (!ok) return false
    this.bytes = dense
    this.length = HLL_DENSE_SIZE
    return true
  }

  /** hllSparseSet, with its exact opcode splitting and merging. */
  private sparseSet(index: number, count: number, sparseMax: number): number {
    if (count > SPARSE_VAL_MAX_VALUE) return this.promote(index, count)
    this.ensureRoom(3)
    const b = this.bytes
    const sparse = HLL_HDR_SIZE
    let end = this.length
    // Step 1: find the opcode covering the register.
    let p = sparse
    let first = 0
    let prev = -1
    let span = 0
    while (p < end) {
      let oplen = 1
      if (isZero(b[p])) span = zeroLen(b[p])
      else if (isVal(b[p])) span = valLen(b[p])
      else {
        span = xzeroLen(b[p], b[p + 1])
        oplen = 2
      }
      if (index <= first + span - 1) break
      prev = p
      p += oplen
      first += span
    }
    if (span === 0 || p >= end) return -1
    let next = isXzero(b[p]) ? p + 2 : p + 1
    if (next >= end) next = -1
    const zero = isZero(b[p])
    const xzero = isXzero(b[p])
    const val = !zero && !xzero
    const runlen = zero ? zeroLen(b[p]) : xzero ? xzeroLen(b[p], b[p + 1]) : valLen(b[p])

    let updatedInPlace = false
    if (val) {
      if (valValue(b[p]) >= count) return 0
      if (runlen === 1) {
        b[p] = valByte(count, 1)
        updatedInPlace = true
      }
    }
    if (!updatedInPlace && zero && runlen === 1) {
      b[p] = valByte(count, 1)
      updatedInPlace = true
    }
    if (!updatedInPlace) {
      // Step 2: split the opcode into up to three.
      const seq: number[] = []
      const last = first + span - 1
      const pushZeros = (len: number) => {
        if (len > SPARSE_ZERO_MAX_LEN) seq.push(((len - 1) >> 8) | 0x40, (len - 1) & 0xff)
        else seq.push(len - 1)
      }
      if (zero || xzero) {
        if (index !== first) pushZeros(index - first)
        seq.push(valByte(count, 1))
        if (index !== last) pushZeros(last - index)
      } else {
        const current = valValue(b[p])
        if (index !== first) seq.push(valByte(current, index - first))
        seq.push(valByte(count, 1))
        if (index !== last) seq.push(valByte(current, last - index))
      }
      // Step 3: put the new sequence in place of the old opcode.
      const oldlen = xzero ? 2 : 1
      const delta = seq.length - oldlen
      if (delta > 0 && this.length + delta > sparseMax) return this.promote(index, count)
      if (delta !== 0 && next !== -1) b.copyWithin(next + delta, next, end)
      this.length += delta
      end += delta
      for (let i = 0; i < seq.length; i++) b[p + i] = seq[i]
    }
    // Step 4: merge adjacent VAL opcodes of equal value, looking at up to five opcodes from the previous one.
    p = prev !== -1 ? prev : sparse
    let scan = 5
    while (p < end && scan-- > 0) {
      if (isXzero(b[p])) {
        p += 2
        continue
      }
      if (isZero(b[p])) {
        p++
        continue
      }
      if (p + 1 < end && isVal(b[p + 1])) {
        const v1 = valValue(b[p])
        if (v1 === valValue(b[p + 1])) {
          const len = valLen(b[p]) + valLen(b[p + 1])
          if (len <= SPARSE_VAL_MAX_LEN) {
            b[p + 1] = valByte(v1, len)
            b.copyWithin(p, p + 1, end)
            this.length--
            end--
            continue
          }
        }
      }
      p++
    }
    this.invalidateCache()
    return 1
  }

  private promote(index: number, count: number): number {
    if (!this.toDense()) return -1
    return this.denseRaise(index, count)
  }

  /** hllMerge: raises `max[i]` to this sketch's register i; false for a corrupted sketch. */
  mergeInto(max: Uint8Array): boolean {
    return mergeSketch(this.bytes.subarray(0, this.length), max)
  }
}

/** hllMerge over a stored sketch: max[i] = MAX(max[i], register i). False for a corrupted sparse sketch. */
export function mergeSketch(sketch: Uint8Array, max: Uint8Array): boolean {
  if (sketch[4] === HLL_DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = denseGet(sketch, HLL_HDR_SIZE, i)
      if (v > max[i]) max[i] = v
    }
    return true
  }
  return forEachRun(sketch, HLL_HDR_SIZE, sketch.length, (first, run, value) => {
    for (let i = first; i < first + run; i++) if (value > max[i]) max[i] = value
  })
}

/** Register histogram of a stored sketch; null when a sparse sketch does not cover exactly every register. */
export function sketchHistogram(sketch: Uint8Array): number[] | null {
  const histogram = new Array<number>(64).fill(0)
  if (sketch[4] === HLL_DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) histogram[denseGet(sketch, HLL_HDR_SIZE, i)]++
    return histogram
  }
  // Unlike hllMerge, the histogram pass counts every run without an overflow check.
  let index = 0
  for (let p = HLL_HDR_SIZE; p < sketch.length; ) {
    const b = sketch[p]
    if (isZero(b)) {
      histogram[0] += zeroLen(b)
      index += zeroLen(b)
      p++
    } else if (isXzero(b)) {
      const run = xzeroLen(b, sketch[p + 1])
      histogram[0] += run
      index += run
      p += 2
    } else {
      histogram[valValue(b)] += valLen(b)
      index += valLen(b)
      p++
    }
  }
  return index === HLL_REGISTERS ? histogram : null
}

/** Histogram of raw registers (one byte each), for PFCOUNT over several keys. */
export function rawHistogram(registers: Uint8Array): number[] {
  const histogram = new Array<number>(64).fill(0)
  for (let i = 0; i < HLL_REGISTERS; i++) histogram[registers[i]]++
  return histogram
}

/** hllCount's estimator (Otmar Ertl, "New cardinality estimation algorithms for HyperLogLog sketches"). */
export function estimate(histogram: number[]): number {
  const m = HLL_REGISTERS
  let z = m * tau((m - histogram[HLL_Q + 1]) / m)
  for (let j = HLL_Q; j >= 1; --j) {
    z += histogram[j]
    z *= 0.5
  }
  z += m * sigma(histogram[0] / m)
  return Math.round((ALPHA_INF * m * m) / z)
}

function sigma(x: number): number {
  if (x === 1) return Number.POSITIVE_INFINITY
  let zPrime: number
  let y = 1
  let z = x
  do {
    x *= x
    zPrime = z
    z += x * y
    y += y
  } while (zPrime !== z)
  return z
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0
  let zPrime: number
  let y = 1.0
  let z = 1 - x
  do {
    x = Math.sqrt(x)
    zPrime = z
    y *= 0.5
    const d = 1 - x
    z -= d * d * y
  } while (zPrime !== z)
  return z / 3
}

export { SPARSE_XZERO_MAX_LEN }
