/**
 * The byte-level writer of the RDB format: lengths, strings (integer-encoded when short and numeric, LZF-compressed
 * when long and compression is on, as rdbSaveRawString chooses), doubles, and the little-endian integers of opcodes.
 * Bytes accumulate in one growing buffer; `take` hands out what was written so far, so a long save can be written to
 * its file (and summed) piece by piece.
 */
import { lzfCompress } from './lzf.ts'
import { RdbEncoding } from './rdb-format.ts'

/** Redis tries LZF only on strings longer than this (rdbSaveRawString). */
const LZF_MIN_LENGTH = 20
/** Redis tries the integer encodings only on strings this short (rdbTryIntegerEncoding). */
const INT_ENCODING_MAX_LENGTH = 11

export class RdbEncoder {
  private buf: Buffer
  private pos = 0

  constructor(
    /** rdbcompression: LZF for strings longer than 20 bytes. */
    readonly compress = true,
    initialSize = 64 * 1024,
  ) {
    this.buf = Buffer.allocUnsafe(initialSize)
  }

  /** Bytes written since the last `take`. */
  get size(): number {
    return this.pos
  }

  /** The bytes written since the last `take`, as a copy; the encoder starts over empty. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos))
    this.pos = 0
    return out
  }

  private reserve(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.pos + bytes) size *= 2
    const grown = Buffer.allocUnsafe(size)
    this.buf.copy(grown, 0, 0, this.pos)
    this.buf = grown
  }

  u8(value: number): void {
    this.reserve(1)
    this.buf[this.pos++] = value
  }

  u32le(value: number): void {
    this.reserve(4)
    this.buf.writeUInt32LE(value, this.pos)
    this.pos += 4
  }

  /** An 8-byte little-endian integer (expiry times in ms). */
  i64le(value: number): void {
    this.reserve(8)
    this.buf.writeBigInt64LE(BigInt(value), this.pos)
    this.pos += 8
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length)
    this.buf.set(data, this.pos)
    this.pos += data.length
  }

  /** rdbSaveLen: 6 bits in one byte, 14 bits in two, then 32 or 64 bits big-endian after a marker byte. */
  length(n: number): void {
    this.reserve(9)
    const buf = this.buf
    if (n < 1 << 6) {
      buf[this.pos++] = n
    } else if (n < 1 << 14) {
      buf[this.pos++] = 0x40 | (n >> 8)
      buf[this.pos++] = n & 0xff
    } else if (n <= 0xffffffff) {
      buf[this.pos++] = 0x80
      buf.writeUInt32BE(n, this.pos)
      this.pos += 4
    } else {
      buf[this.pos++] = 0x81
      buf.writeBigUInt64BE(BigInt(n), this.pos)
      this.pos += 8
    }
  }

  /** A string as rdbSaveRawString writes it. */
  string(data: Uint8Array): void {
    const n = data.length
    if (n <= INT_ENCODING_MAX_LENGTH && n > 0) {
      const value = canonicalInt32(data)
      if (value !== null) {
        this.integer(value)
        return
      }
    }
    if (this.compress && n > LZF_MIN_LENGTH) {
      const packed = lzfCompress(data, n - 4)
      if (packed) {
        this.u8(0xc0 | RdbEncoding.LZF)
        this.length(packed.length)
        this.length(n)
        this.bytes(packed)
        return
      }
    }
    this.length(n)
    this.bytes(data)
  }

  /** A latin1 string (hash fields, set and zset members are kept that way: one char per byte). */
  latin1(text: string): void {
    const n = text.length
    // Only a text starting with a digit or '-' can be an integer; only a long one is worth compressing.
    const first = n > 0 ? text.charCodeAt(0) : 0
    const maybeInteger = n <= INT_ENCODING_MAX_LENGTH && (first === 0x2d || (first >= 0x30 && first <= 0x39))
    if (!maybeInteger && !(this.compress && n > LZF_MIN_LENGTH)) {
      this.length(text.length)
      this.reserve(text.length)
      this.pos += this.buf.write(text, this.pos, 'latin1')
      return
    }
    this.string(Buffer.from(text, 'latin1'))
  }

  /** rdbEncodeInteger: the smallest of the INT8, INT16 and INT32 encodings. */
  private integer(value: number): void {
    this.reserve(5)
    const buf = this.buf
    if (value >= -128 && value <= 127) {
      buf[this.pos++] = 0xc0 | RdbEncoding.INT8
      buf.writeInt8(value, this.pos)
      this.pos += 1
    } else if (value >= -32768 && value <= 32767) {
      buf[this.pos++] = 0xc0 | RdbEncoding.INT16
      buf.writeInt16LE(value, this.pos)
      this.pos += 2
    } else {
      buf[this.pos++] = 0xc0 | RdbEncoding.INT32
      buf.writeInt32LE(value, this.pos)
      this.pos += 4
    }
  }

  /** rdbSaveBinaryDoubleValue: 8 bytes, IEEE 754 little-endian. */
  binaryDouble(value: number): void {
    this.reserve(8)
    this.buf.writeDoubleLE(value, this.pos)
    this.pos += 8
  }
}

/**
 * The value of `data` when it is the canonical decimal text of an int32 (what rdbTryIntegerEncoding accepts: the
 * integer must print back as the same bytes, and rdbEncodeInteger takes 32 bits at most), else null.
 */
function canonicalInt32(data: Uint8Array): number | null {
  let i = 0
  const n = data.length
  if (data[0] === 0x2d) {
    if (n === 1) return null
    i = 1
  }
  if (data[i] === 0x30 && n > i + 1) return null
  let value = 0
  for (; i < n; i++) {
    const c = data[i]
    if (c < 0x30 || c > 0x39) return null
    value = value * 10 + (c - 0x30)
  }
  if (data[0] === 0x2d) {
    if (value === 0) return null
    value = -value
  }
  return value >= -2147483648 && value <= 2147483647 ? value : null
}
