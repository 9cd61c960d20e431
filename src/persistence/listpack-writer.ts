/**
 * Builds a listpack blob (listpack.c's format) element by element, as lpAppend and lpAppendInteger would: a
 * 6-byte header (total bytes, element count), each element in its smallest encoding followed by its back-length,
 * then the 0xFF terminator. A string that is the canonical text of an int64 is stored as that integer, as lpAppend
 * does, so redis-server reads back the same bytes and the same blob sizes.
 */

const HEADER_SIZE = 6
/** LP_HDR_NUMELE_UNKNOWN: the header's count saturates here and readers count the elements instead. */
const COUNT_UNKNOWN = 65535

const INT64_MIN = -(1n << 63n)
const INT64_MAX = (1n << 63n) - 1n

export class ListpackWriter {
  private buf = Buffer.allocUnsafe(256)
  private pos = HEADER_SIZE
  private count = 0

  private reserve(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.pos + bytes) size *= 2
    const grown = Buffer.allocUnsafe(size)
    this.buf.copy(grown, 0, 0, this.pos)
    this.buf = grown
  }

  /** lpAppend of a latin1 string: an integer encoding when it is a canonical int64, else a string encoding. */
  string(text: string): void {
    const first = text.length > 0 ? text.charCodeAt(0) : 0
    // Only a text starting with a digit or '-' can be an integer.
    if (first === 0x2d || (first >= 0x30 && first <= 0x39)) {
      if (isCanonicalInt64(text)) {
        // Up to 15 digits is exact as a double.
        this.integer(text.length <= 15 ? Number(text) : BigInt(text))
        return
      }
    }
    const n = text.length
    const header = n < 64 ? 1 : n < 4096 ? 2 : 5
    this.reserve(header + n + 5)
    const start = this.pos
    const buf = this.buf
    if (n < 64) {
      buf[this.pos++] = 0x80 | n
    } else if (n < 4096) {
      buf[this.pos++] = 0xe0 | (n >> 8)
      buf[this.pos++] = n & 0xff
    } else {
      buf[this.pos++] = 0xf0
      buf.writeUInt32LE(n, this.pos)
      this.pos += 4
    }
    this.pos += buf.write(text, this.pos, 'latin1')
    this.backlen(this.pos - start)
  }

  /** lpAppendInteger: the smallest of the 7-bit, 13-bit, 16-, 24-, 32- and 64-bit encodings. */
  integer(value: bigint | number): void {
    // Counts, flags and most ID deltas are small: encoded from the number without a bigint.
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= -2147483648 && value <= 2147483647) {
      this.int32(value)
      return
    }
    const v = BigInt(value)
    if (v < INT64_MIN || v > INT64_MAX) throw new RangeError('listpack integers are 64-bit signed')
    if (v >= -2147483648n && v <= 2147483647n) {
      this.int32(Number(v))
      return
    }
    this.reserve(9 + 1)
    const start = this.pos
    this.buf[this.pos++] = 0xf4
    this.buf.writeBigInt64LE(v, this.pos)
    this.pos += 8
    this.backlen(this.pos - start)
  }

  private int32(v: number): void {
    this.reserve(5 + 1)
    const start = this.pos
    const buf = this.buf
    if (v >= 0 && v <= 127) {
      buf[this.pos++] = v
    } else if (v >= -4096 && v <= 4095) {
      const u = v < 0 ? v + 8192 : v
      buf[this.pos++] = 0xc0 | (u >> 8)
      buf[this.pos++] = u & 0xff
    } else if (v >= -32768 && v <= 32767) {
      buf[this.pos++] = 0xf1
      buf.writeInt16LE(v, this.pos)
      this.pos += 2
    } else if (v >= -8388608 && v <= 8388607) {
      buf[this.pos++] = 0xf2
      buf.writeIntLE(v, this.pos, 3)
      this.pos += 3
    } else {
      buf[this.pos++] = 0xf3
      buf.writeInt32LE(v, this.pos)
      this.pos += 4
    }
    this.backlen(this.pos - start)
  }

  /** lpEncodeBacklen: the entry's size, 7 bits a byte, most significant first, all but the first byte flagged. */
  private backlen(size: number): void {
    this.count++
    const groups = size <= 127 ? 1 : size < 16383 ? 2 : size < 2097151 ? 3 : size < 268435455 ? 4 : 5
    this.reserve(groups)
    const buf = this.buf
    for (let g = groups - 1; g >= 0; g--) {
      const bits = Math.floor(size / 2 ** (7 * g)) & 127
      buf[this.pos++] = g === groups - 1 ? bits : bits | 128
    }
  }

  /** The finished blob; the writer must not be used afterwards. */
  finish(): Buffer {
    this.reserve(1)
    this.buf[this.pos++] = 0xff
    this.buf.writeUInt32LE(this.pos, 0)
    this.buf.writeUInt16LE(Math.min(this.count, COUNT_UNKNOWN), 4)
    return this.buf.subarray(0, this.pos)
  }
}

/** lpStringToInt64: the value of `text` when it is the canonical decimal text of an int64 (no sign on 0, no leading zeros). */
export function canonicalInt64(text: string): bigint | null {
  return isCanonicalInt64(text) ? BigInt(text) : null
}

function isCanonicalInt64(text: string): boolean {
  const n = text.length
  if (n === 0 || n > 20) return false
  let i = text.charCodeAt(0) === 0x2d ? 1 : 0
  if (i === n) return false
  const first = text.charCodeAt(i)
  if (first === 0x30) return n === 1
  for (; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x30 || c > 0x39) return false
  }
  if (n <= 18) return true
  const value = BigInt(text)
  return value >= INT64_MIN && value <= INT64_MAX
}
