/**
 * FUNCTION DUMP / FUNCTION RESTORE payloads, in Redis 7.0's format so that payloads move between redsim and
 * redis-server both ways: for each library the RDB opcode FUNCTION2 (245) and the library's code as an RDB string
 * (LZF-compressed when that saves space, as rdbSaveRawString does), then the RDB version (2 bytes, little-endian) and
 * the CRC-64 of everything before it (8 bytes, little-endian). RESTORE also reads the 7.0 release candidates' format
 * (opcode 246: name, engine, optional description, code), as Redis does.
 */
import { crc64LittleEndian } from '../../persistence/crc64.ts'
import { lzfCompress, lzfDecompress } from '../../persistence/lzf.ts'

export const RDB_VERSION = 10
export const RDB_OPCODE_FUNCTION2 = 245
export const RDB_OPCODE_FUNCTION_PRE_GA = 246
/** The most an LZF stream can expand: a 3-byte back reference yields 264 bytes. */
const MAX_EXPANSION = 88

/** The payload FUNCTION DUMP answers for libraries with these codes, in this order. */
export function encodeFunctionsPayload(codes: Iterable<Buffer>): Buffer {
  const parts: Buffer[] = []
  for (const code of codes) {
    parts.push(Buffer.from([RDB_OPCODE_FUNCTION2]))
    parts.push(encodeRdbString(code))
  }
  parts.push(Buffer.from([RDB_VERSION & 0xff, RDB_VERSION >> 8]))
  const body = Buffer.concat(parts)
  return Buffer.concat([body, crc64LittleEndian(body)])
}

/** verifyDumpPayload: a footer with a version this server reads and a matching CRC-64. */
export function verifyPayload(payload: Buffer): boolean {
  if (payload.length < 10) return false
  const footer = payload.length - 10
  const version = payload[footer] | (payload[footer + 1] << 8)
  if (version > RDB_VERSION) return false
  return crc64LittleEndian(payload.subarray(0, payload.length - 8)).equals(payload.subarray(payload.length - 8))
}

/**
 * The library codes in a verified payload, or Redis's error text. Redis reads entries while more than the footer's
 * 10 bytes remain, from a reader over the whole payload (so a malformed entry may read into the footer).
 */
export function decodeFunctionsPayload(payload: Buffer): Buffer[] | { error: string } {
  const reader = new RdbReader(payload)
  const codes: Buffer[] = []
  while (payload.length - reader.pos > 10) {
    const type = reader.byte()
    if (type === null) return { error: 'can not read data type' }
    if (type === RDB_OPCODE_FUNCTION2) {
      const code = reader.string()
      if (code === null) return { error: 'Failed loading library payload' }
      codes.push(code)
    } else if (type === RDB_OPCODE_FUNCTION_PRE_GA) {
      const name = reader.string()
      if (name === null) return { error: 'Failed loading library name' }
      const engine = reader.string()
      if (engine === null) return { error: 'Failed loading engine name' }
      const hasDescription = reader.length()
      if (hasDescription === null) return { error: 'Failed loading library description indicator' }
      if (hasDescription !== 0 && reader.string() === null) return { error: 'Failed loading library description' }
      const blob = reader.string()
      if (blob === null) return { error: 'Failed loading library blob' }
      codes.push(
        Buffer.concat([Buffer.from(`#!${engine.toString('latin1')} name=`, 'latin1'), name, Buffer.from('\n'), blob]),
      )
    } else {
      return { error: 'given type is not a function' }
    }
  }
  return codes
}

/** rdbSaveRawString for a library's code. */
function encodeRdbString(s: Buffer): Buffer {
  const asInteger = integerEncoding(s)
  if (asInteger) return asInteger
  if (s.length > 20) {
    const compressed = lzfCompress(s, s.length - 4)
    if (compressed)
      return Buffer.concat([Buffer.from([0xc3]), encodeLength(compressed.length), encodeLength(s.length), compressed])
  }
  return Buffer.concat([encodeLength(s.length), s])
}

/** rdbTryIntegerEncoding: a string that is exactly a small integer's decimal text is stored as the integer. */
function integerEncoding(s: Buffer): Buffer | null {
  if (s.length === 0 || s.length > 11) return null
  const text = s.toString('latin1')
  if (!/^(0|-?[1-9][0-9]*)$/.test(text)) return null
  const value = Number(text)
  if (value >= -128 && value <= 127) return Buffer.from([0xc0, value & 0xff])
  if (value >= -32768 && value <= 32767) return Buffer.from([0xc1, value & 0xff, (value >> 8) & 0xff])
  if (value >= -2147483648 && value <= 2147483647) {
    const out = Buffer.alloc(5)
    out[0] = 0xc2
    out.writeInt32LE(value, 1)
    return out
  }
  return null
}

function encodeLength(n: number): Buffer {
  if (n < 1 << 6) return Buffer.from([n])
  if (n < 1 << 14) return Buffer.from([0x40 | (n >> 8), n & 0xff])
  if (n <= 0xffffffff) {
    const out = Buffer.alloc(5)
    out[0] = 0x80
    out.writeUInt32BE(n, 1)
    return out
  }
  const out = Buffer.alloc(9)
  out[0] = 0x81
  out.writeBigUInt64BE(BigInt(n), 1)
  return out
}

/** Reads RDB lengths and strings from a buffer; every read returns null past the end or on a malformed value. */
class RdbReader {
  pos = 0

  constructor(private readonly data: Buffer) {}

  byte(): number | null {
    return this.pos < this.data.length ? this.data[this.pos++] : null
  }

  /** rdbLoadLen: a plain length (an encoded value here is an error). */
  length(): number | null {
    const read = this.lengthOrEncoding()
    return read === null || read.encoded ? null : read.value
  }

  private lengthOrEncoding(): { encoded: boolean; value: number } | null {
    const first = this.byte()
    if (first === null) return null
    const type = first >> 6
    if (type === 3) return { encoded: true, value: first & 0x3f }
    if (type === 0) return { encoded: false, value: first & 0x3f }
    if (type === 1) {
      const second = this.byte()
      return second === null ? null : { encoded: false, value: ((first & 0x3f) << 8) | second }
    }
    if (first === 0x80) {
      if (this.pos + 4 > this.data.length) return null
      const value = this.data.readUInt32BE(this.pos)
      this.pos += 4
      return { encoded: false, value }
    }
    if (first === 0x81) {
      if (this.pos + 8 > this.data.length) return null
      const value = this.data.readBigUInt64BE(this.pos)
      this.pos += 8
      return value > BigInt(this.data.length)
        ? { encoded: false, value: this.data.length + 1 }
        : { encoded: false, value: Number(value) }
    }
    return null
  }

  /** rdbGenericLoadStringObject: a plain, integer-encoded or LZF-compressed string. */
  string(): Buffer | null {
    const head = this.lengthOrEncoding()
    if (head === null) return null
    if (!head.encoded) return this.take(head.value)
    switch (head.value) {
      case 0: {
        const b = this.take(1)
        return b && Buffer.from(String(b.readInt8(0)))
      }
      case 1: {
        const b = this.take(2)
        return b && Buffer.from(String(b.readInt16LE(0)))
      }
      case 2: {
        const b = this.take(4)
        return b && Buffer.from(String(b.readInt32LE(0)))
      }
      case 3: {
        const compressedLength = this.length()
        const length = this.length()
        if (compressedLength === null || length === null || length === 0) return null
        // LZF expands at most MAX_EXPANSION-fold: a larger claimed length is corrupt (and is not allocated).
        if (length > compressedLength * MAX_EXPANSION) return null
        const compressed = this.take(compressedLength)
        return compressed && lzfDecompress(compressed, length)
      }
      default:
        return null
    }
  }

  private take(n: number): Buffer | null {
    if (this.pos + n > this.data.length) return null
    const out = this.data.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }
}
