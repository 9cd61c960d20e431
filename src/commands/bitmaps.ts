/**
 * Bitmap commands on string values (Redis 7.0 bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD,
 * BITFIELD_RO. Bit 0 is the most significant bit of byte 0.
 *
 * Stored strings are never modified in place: the same Buffer may be in a reply not yet written, in another key
 * after COPY, or in a caller's hands (see string-growth.ts). So a write inside the existing bytes copies the string,
 * O(length), where Redis writes in place, O(1). A SETBIT past the end, the common way to grow a bitmap, only writes
 * new bytes and goes through extendString, amortized O(1) like Redis's greedy sds growth.
 */
import { markStringEncoding } from '../keyspace/encoding.ts'
import { Errors, type Reply, ReplyError } from '../protocol/reply.ts'
import { bigIntegerArg, integerArg, isOption, keyOf, parseInt64 } from './args.ts'
import { extendString } from './string-growth.ts'
import { type CommandContext, command } from './types.ts'
import { NOTIFY_GENERIC, NOTIFY_STRING } from '../keyspace/keyspace-events.ts'

const OFFSET_ERROR = 'ERR bit offset is not an integer or out of range'

/** The string at `key` for reading, undefined when absent; WRONGTYPE for an aggregate. */
function readString(ctx: CommandContext, key: string): Buffer | undefined {
  const value = ctx.db.get(key)
  if (value !== undefined && !Buffer.isBuffer(value)) throw Errors.wrongType()
  return value
}

/**
 * getBitOffsetFromArgument: a non-negative bit offset whose byte is below proto-max-bulk-len. With `bits`, a `#N`
 * offset means N fields of that width (BITFIELD).
 */
function bitOffsetArg(ctx: CommandContext, arg: Buffer, bits = 0): number {
  const byHash = bits > 0 && arg[0] === 0x23
  const parsed = parseInt64(byHash ? arg.subarray(1) : arg)
  if (parsed === null) throw new ReplyError(OFFSET_ERROR)
  const offset = byHash ? BigInt.asIntN(64, parsed * BigInt(bits)) : parsed
  if (offset < 0n || offset >> 3n >= BigInt(ctx.engine.config.getNumber('proto-max-bulk-len'))) {
    throw new ReplyError(OFFSET_ERROR)
  }
  return Number(offset)
}

// --- population count and bit search ---

const POPCOUNT = new Uint8Array(256)
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1]

function popcount(bytes: Buffer, start: number, count: number): number {
  let total = 0
  for (let i = start, end = start + count; i < end; i++) total += POPCOUNT[bytes[i]]
  return total
}

/**
 * redisBitpos: position of the first bit equal to `bit` in bytes[start, start+count). Looking for a 0 and finding
 * none answers count*8 (the first bit past the range, as if zero padded); looking for a 1, -1.
 */
function bitpos(bytes: Buffer | Uint8Array, start: number, count: number, bit: number): number {
  const skip = bit ? 0x00 : 0xff
  for (let i = 0; i < count; i++) {
    const b = bytes[start + i]
    if (b === skip) continue
    for (let j = 7; j >= 0; j--) if (((b >> j) & 1) === bit) return i * 8 + (7 - j)
  }
  return bit ? -1 : count * 8
}

// --- SETBIT / GETBIT ---

function setbit(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  const offset = bitOffsetArg(ctx, argv[2])
  const on = parseInt64(argv[3])
  if (on === null || (on !== 0n && on !== 1n)) throw new ReplyError('ERR bit is not an integer or out of range')
  const key = keyOf(argv, 1)
  const current = db.getForWrite(key)
  if (current !== undefined && !Buffer.isBuffer(current)) throw Errors.wrongType()
  const byteIndex = offset >>> 3
  const mask = 1 << (7 - (offset & 7))
  if (current === undefined || byteIndex >= current.length) {
    // The string grows: only new bytes are written.
    const base = current ?? Buffer.alloc(0)
    const tail = Buffer.from([on ? mask : 0])
    db.set(key, markStringEncoding(extendString(base, byteIndex - base.length, tail), 'raw'), true)
    db.notify(NOTIFY_STRING, 'setbit', key)
    return 0
  }
  const old = current[byteIndex] & mask ? 1 : 0
  if (old === Number(on)) {
    // Unchanged, but Redis has already unshared the string into a raw one.
    markStringEncoding(current, 'raw')
    return old
  }
  const copy = Buffer.from(current)
  copy[byteIndex] ^= mask
  db.set(key, markStringEncoding(copy, 'raw'), true)
  db.notify(NOTIFY_STRING, 'setbit', key)
  return old
}

function getbit(ctx: CommandContext): Reply {
  const offset = bitOffsetArg(ctx, ctx.argv[2])
  const value = readString(ctx, keyOf(ctx.argv, 1))
  if (!value) return 0
  const byteIndex = Math.floor(offset / 8)
  if (byteIndex >= value.length) return 0
  return value[byteIndex] & (1 << (7 - (offset & 7))) ? 1 : 0
}

// --- BITCOUNT / BITPOS ---

/** The BYTE|BIT unit argument. */
function unitIsBit(arg: Buffer): boolean {
  if (isOption(arg, 'BIT')) return true
  if (isOption(arg, 'BYTE')) return false
  throw Errors.syntax()
}

function bitcount(ctx: CommandContext): Reply {
  const { argv } = ctx
  const value = readString(ctx, keyOf(argv, 1))
  if (!value) return 0
  const length = value.length
  let start: number
  let end: number
  let firstMask = 0
  let lastMask = 0
  if (argv.length === 4 || argv.length === 5) {
    start = integerArg(argv[2])
    end = integerArg(argv[3])
    const isBit = argv.length === 5 && unitIsBit(argv[4])
    const total = isBit ? length * 8 : length
    if (start < 0 && end < 0 && start > end) return 0
    if (start < 0) start = total + start
    if (end < 0) end = total + end
    if (start < 0) start = 0
    if (end < 0) end = 0
    if (end >= total) end = total - 1
    if (isBit && start <= end) {
      // Masks of the bits outside the range in the first and last bytes.
      firstMask = ~((1 << (8 - (start & 7))) - 1) & 0xff
      lastMask = (1 << (7 - (end & 7))) - 1
      start = Math.floor(start / 8)
      end = Math.floor(end / 8)
    }
  } else if (argv.length === 2) {
    start = 0
    end = length - 1
  } else {
    throw Errors.syntax()
  }
  if (start > end) return 0
  let count = popcount(value, start, end - start + 1)
  if (firstMask) count -= POPCOUNT[value[start] & firstMask]
  if (lastMask) count -= POPCOUNT[value[end] & lastMask]
  return count
}

function bitposCommand(ctx: CommandContext): Reply {
  const { argv } = ctx
  const bitArg = parseInt64(argv[2])
  if (bitArg === null) throw Errors.notInteger()
  if (bitArg !== 0n && bitArg !== 1n) throw new ReplyError('ERR The bit argument must be 1 or 0.')
  const bit = Number(bitArg)
  const value = readString(ctx, keyOf(argv, 1))
  // A missing key is an endless run of zeros.
  if (!value) return bit ? -1 : 0
  const length = value.length
  let start: number
  let end: number
  let endGiven = false
  let firstMask = 0
  let lastMask = 0
  if (argv.length >= 4 && argv.length <= 6) {
    start = integerArg(argv[3])
    const isBit = argv.length === 6 && unitIsBit(argv[5])
    let total = length
    if (argv.length >= 5) {
      end = integerArg(argv[4])
      endGiven = true
    } else {
      end = isBit ? total * 8 + 7 : total - 1
    }
    if (isBit) total *= 8
    if (start < 0) start = total + start
    if (end < 0) end = total + end
    if (start < 0) start = 0
    if (end < 0) end = 0
    if (end >= total) end = total - 1
    if (isBit && start <= end) {
      firstMask = ~((1 << (8 - (start & 7))) - 1) & 0xff
      lastMask = (1 << (7 - (end & 7))) - 1
      start = Math.floor(start / 8)
      end = Math.floor(end / 8)
    }
  } else if (argv.length === 3) {
    start = 0
    end = length - 1
  } else {
    throw Errors.syntax()
  }
  if (start > end) return -1
  const found = searchRange(value, start, end, bit, firstMask, lastMask)
  // With an explicit end, a 0 bit past the range is not "found".
  if (endGiven && bit === 0 && found.pos === found.bytes * 8) return -1
  return found.pos === -1 ? -1 : found.pos + found.start * 8
}

/**
 * The search part of bitposCommand: the edge bytes (when BIT ranges cut them) are searched on their own with the
 * bits outside the range forced to "not found". Returns the position relative to `start` as Redis leaves it, with
 * the `start` and `bytes` it reached (the caller's last checks use them).
 */
function searchRange(
  value: Buffer,
  start: number,
  end: number,
  bit: number,
  firstMask: number,
  lastMask: number,
): { pos: number; start: number; bytes: number } {
  let bytes = end - start + 1
  const one = new Uint8Array(1)
  if (firstMask) {
    let b = bit ? value[start] & ~firstMask : value[start] | firstMask
    if (lastMask && bytes === 1) b = bit ? b & ~lastMask : b | lastMask
    one[0] = b
    const pos = bitpos(one, 0, 1, bit)
    if (bytes === 1 || (pos !== -1 && pos !== 8)) return { pos, start, bytes }
    start++
    bytes--
  }
  const middle = bytes - (lastMask ? 1 : 0)
  if (middle > 0) {
    const pos = bitpos(value, start, middle, bit)
    if (bytes === middle || (pos !== -1 && pos !== middle * 8)) return { pos, start, bytes }
    start += middle
    bytes -= middle
  }
  one[0] = bit ? value[end] & ~lastMask : value[end] | lastMask
  return { pos: bitpos(one, 0, 1, bit), start, bytes }
}

// --- BITOP ---

type BitOp = 'and' | 'or' | 'xor' | 'not'

function bitop(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  let op: BitOp
  if (isOption(argv[1], 'AND')) op = 'and'
  else if (isOption(argv[1], 'OR')) op = 'or'
  else if (isOption(argv[1], 'XOR')) op = 'xor'
  else if (isOption(argv[1], 'NOT')) op = 'not'
  else throw Errors.syntax()
  if (op === 'not' && argv.length !== 4) throw new ReplyError('ERR BITOP NOT must be called with a single source key.')
  const sources: Array<Buffer | null> = []
  let maxLength = 0
  for (let i = 3; i < argv.length; i++) {
    const value = readString(ctx, keyOf(argv, i)) ?? null
    sources.push(value)
    if (value && value.length > maxLength) maxLength = value.length
  }
  const dst = keyOf(argv, 2)
  if (maxLength === 0) {
    if (db.delete(dst)) db.notify(NOTIFY_GENERIC, 'del', dst)
    return 0
  }
  const result = Buffer.alloc(maxLength)
  const first = sources[0]
  if (first) first.copy(result)
  if (op === 'not') {
    for (let i = 0; i < maxLength; i++) result[i] = ~result[i] & 0xff
  }
  for (let s = 1; s < sources.length; s++) {
    const src = sources[s]
    const n = src ? src.length : 0
    // Missing bytes count as zero: AND clears the rest, OR and XOR leave it.
    if (op === 'and') {
      for (let i = 0; i < n; i++) result[i] &= (src as Buffer)[i]
      result.fill(0, n)
    } else if (op === 'or') {
      for (let i = 0; i < n; i++) result[i] |= (src as Buffer)[i]
    } else {
      for (let i = 0; i < n; i++) result[i] ^= (src as Buffer)[i]
    }
  }
  db.set(dst, markStringEncoding(result, 'raw'))
  db.notify(NOTIFY_STRING, 'set', dst)
  return maxLength
}

// --- BITFIELD ---

type Overflow = 'wrap' | 'sat' | 'fail'

interface FieldOp {
  kind: 'get' | 'set' | 'incrby'
  signed: boolean
  bits: number
  offset: number
  value: bigint
  overflow: Overflow
}

const TYPE_ERROR = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.'

/** getBitfieldTypeFromArgument: `i1`..`i64` or `u1`..`u63` (lower-case letter only, as Redis). */
function fieldTypeArg(arg: Buffer): { signed: boolean; bits: number } {
  const signed = arg[0] === 0x69
  if (!signed && arg[0] !== 0x75) throw new ReplyError(TYPE_ERROR)
  // The width is read as a C string.
  let end = arg.indexOf(0, 1)
  if (end === -1) end = arg.length
  const bits = parseInt64(arg.subarray(1, end))
  if (bits === null || bits < 1n || (signed && bits > 64n) || (!signed && bits > 63n)) throw new ReplyError(TYPE_ERROR)
  return { signed, bits: Number(bits) }
}

function getUnsigned(bytes: Buffer, offset: number, bits: number): bigint {
  let value = 0n
  for (let j = 0; j < bits; j++) {
    const at = offset + j
    const byte = at >>> 3 < bytes.length ? bytes[at >>> 3] : 0
    value = (value << 1n) | BigInt((byte >> (7 - (at & 7))) & 1)
  }
  return value
}

function getSigned(bytes: Buffer, offset: number, bits: number): bigint {
  return BigInt.asIntN(bits, getUnsigned(bytes, offset, bits))
}

function setBits(bytes: Buffer, offset: number, bits: number, value: bigint): void {
  const v = BigInt.asUintN(bits, value)
  for (let j = 0; j < bits; j++) {
    const at = offset + j
    const mask = 1 << (7 - (at & 7))
    if ((v >> BigInt(bits - 1 - j)) & 1n) bytes[at >>> 3] |= mask
    else bytes[at >>> 3] &= ~mask
  }
}

/** checkUnsignedBitfieldOverflow in 64-bit C arithmetic: [overflowed, replacement value]. */
function unsignedOverflow(value: bigint, incr: bigint, bits: number, how: Overflow): [boolean, bigint] {
  const max = (1n << BigInt(bits)) - 1n
  const maxIncr = BigInt.asIntN(64, max - value)
  const minIncr = BigInt.asIntN(64, -value)
  const wrap = () => BigInt.asUintN(bits, value + incr)
  if (value > max || (incr > 0n && incr > maxIncr)) return [true, how === 'wrap' ? wrap() : max]
  if (incr < 0n && incr < minIncr) return [true, how === 'wrap' ? wrap() : 0n]
  return [false, 0n]
}

/** checkSignedBitfieldOverflow in 64-bit C arithmetic: [overflowed, replacement value]. */
function signedOverflow(value: bigint, incr: bigint, bits: number, how: Overflow): [boolean, bigint] {
  const max = (1n << BigInt(bits - 1)) - 1n
  const min = -max - 1n
  const maxIncr = BigInt.asIntN(64, max - value)
  const minIncr = BigInt.asIntN(64, min - value)
  const wrap = () => BigInt.asIntN(bits, value + incr)
  if (value > max || (bits !== 64 && incr > maxIncr) || (value >= 0n && incr > 0n && incr > maxIncr)) {
    return [true, how === 'wrap' ? wrap() : max]
  }
  if (value < min || (bits !== 64 && incr < minIncr) || (value < 0n && incr < 0n && incr < minIncr)) {
    return [true, how === 'wrap' ? wrap() : min]
  }
  return [false, 0n]
}

function bitfieldGeneric(ctx: CommandContext, readOnlyCommand: boolean): Reply {
  const { argv, db } = ctx
  const ops: FieldOp[] = []
  let overflow: Overflow = 'wrap'
  let readOnly = true
  let highestBit = -1
  for (let j = 2; j < argv.length; j++) {
    const remaining = argv.length - j - 1
    const sub = argv[j]
    let kind: FieldOp['kind']
    if (isOption(sub, 'GET') && remaining >= 2) kind = 'get'
    else if (isOption(sub, 'SET') && remaining >= 3) kind = 'set'
    else if (isOption(sub, 'INCRBY') && remaining >= 3) kind = 'incrby'
    else if (isOption(sub, 'OVERFLOW') && remaining >= 1) {
      const how = argv[++j]
      if (isOption(how, 'WRAP')) overflow = 'wrap'
      else if (isOption(how, 'SAT')) overflow = 'sat'
      else if (isOption(how, 'FAIL')) overflow = 'fail'
      else throw new ReplyError('ERR Invalid OVERFLOW type specified')
      continue
    } else {
      throw Errors.syntax()
    }
    const { signed, bits } = fieldTypeArg(argv[j + 1])
    const offset = bitOffsetArg(ctx, argv[j + 2], bits)
    let value = 0n
    if (kind !== 'get') {
      readOnly = false
      highestBit = Math.max(highestBit, offset + bits - 1)
      value = bigIntegerArg(argv[j + 3])
    }
    ops.push({ kind, signed, bits, offset, value, overflow })
    j += kind === 'get' ? 2 : 3
  }

  const key = keyOf(argv, 1)
  if (readOnly) {
    const value = readString(ctx, key)
    const source = value ?? Buffer.alloc(0)
    return ops.map((op) => {
      const v = op.signed ? getSigned(source, op.offset, op.bits) : getUnsigned(source, op.offset, op.bits)
      return intReplyOf(v)
    })
  }
  if (readOnlyCommand) throw new ReplyError('ERR BITFIELD_RO only supports the GET subcommand')

  const current = db.getForWrite(key)
  if (current !== undefined && !Buffer.isBuffer(current)) throw Errors.wrongType()
  const needed = (highestBit >>> 3) + 1
  const grew = current === undefined || current.length < needed
  // Copy-on-write (see the file comment).
  const work = Buffer.alloc(Math.max(current?.length ?? 0, needed))
  current?.copy(work)
  let changes = 0
  const replies: Reply[] = []
  for (const op of ops) {
    if (op.kind === 'get') {
      replies.push(intReplyOf(op.signed ? getSigned(work, op.offset, op.bits) : getUnsigned(work, op.offset, op.bits)))
      continue
    }
    const old = op.signed ? getSigned(work, op.offset, op.bits) : getUnsigned(work, op.offset, op.bits)
    let next: bigint
    let reply: bigint
    let overflowed: boolean
    let limit: bigint
    if (op.signed) {
      if (op.kind === 'incrby') {
        ;[overflowed, limit] = signedOverflow(old, op.value, op.bits, op.overflow)
        next = overflowed ? limit : old + op.value
        reply = next
      } else {
        ;[overflowed, limit] = signedOverflow(op.value, 0n, op.bits, op.overflow)
        next = overflowed ? limit : op.value
        reply = old
      }
    } else {
      const asUnsigned = BigInt.asUintN(64, op.value)
      if (op.kind === 'incrby') {
        ;[overflowed, limit] = unsignedOverflow(old, op.value, op.bits, op.overflow)
        next = overflowed ? limit : BigInt.asUintN(64, old + op.value)
        reply = next
      } else {
        ;[overflowed, limit] = unsignedOverflow(asUnsigned, 0n, op.bits, op.overflow)
        next = overflowed ? limit : asUnsigned
        reply = old
      }
    }
    if (overflowed && op.overflow === 'fail') {
      replies.push(null)
      continue
    }
    replies.push(intReplyOf(reply))
    setBits(work, op.offset, op.bits, next)
    if (grew || old !== next) changes++
  }
  // Redis grows (or creates) the string before running the operations, so it stays grown even when every write
  // failed on OVERFLOW FAIL.
  if (changes > 0 || grew) db.set(key, markStringEncoding(work, 'raw'), true)
  else if (current) markStringEncoding(current, 'raw')
  if (changes > 0) db.notify(NOTIFY_STRING, 'setbit', key)
  return replies
}

function intReplyOf(value: bigint): number | bigint {
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value
}

export const bitmapCommands = [
  command('setbit', 4, ['write', 'denyoom'], [1, 1, 1], ['write', 'bitmap', 'slow'], setbit),
  command('getbit', 3, ['readonly', 'fast'], [1, 1, 1], ['read', 'bitmap', 'fast'], getbit),
  command('bitcount', -2, ['readonly'], [1, 1, 1], ['read', 'bitmap', 'slow'], bitcount),
  command('bitpos', -3, ['readonly'], [1, 1, 1], ['read', 'bitmap', 'slow'], bitposCommand),
  command('bitop', -4, ['write', 'denyoom'], [2, -1, 1], ['write', 'bitmap', 'slow'], bitop),
  command('bitfield', -2, ['write', 'denyoom'], [1, 1, 1], ['write', 'bitmap', 'slow'], (ctx) =>
    bitfieldGeneric(ctx, false),
  ),
  command('bitfield_ro', -2, ['readonly', 'fast'], [1, 1, 1], ['read', 'bitmap', 'fast'], (ctx) =>
    bitfieldGeneric(ctx, true),
  ),
]
