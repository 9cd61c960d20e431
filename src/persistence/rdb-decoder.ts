/**
 * The byte-level reader of the RDB format, over one Buffer: lengths, strings in each of their encodings (plain,
 * INT8/16/32, LZF), the two double formats and the little-endian integers of opcodes. Every read is bounds-checked:
 * data that ends early throws RdbError('eof'), malformed data RdbError('corrupt'); nothing reads past the buffer or
 * allocates more than the data can describe.
 */
import { lzfDecompress } from './lzf.ts'
import { RdbEncoding, RdbError } from './rdb-format.ts'

export class RdbDecoder {
  pos: number

  constructor(
    readonly buf: Buffer,
    start = 0,
    /** Where the data ends (a file's checksum is not part of it). */
    readonly end = buf.length,
  ) {
    this.pos = start
  }

  get remaining(): number {
    return this.end - this.pos
  }

  private need(bytes: number): void {
    if (bytes > this.end - this.pos) throw new RdbError('Unexpected EOF reading RDB file', 'eof')
  }

  u8(): number {
    this.need(1)
    return this.buf[this.pos++]
  }

  u32le(): number {
    this.need(4)
    const v = this.buf.readUInt32LE(this.pos)
    this.pos += 4
    return v
  }

  i32le(): number {
    this.need(4)
    const v = this.buf.readInt32LE(this.pos)
    this.pos += 4
    return v
  }

  /** An 8-byte little-endian integer as a Number (expiry times in ms fit easily). */
  i64le(): number {
    this.need(8)
    const v = this.buf.readBigInt64LE(this.pos)
    this.pos += 8
    return Number(v)
  }

  bytes(n: number): Buffer {
    this.need(n)
    const out = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }

  /**
   * rdbLoadLenByRef: a length, or (when `encoded` comes back true) the number of a special string encoding.
   */
  lengthOrEncoding(): { value: number; encoded: boolean } {
    const first = this.u8()
    const kind = first >> 6
    if (kind === 0) return { value: first & 0x3f, encoded: false }
    if (kind === 1) return { value: ((first & 0x3f) << 8) | this.u8(), encoded: false }
    if (kind === 3) return { value: first & 0x3f, encoded: true }
    if (first === 0x80) {
      this.need(4)
      const v = this.buf.readUInt32BE(this.pos)
      this.pos += 4
      return { value: v, encoded: false }
    }
    if (first === 0x81) {
      this.need(8)
      const v = this.buf.readBigUInt64BE(this.pos)
      this.pos += 8
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RdbError('Unknown length encoding in rdbLoadLen()')
      return { value: Number(v), encoded: false }
    }
    throw new RdbError(`Unknown length encoding ${first} in rdbLoadLen()`)
  }

  /** A plain length (an element count, a database number): an encoded one here is corruption. */
  length(): number {
    const { value, encoded } = this.lengthOrEncoding()
    if (encoded) throw new RdbError('Unexpected string encoding where a length was expected')
    return value
  }

  /**
   * A count of things that each take at least `minBytes` of the data: refused when the data cannot hold that many,
   * so a corrupt count never sizes an allocation.
   */
  count(minBytes = 1): number {
    const n = this.length()
    if (n * minBytes > this.remaining) throw new RdbError('Unexpected EOF reading RDB file', 'eof')
    return n
  }

  /** rdbGenericLoadStringObject: the bytes of a string in any of its encodings. */
  string(): Buffer {
    const { value, encoded } = this.lengthOrEncoding()
    if (!encoded) return Buffer.from(this.bytes(value))
    switch (value) {
      case RdbEncoding.INT8: {
        this.need(1)
        return Buffer.from(String(this.buf.readInt8(this.pos++)))
      }
      case RdbEncoding.INT16: {
        this.need(2)
        const v = this.buf.readInt16LE(this.pos)
        this.pos += 2
        return Buffer.from(String(v))
      }
      case RdbEncoding.INT32:
        return Buffer.from(String(this.i32le()))
      case RdbEncoding.LZF: {
        const compressedLength = this.length()
        const length = this.length()
        const packed = this.bytes(compressedLength)
        // LZF expands at most about 260 times (a 3-byte reference stands for up to 264 bytes): bound the allocation.
        if (length > compressedLength * 300 + 64) throw new RdbError('Invalid LZF compressed string')
        const unpacked = lzfDecompress(packed, length)
        if (unpacked === null) throw new RdbError('Invalid LZF compressed string')
        return unpacked
      }
      default:
        throw new RdbError(`Unknown RDB string encoding type ${value}`)
    }
  }

  /** A string as latin1 text (keys, members, fields), read in place when it is stored plain. */
  latin1(): string {
    const start = this.pos
    const { value, encoded } = this.lengthOrEncoding()
    if (encoded) {
      this.pos = start
      return this.string().toString('latin1')
    }
    this.need(value)
    const text = this.buf.toString('latin1', this.pos, this.pos + value)
    this.pos += value
    return text
  }

  /** rdbLoadDoubleValue: the old text form (a length byte, 253 NaN, 254 +inf, 255 -inf). */
  textDouble(): number {
    const len = this.u8()
    if (len === 253) return Number.NaN
    if (len === 254) return Number.POSITIVE_INFINITY
    if (len === 255) return Number.NEGATIVE_INFINITY
    const value = Number(this.bytes(len).toString('latin1'))
    if (Number.isNaN(value)) throw new RdbError('Invalid double value')
    return value
  }

  /** rdbLoadBinaryDoubleValue: 8 bytes, IEEE 754 little-endian. */
  binaryDouble(): number {
    this.need(8)
    const v = this.buf.readDoubleLE(this.pos)
    this.pos += 8
    return v
  }
}
