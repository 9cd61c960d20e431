/**
 * The `struct` library of Redis 7.0's Lua (Roberto Ierusalimschy's struct.c with Redis's size-overflow fix):
 * struct.pack(fmt, ...), struct.unpack(fmt, data [, pos]) and struct.size(fmt).
 *
 * Format codes: '>' big endian, '<' little endian (the default is the machine's: little on x86-64), '![n]' maximum
 * alignment (default 8), 'x' a zero byte, b/B h/H l/L T i[n]/I[n] signed/unsigned integers of 1, 2, 8, 8 and n (default
 * 4, at most 32) bytes, 'f' float, 'd' double, 'c[n]' n chars (pack: n = 0 means the whole string; unpack: the length
 * is the previous number read), 's' zero-terminated string, ' ' ignored. The format is a C string: it ends at the
 * first zero byte.
 *
 * Integers go through C's unsigned long (64 bits), so out-of-range values wrap as the x86-64 conversions do, sizes
 * above 8 bytes carry only the low 64 bits, and unpacked values are doubles.
 */
import { lauxlib, type LuaState, lua } from 'fengari'
import { checkBytes, checkNumber, LUA51_MAX_C_STACK, optInteger, registerLibrary } from './lua51-args.ts'

/** Largest integer size, in bytes. */
const MAX_INT_SIZE = 32
/** Default maximum alignment: the alignment of a double on x86-64. */
const MAX_ALIGN = 8
const BIG = 0
const LITTLE = 1
const NATIVE = LITTLE
const INT_MAX = 2147483647

interface Header {
  endian: number
  align: number
}

/** A cursor over the format string, which ends at its first zero byte as a C string does. */
class Format {
  pos = 0
  readonly end: number
  constructor(readonly bytes: Uint8Array) {
    const nul = bytes.indexOf(0)
    this.end = nul === -1 ? bytes.length : nul
  }
  more(): boolean {
    return this.pos < this.end
  }
  next(): number {
    return this.bytes[this.pos++]
  }
  /** getnum: a decimal count at the cursor, or `def` when none follows. */
  number(L: LuaState, def: number): number {
    if (!isDigit(this.peek())) return def
    let a = 0
    do {
      const digit = this.peek() - 48
      if (a > INT_MAX / 10 || a * 10 > INT_MAX - digit) lauxlib.luaL_error(L, 'integral size overflow')
      a = a * 10 + digit
      this.pos++
    } while (isDigit(this.peek()))
    return a
  }
  private peek(): number {
    return this.pos < this.end ? this.bytes[this.pos] : 0
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57
}

function isAlnum(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
}

const c = (ch: string): number => ch.charCodeAt(0)

/** optsize: the size in bytes of option `opt` (0 for options that take no room). */
function optionSize(L: LuaState, opt: number, fmt: Format): number {
  switch (opt) {
    case c('B'):
    case c('b'):
      return 1
    case c('H'):
    case c('h'):
      return 2
    case c('L'):
    case c('l'):
    case c('T'):
      return 8
    case c('f'):
      return 4
    case c('d'):
      return 8
    case c('x'):
      return 1
    case c('c'):
      return fmt.number(L, 1)
    case c('i'):
    case c('I'): {
      const size = fmt.number(L, 4)
      if (size > MAX_INT_SIZE) lauxlib.luaL_error(L, 'integral size %d is larger than limit of %d', size, MAX_INT_SIZE)
      return size
    }
    default:
      return 0
  }
}

/** gettoalign: padding needed before an item of `size` bytes at offset `len`. */
function padding(len: number, h: Header, opt: number, size: number): number {
  if (size === 0 || opt === c('c')) return 0
  const s = Math.min(size, h.align)
  // size_t arithmetic: (s - (len & (s-1))) & (s-1); s >= 1 here, and the mask keeps the result small.
  return (s - ((len % 2 ** 32) & (s - 1))) & (s - 1)
}

/** controloptions: endianness, alignment and spaces; anything else is an invalid option. */
function controlOption(L: LuaState, opt: number, fmt: Format, h: Header): void {
  switch (opt) {
    case c(' '):
      return
    case c('>'):
      h.endian = BIG
      return
    case c('<'):
      h.endian = LITTLE
      return
    case c('!'): {
      const a = fmt.number(L, MAX_ALIGN)
      if (!(a > 0 && (a & (a - 1)) === 0)) lauxlib.luaL_error(L, 'alignment %d is not a power of 2', a)
      h.align = a
      return
    }
    default: {
      const message = Buffer.concat([Buffer.from("invalid format option '"), Buffer.from([opt]), Buffer.from("'")])
      lauxlib.luaL_argerror(L, 1, Uint8Array.from(message))
    }
  }
}

function isIntegerOption(opt: number): boolean {
  return (
    opt === c('b') ||
    opt === c('B') ||
    opt === c('h') ||
    opt === c('H') ||
    opt === c('l') ||
    opt === c('L') ||
    opt === c('T') ||
    opt === c('i') ||
    opt === c('I')
  )
}

const F32 = new DataView(new ArrayBuffer(8))

const TWO_32 = 4294967296
const TWO_63 = 2 ** 63
const TWO_64 = 2 ** 64

/**
 * putinteger's value: (Uinttype)(Inttype)n for negative n, (Uinttype)n otherwise, as x86-64 converts (NaN and values
 * below -2^63 give 2^63, values from 2^64 give 0), as 32-bit halves. Integral doubles are exact in halves, so no
 * BigInt is needed.
 */
function uint64Halves(n: number): [hi: number, lo: number] {
  if (Number.isNaN(n) || n < -TWO_63) return [0x80000000, 0]
  if (n >= TWO_64) return [0, 0]
  const t = Math.trunc(n)
  return [Math.floor(t / TWO_32) >>> 0, t >>> 0]
}

/** putinteger: the number as C's unsigned long, `size` bytes in the given order (zeros beyond 64 bits). */
function putInteger(out: number[], n: number, endian: number, size: number): void {
  const [hi, lo] = uint64Halves(n)
  const first = out.length
  for (let i = 0; i < size; i++) {
    const byte = i < 4 ? (lo >>> (8 * i)) & 0xff : i < 8 ? (hi >>> (8 * (i - 4))) & 0xff : 0
    out[endian === LITTLE ? first + i : first + size - 1 - i] = byte
  }
}

function putFloat(out: number[], n: number, endian: number, size: 4 | 8): void {
  if (size === 4) F32.setFloat32(0, n, endian === LITTLE)
  else F32.setFloat64(0, n, endian === LITTLE)
  for (let i = 0; i < size; i++) out.push(F32.getUint8(i))
}

function pack(L: LuaState): number {
  const fmt = new Format(checkBytes(L, 1))
  const h: Header = { endian: NATIVE, align: 1 }
  let arg = 2
  let total = 0
  // struct.c pushes a nil to separate the arguments from its string buffer: a missing argument right after the last
  // one is reported as "got nil".
  lua.lua_pushnil(L)
  const out: number[] = []
  while (fmt.more()) {
    const opt = fmt.next()
    let size = optionSize(L, opt, fmt)
    const align = padding(total, h, opt, size)
    total += align
    for (let i = 0; i < align; i++) out.push(0)
    if (isIntegerOption(opt)) {
      putInteger(out, checkNumber(L, arg++), h.endian, size)
    } else if (opt === c('x')) {
      out.push(0)
    } else if (opt === c('f')) {
      putFloat(out, checkNumber(L, arg++), h.endian, 4)
    } else if (opt === c('d')) {
      putFloat(out, checkNumber(L, arg++), h.endian, 8)
    } else if (opt === c('c') || opt === c('s')) {
      const s = checkBytes(L, arg++)
      if (size === 0) size = s.length
      // struct.c reports the argument after the string (arg was already advanced).
      if (s.length < size) lauxlib.luaL_argerror(L, arg, 'string too short')
      for (let i = 0; i < size; i++) out.push(s[i])
      if (opt === c('s')) {
        out.push(0)
        size++
      }
    } else {
      controlOption(L, opt, fmt, h)
    }
    total += size
  }
  lua.lua_pushstring(L, Uint8Array.from(out))
  return 1
}

/** getinteger: `size` bytes as C's unsigned long, sign-extended for signed formats, converted to a double. */
function getInteger(data: Uint8Array, pos: number, endian: number, signed: boolean, size: number): number {
  if (size > 8) return getWideInteger(data, pos, endian, signed, size)
  // Byte k (0 = least significant) of the value, in 32-bit halves.
  let lo = 0
  let hi = 0
  for (let k = 0; k < size; k++) {
    const b = data[endian === LITTLE ? pos + k : pos + size - 1 - k]
    if (k < 4) lo = (lo | (b << (8 * k))) >>> 0
    else hi = (hi | (b << (8 * (k - 4)))) >>> 0
  }
  if (signed && size > 0) {
    // Sign extension from bit size*8-1.
    const bit = size * 8 - 1
    if (bit < 32 ? lo & (1 << bit) : hi & (1 << (bit - 32))) {
      if (bit < 32) {
        lo = (lo | (bit === 31 ? 0x80000000 : ~((1 << bit) - 1))) >>> 0
        hi = 0xffffffff
      } else {
        hi = (hi | (bit === 63 ? 0x80000000 : ~((1 << (bit - 32)) - 1))) >>> 0
      }
      return (hi | 0) * TWO_32 + lo
    }
  }
  return hi * TWO_32 + lo
}

/** getinteger for sizes above 8: only the last 64 bits read count, and the sign mask's shift is taken modulo 64. */
function getWideInteger(data: Uint8Array, pos: number, endian: number, signed: boolean, size: number): number {
  let l = 0n
  if (endian === BIG) {
    for (let i = 0; i < size; i++) l = ((l << 8n) | BigInt(data[pos + i])) & 0xffffffffffffffffn
  } else {
    for (let i = size - 1; i >= 0; i--) l = ((l << 8n) | BigInt(data[pos + i])) & 0xffffffffffffffffn
  }
  if (!signed) return Number(l)
  // (~0UL) << (size*8 - 1): x86 takes the shift count modulo 64.
  const mask = BigInt.asUintN(64, 0xffffffffffffffffn << BigInt((size * 8 - 1) & 63))
  if (l & mask) l |= mask
  return Number(BigInt.asIntN(64, l))
}

function unpack(L: LuaState): number {
  const fmt = new Format(checkBytes(L, 1))
  const data = checkBytes(L, 2)
  const ld = data.length
  // size_t pos = luaL_optinteger(L, 3, 1): a negative offset wraps to a huge one, which passes this check and then
  // fails as "data string too short".
  let pos = optInteger(L, 3, 1)
  if (pos === 0) lauxlib.luaL_argerror(L, 3, 'offset must be 1 or greater')
  pos = pos < 0 ? Number.POSITIVE_INFINITY : pos - 1
  const h: Header = { endian: NATIVE, align: 1 }
  let results = 0
  while (fmt.more()) {
    const opt = fmt.next()
    let size = optionSize(L, opt, fmt)
    pos += padding(pos, h, opt, size)
    if (!(pos + size <= ld)) lauxlib.luaL_argerror(L, 2, 'data string too short')
    // luaL_checkstack(L, 2, "too many results"): room for this item and the final position, under Lua 5.1's limit.
    if (lua.lua_gettop(L) + 2 > LUA51_MAX_C_STACK || !lua.lua_checkstack(L, 2)) {
      lauxlib.luaL_error(L, 'stack overflow (%s)', 'too many results')
    }
    if (isIntegerOption(opt)) {
      const signed = opt >= 97 // islower
      lua.lua_pushnumber(L, getInteger(data, pos, h.endian, signed, size))
      results++
    } else if (opt === c('x')) {
      // padding only
    } else if (opt === c('f') || opt === c('d')) {
      const view = new DataView(data.buffer, data.byteOffset + pos, size)
      const little = h.endian === LITTLE
      lua.lua_pushnumber(L, opt === c('f') ? view.getFloat32(0, little) : view.getFloat64(0, little))
      results++
    } else if (opt === c('c')) {
      if (size === 0) {
        // The length is the previous result (a number, or a string that converts to one), which is consumed.
        if (results === 0 || !lua.lua_isnumber(L, -1)) lauxlib.luaL_error(L, "format 'c0' needs a previous size")
        size = sizeFromDouble(lua.lua_tonumber(L, -1))
        lua.lua_pop(L, 1)
        results--
        if (!(pos + size <= ld)) lauxlib.luaL_argerror(L, 2, 'data string too short')
      }
      lua.lua_pushstring(L, data.subarray(pos, pos + size))
      results++
    } else if (opt === c('s')) {
      const end = data.indexOf(0, pos)
      if (end === -1) lauxlib.luaL_error(L, 'unfinished string in data')
      size = end - pos + 1
      lua.lua_pushstring(L, data.subarray(pos, end))
      results++
    } else {
      controlOption(L, opt, fmt, h)
    }
    pos += size
  }
  lua.lua_pushnumber(L, pos + 1)
  return results + 1
}

/** C's (size_t)d for a string length: negative, NaN and huge values make an impossible length. */
function sizeFromDouble(d: number): number {
  if (!(d >= 0)) return Number.POSITIVE_INFINITY
  return Math.trunc(d)
}

function size(L: LuaState): number {
  const fmt = new Format(checkBytes(L, 1))
  const h: Header = { endian: NATIVE, align: 1 }
  let pos = 0
  while (fmt.more()) {
    const opt = fmt.next()
    const n = optionSize(L, opt, fmt)
    pos += padding(pos, h, opt, n)
    if (opt === c('s')) lauxlib.luaL_argerror(L, 1, "option 's' has no fixed size")
    else if (opt === c('c') && n === 0) lauxlib.luaL_argerror(L, 1, "option 'c0' has no fixed size")
    if (!isAlnum(opt)) controlOption(L, opt, fmt, h)
    pos += n
  }
  lua.lua_pushnumber(L, pos)
  return 1
}

export function openStructLib(L: LuaState): void {
  registerLibrary(L, 'struct', { pack, unpack, size })
}
