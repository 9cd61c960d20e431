/**
 * Readers of the compact blobs Redis stores inside RDB values: listpack (7.0's hashes, zsets and quicklist nodes),
 * ziplist (the same before 7.0, RDB versions up to 9), intset (sets of integers) and zipmap (hashes before 2.6).
 * Each walks a blob with bounds checks and calls `visit` with every entry as its bytes (integers as their decimal
 * text, which is how Redis hands them out), throwing RdbError on a malformed blob.
 */
import { RdbError } from './rdb-format.ts'

type Visit = (entry: Buffer) => void

function corrupt(what: string): RdbError {
  return new RdbError(`${what} integrity check failed`)
}

function intEntry(value: number | bigint): Buffer {
  return Buffer.from(String(value), 'latin1')
}

/** lpValidateIntegrity + iteration: header (total bytes, count), entries each followed by a back-length, 0xFF. */
export function readListpack(blob: Buffer, visit: Visit): number {
  return walkListpack(
    blob,
    (value) => visit(intEntry(value)),
    (start, end) => visit(Buffer.from(blob.subarray(start, end))),
  )
}

/**
 * The same walk with integer entries handed over as numbers (bigints beyond 2^53) and string entries as their byte
 * range in `blob`, for readers that want the values themselves without a Buffer per entry (stream listpacks).
 */
export function walkListpack(
  blob: Buffer,
  onInteger: (value: number | bigint) => void,
  onString: (start: number, end: number) => void,
): number {
  if (blob.length < 7 || blob.readUInt32LE(0) !== blob.length || blob[blob.length - 1] !== 0xff) {
    throw corrupt('Listpack')
  }
  const declared = blob.readUInt16LE(4)
  const end = blob.length - 1
  let p = 6
  let count = 0
  while (p < end) {
    const b = blob[p]
    let size: number
    if ((b & 0x80) === 0) {
      size = 1
      onInteger(b & 0x7f)
    } else if ((b & 0xc0) === 0x80) {
      size = 1 + (b & 0x3f)
      if (p + size > end) throw corrupt('Listpack')
      onString(p + 1, p + size)
    } else if ((b & 0xe0) === 0xc0) {
      size = 2
      if (p + size > end) throw corrupt('Listpack')
      const u = ((b & 0x1f) << 8) | blob[p + 1]
      onInteger(u >= 1 << 12 ? u - (1 << 13) : u)
    } else if ((b & 0xf0) === 0xe0) {
      if (p + 2 > end) throw corrupt('Listpack')
      size = 2 + (((b & 0x0f) << 8) | blob[p + 1])
      if (p + size > end) throw corrupt('Listpack')
      onString(p + 2, p + size)
    } else if (b === 0xf0) {
      if (p + 5 > end) throw corrupt('Listpack')
      size = 5 + blob.readUInt32LE(p + 1)
      if (p + size > end) throw corrupt('Listpack')
      onString(p + 5, p + size)
    } else {
      size = b === 0xf1 ? 3 : b === 0xf2 ? 4 : b === 0xf3 ? 5 : b === 0xf4 ? 9 : 0
      if (size === 0 || p + size > end) throw corrupt('Listpack')
      if (b === 0xf1) onInteger(blob.readInt16LE(p + 1))
      else if (b === 0xf2) onInteger(blob.readIntLE(p + 1, 3))
      else if (b === 0xf3) onInteger(blob.readInt32LE(p + 1))
      else {
        const v = blob.readBigInt64LE(p + 1)
        onInteger(v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v)
      }
    }
    p += size + backlenSize(size)
    if (p > end) throw corrupt('Listpack')
    count++
  }
  if (declared !== 65535 && declared !== count) throw corrupt('Listpack')
  return count
}

/** lpEncodeBacklen's width for an entry of `size` bytes. */
function backlenSize(size: number): number {
  if (size <= 127) return 1
  if (size < 16383) return 2
  if (size < 2097151) return 3
  if (size < 268435455) return 4
  return 5
}

/** ziplistValidateIntegrity + iteration: zlbytes, zltail, zllen, entries (prevlen, encoding, data), 0xFF. */
export function readZiplist(blob: Buffer, visit: Visit): number {
  if (blob.length < 11 || blob.readUInt32LE(0) !== blob.length || blob[blob.length - 1] !== 0xff) {
    throw corrupt('Ziplist')
  }
  const declared = blob.readUInt16LE(8)
  const end = blob.length - 1
  let p = 10
  let count = 0
  while (p < end) {
    p += blob[p] < 254 ? 1 : 5
    if (p >= end) throw corrupt('Ziplist')
    const e = blob[p]
    const kind = e >> 6
    if (kind < 3) {
      let len: number
      if (kind === 0) {
        len = e & 0x3f
        p += 1
      } else if (kind === 1) {
        if (p + 2 > end) throw corrupt('Ziplist')
        len = ((e & 0x3f) << 8) | blob[p + 1]
        p += 2
      } else {
        if (p + 5 > end) throw corrupt('Ziplist')
        len = blob.readUInt32BE(p + 1)
        p += 5
      }
      if (p + len > end) throw corrupt('Ziplist')
      visit(Buffer.from(blob.subarray(p, p + len)))
      p += len
    } else {
      const width = e === 0xc0 ? 2 : e === 0xd0 ? 4 : e === 0xe0 ? 8 : e === 0xf0 ? 3 : e === 0xfe ? 1 : 0
      if (width === 0) {
        if (e < 0xf1 || e > 0xfd) throw corrupt('Ziplist')
        visit(intEntry((e & 0x0f) - 1))
        p += 1
      } else {
        if (p + 1 + width > end) throw corrupt('Ziplist')
        const at = p + 1
        if (width === 8) visit(intEntry(blob.readBigInt64LE(at)))
        else visit(intEntry(blob.readIntLE(at, width)))
        p += 1 + width
      }
    }
    count++
  }
  if (declared !== 65535 && declared !== count) throw corrupt('Ziplist')
  return count
}

/** intsetValidateIntegrity + iteration: encoding (2, 4 or 8 bytes), length, the integers little-endian, ascending. */
export function readIntset(blob: Buffer, visit: Visit): number {
  if (blob.length < 8) throw corrupt('Intset')
  const width = blob.readUInt32LE(0)
  const count = blob.readUInt32LE(4)
  if ((width !== 2 && width !== 4 && width !== 8) || blob.length !== 8 + width * count) throw corrupt('Intset')
  let previous: bigint | null = null
  for (let i = 0; i < count; i++) {
    const at = 8 + i * width
    const value = width === 8 ? blob.readBigInt64LE(at) : BigInt(blob.readIntLE(at, width))
    if (previous !== null && value <= previous) throw corrupt('Intset')
    previous = value
    visit(intEntry(value))
  }
  return count
}

/** zipmapValidateIntegrity + iteration: a count byte, then key and value each with its length, a free byte, 0xFF. */
export function readZipmap(blob: Buffer, visit: Visit): number {
  if (blob.length < 2 || blob[blob.length - 1] !== 0xff) throw corrupt('Zipmap')
  const end = blob.length - 1
  let p = 1
  let count = 0
  const readLength = (): number => {
    if (p >= end) throw corrupt('Zipmap')
    const b = blob[p]
    if (b < 254) {
      p += 1
      return b
    }
    if (b !== 254 || p + 5 > end) throw corrupt('Zipmap')
    const len = blob.readUInt32LE(p + 1)
    p += 5
    return len
  }
  while (p < end) {
    const keyLength = readLength()
    if (p + keyLength > end) throw corrupt('Zipmap')
    visit(Buffer.from(blob.subarray(p, p + keyLength)))
    p += keyLength
    const valueLength = readLength()
    if (p >= end) throw corrupt('Zipmap')
    const free = blob[p++]
    if (p + valueLength + free > end) throw corrupt('Zipmap')
    visit(Buffer.from(blob.subarray(p, p + valueLength)))
    p += valueLength + free
    count += 2
  }
  return count
}
