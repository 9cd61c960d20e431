/**
 * The `cmsgpack` library of Redis 7.0's Lua: lua-cmsgpack 0.4.0 (pack, unpack, unpack_one, unpack_limit).
 *
 * Written by hand rather than on @msgpack/msgpack because scripts see its exact bytes, and lua-cmsgpack's choices
 * differ from that codec's: a non-integral number becomes a float32 whenever the conversion is exact (the codec writes
 * float64), Lua strings are raw bytes written as str types (the codec writes UTF-8 or bin), an empty table is an
 * array, nesting deeper than 16 tables becomes nil, and decoding rejects bin/ext types and follows Lua 5.1's stack
 * limit. Reproducing those through the codec's options and extension hooks would be longer than the encoder itself.
 */
import { lauxlib, type LuaState, lua } from 'fengari'
import { ByteWriter } from './byte-writer.ts'
import {
  checkBytes,
  checkInteger,
  doubleToInt32,
  doubleToInt64,
  int64ToInt32,
  LUA51_MAX_C_STACK,
  optInteger,
} from './lua51-args.ts'

/** Tables nested deeper than this are encoded as nil (this is how cycles end). */
const MAX_NESTING = 16
const INT_MAX = 2147483647

// ---------------------------------------------------------------------------------------------------------------
// encoding

function encodeBytes(out: ByteWriter, s: Uint8Array): void {
  const len = s.length
  if (len < 32) {
    out.byte(0xa0 | len)
  } else if (len <= 0xff) {
    out.byte(0xd9)
    out.byte(len)
  } else if (len <= 0xffff) {
    out.byte(0xda)
    out.byte(len >>> 8)
    out.byte(len & 0xff)
  } else {
    out.byte(0xdb)
    writeUint32(out, len)
  }
  out.bytes(s)
}

function writeUint32(out: ByteWriter, n: number): void {
  out.byte((n >>> 24) & 0xff)
  out.byte((n >>> 16) & 0xff)
  out.byte((n >>> 8) & 0xff)
  out.byte(n & 0xff)
}

function writeInt64(out: ByteWriter, n: number): void {
  let v = BigInt.asUintN(64, BigInt(n))
  const bytes = new Uint8Array(8)
  for (let i = 7; i >= 0; i--) {
    bytes[i] = Number(v & 0xffn)
    v >>= 8n
  }
  out.bytes(bytes)
}

/** mp_encode_int: the smallest MessagePack integer format for an int64 (given as an integral double). */
function encodeInt(out: ByteWriter, n: number): void {
  if (n >= 0) {
    if (n <= 127) {
      out.byte(n)
    } else if (n <= 0xff) {
      out.byte(0xcc)
      out.byte(n)
    } else if (n <= 0xffff) {
      out.byte(0xcd)
      out.byte(n >>> 8)
      out.byte(n & 0xff)
    } else if (n <= 0xffffffff) {
      out.byte(0xce)
      writeUint32(out, n)
    } else {
      out.byte(0xcf)
      writeInt64(out, n)
    }
  } else if (n >= -32) {
    out.byte(n & 0xff)
  } else if (n >= -128) {
    out.byte(0xd0)
    out.byte(n & 0xff)
  } else if (n >= -32768) {
    out.byte(0xd1)
    out.byte((n >> 8) & 0xff)
    out.byte(n & 0xff)
  } else if (n >= -2147483648) {
    out.byte(0xd2)
    writeUint32(out, n >>> 0)
  } else {
    out.byte(0xd3)
    writeInt64(out, n)
  }
}

/** mp_encode_double: float32 when the number survives the conversion (infinities do, NaN never), else float64. */
function encodeDouble(out: ByteWriter, d: number): void {
  if (Math.fround(d) === d) {
    out.byte(0xca)
    out.float(d, 4)
  } else {
    out.byte(0xcb)
    out.float(d, 8)
  }
}

/** mp_encode_lua_number: integers when C's (int64_t) cast keeps the value, doubles otherwise. */
function encodeNumber(out: ByteWriter, n: number): void {
  if (Number.isFinite(n) && doubleToInt64(n) === n) encodeInt(out, n || 0)
  else encodeDouble(out, n)
}

function encodeHeader(out: ByteWriter, n: number, fix: number, code16: number): void {
  if (n <= 15) {
    out.byte(fix | n)
  } else if (n <= 65535) {
    out.byte(code16)
    out.byte(n >>> 8)
    out.byte(n & 0xff)
  } else {
    out.byte(code16 + 1)
    writeUint32(out, n)
  }
}

/**
 * table_is_an_array: every key a number that C's (int) cast keeps and above 0, and the largest equal to the count
 * (so the keys are exactly 1..n). An empty table qualifies.
 */
function tableIsArray(L: LuaState, idx: number): { array: boolean; count: number } {
  let count = 0
  let max = 0
  lua.lua_pushnil(L)
  while (lua.lua_next(L, idx)) {
    lua.lua_pop(L, 1)
    if (lua.lua_type(L, -1) !== lua.LUA_TNUMBER) {
      lua.lua_pop(L, 1)
      return { array: false, count }
    }
    const n = lua.lua_tonumber(L, -1)
    if (n <= 0 || !Number.isFinite(n) || doubleToInt32(n) !== n) {
      lua.lua_pop(L, 1)
      return { array: false, count }
    }
    if (n > max) max = n
    count++
  }
  return { array: max === count, count }
}

/** mp_encode_lua_type for the value on top of the stack, which it pops. */
function encodeValue(L: LuaState, out: ByteWriter, level: number): void {
  let t = lua.lua_type(L, -1)
  if (t === lua.LUA_TTABLE && level === MAX_NESTING) t = lua.LUA_TNIL
  switch (t) {
    case lua.LUA_TSTRING:
      encodeBytes(out, lua.lua_tolstring(L, -1) as Uint8Array)
      break
    case lua.LUA_TBOOLEAN:
      out.byte(lua.lua_toboolean(L, -1) ? 0xc3 : 0xc2)
      break
    case lua.LUA_TNUMBER:
      encodeNumber(out, lua.lua_tonumber(L, -1))
      break
    case lua.LUA_TTABLE:
      encodeTable(L, out, level)
      break
    default:
      out.byte(0xc0)
  }
  lua.lua_pop(L, 1)
}

function encodeTable(L: LuaState, out: ByteWriter, level: number): void {
  lua.lua_checkstack(L, 4)
  const idx = lua.lua_gettop(L)
  const { array, count } = tableIsArray(L, idx)
  if (array) {
    encodeHeader(out, count, 0x90, 0xdc)
    for (let j = 1; j <= count; j++) {
      lua.lua_rawgeti(L, idx, j)
      encodeValue(L, out, level + 1)
    }
    return
  }
  let size = 0
  lua.lua_pushnil(L)
  while (lua.lua_next(L, idx)) {
    lua.lua_pop(L, 1)
    size++
  }
  encodeHeader(out, size, 0x80, 0xde)
  lua.lua_pushnil(L)
  while (lua.lua_next(L, idx)) {
    lua.lua_pushvalue(L, -2)
    encodeValue(L, out, level + 1) // key
    encodeValue(L, out, level + 1) // value
  }
}

function pack(L: LuaState): number {
  const nargs = lua.lua_gettop(L)
  if (nargs === 0) return lauxlib.luaL_argerror(L, 0, 'MessagePack pack needs input.')
  const out = new ByteWriter()
  for (let i = 1; i <= nargs; i++) {
    lua.lua_checkstack(L, 1)
    lua.lua_pushvalue(L, i)
    encodeValue(L, out, 0)
  }
  lua.lua_pushstring(L, out.result())
  return 1
}

// ---------------------------------------------------------------------------------------------------------------
// decoding

/** The two ways a decode fails: input ends early (MP_CUR_ERROR_EOF) or a byte is no known type (BADFMT). */
class DecodeFailure {
  constructor(readonly eof: boolean) {}
}
const EOF = new DecodeFailure(true)
const BAD_FORMAT = new DecodeFailure(false)

class Cursor {
  constructor(
    readonly data: Uint8Array,
    public pos: number,
  ) {}
  get left(): number {
    return this.data.length - this.pos
  }
  need(n: number): void {
    if (this.left < n) throw EOF
  }
  u8(at: number): number {
    return this.data[this.pos + at]
  }
  u16(at: number): number {
    return (this.data[this.pos + at] << 8) | this.data[this.pos + at + 1]
  }
  u32(at: number): number {
    const d = this.data
    const p = this.pos + at
    return ((d[p] << 24) | (d[p + 1] << 16) | (d[p + 2] << 8) | d[p + 3]) >>> 0
  }
  /** Eight big-endian bytes as a signed 64-bit value converted to a double (how Lua 5.1 receives both 64-bit types). */
  i64(at: number): number {
    const hi = BigInt(this.u32(at))
    const lo = BigInt(this.u32(at + 4))
    return Number(BigInt.asIntN(64, (hi << 32n) | lo))
  }
  view(at: number): DataView {
    return new DataView(this.data.buffer, this.data.byteOffset + this.pos + at)
  }
}

/** Lua 5.1's luaL_checkstack, counted against LUAI_MAXCSTACK; also grows fengari's stack. */
function checkStack(L: LuaState, message: string): void {
  if (lua.lua_gettop(L) + 1 > LUA51_MAX_C_STACK || !lua.lua_checkstack(L, 2)) {
    lauxlib.luaL_error(L, 'stack overflow (%s)', message)
  }
}

const TOO_MANY_VALUES = 'too many return values at once; use unpack_one or unpack_limit instead.'

function pushString(L: LuaState, c: Cursor, header: number, len: number): void {
  c.need(header + len)
  lua.lua_pushstring(L, c.data.subarray(c.pos + header, c.pos + header + len))
  c.pos += header + len
}

/** An array or map being filled; its table (and, for arrays, the next index) is on the Lua stack. */
interface OpenContainer {
  map: boolean
  /** Members (array elements, or map entries) still to read. */
  remaining: number
  /** Arrays: the index being read. Maps: whether the next item read is a key. */
  index: number
  key: boolean
}

/**
 * Reads the item at the cursor: pushes a scalar (returning null), or pushes the table of an array or map header
 * (returning it as open, or null when it is empty).
 */
function startItem(L: LuaState, c: Cursor): OpenContainer | null {
  c.need(1)
  checkStack(L, TOO_MANY_VALUES)
  const type = c.u8(0)
  let length: number
  let map: boolean
  switch (type) {
    case 0xcc:
      c.need(2)
      lua.lua_pushnumber(L, c.u8(1))
      c.pos += 2
      return null
    case 0xd0:
      c.need(2)
      lua.lua_pushnumber(L, (c.u8(1) << 24) >> 24)
      c.pos += 2
      return null
    case 0xcd:
      c.need(3)
      lua.lua_pushnumber(L, c.u16(1))
      c.pos += 3
      return null
    case 0xd1:
      c.need(3)
      lua.lua_pushnumber(L, (c.u16(1) << 16) >> 16)
      c.pos += 3
      return null
    case 0xce:
      c.need(5)
      lua.lua_pushnumber(L, c.u32(1))
      c.pos += 5
      return null
    case 0xd2:
      c.need(5)
      lua.lua_pushnumber(L, c.u32(1) | 0)
      c.pos += 5
      return null
    case 0xcf: // uint 64, pushed as a signed lua_Integer: values from 2^63 up come out negative
    case 0xd3:
      c.need(9)
      lua.lua_pushnumber(L, c.i64(1))
      c.pos += 9
      return null
    case 0xc0:
      lua.lua_pushnil(L)
      c.pos += 1
      return null
    case 0xc3:
      lua.lua_pushboolean(L, true)
      c.pos += 1
      return null
    case 0xc2:
      lua.lua_pushboolean(L, false)
      c.pos += 1
      return null
    case 0xca:
      c.need(5)
      lua.lua_pushnumber(L, c.view(1).getFloat32(0))
      c.pos += 5
      return null
    case 0xcb:
      c.need(9)
      lua.lua_pushnumber(L, c.view(1).getFloat64(0))
      c.pos += 9
      return null
    case 0xd9:
      c.need(2)
      pushString(L, c, 2, c.u8(1))
      return null
    case 0xda:
      c.need(3)
      pushString(L, c, 3, c.u16(1))
      return null
    case 0xdb:
      c.need(5)
      pushString(L, c, 5, c.u32(1))
      return null
    case 0xdc:
    case 0xde:
      c.need(3)
      length = c.u16(1)
      map = type === 0xde
      c.pos += 3
      break
    case 0xdd:
    case 0xdf:
      c.need(5)
      length = c.u32(1)
      map = type === 0xdf
      c.pos += 5
      break
    default:
      if ((type & 0x80) === 0) {
        lua.lua_pushnumber(L, type)
        c.pos += 1
        return null
      }
      if ((type & 0xe0) === 0xe0) {
        lua.lua_pushnumber(L, type - 256)
        c.pos += 1
        return null
      }
      if ((type & 0xe0) === 0xa0) {
        pushString(L, c, 1, type & 0x1f)
        return null
      }
      if ((type & 0xe0) !== 0x80) throw BAD_FORMAT
      // fixarray (0x90-0x9f) or fixmap (0x80-0x8f)
      length = type & 0xf
      map = (type & 0xf0) === 0x80
      c.pos += 1
  }
  lua.lua_newtable(L)
  if (!map) checkStack(L, 'in function mp_decode_to_lua_array')
  if (length === 0) return null
  if (!map) lua.lua_pushnumber(L, 1)
  return { map, remaining: length, index: 1, key: true }
}

/**
 * mp_decode_to_lua_type: pushes the value at the cursor and advances past it. Iterative, since Lua 5.1's stack
 * allows nesting thousands deep, more than JavaScript's call stack would.
 */
function decodeValue(L: LuaState, c: Cursor): void {
  const open: OpenContainer[] = []
  for (;;) {
    const container = startItem(L, c)
    if (container) {
      open.push(container)
      continue
    }
    // An item is complete: store it; a container that fills up is itself a complete item.
    for (;;) {
      const top = open[open.length - 1]
      if (!top) return
      if (top.map && top.key) {
        top.key = false
        break
      }
      // A nil or NaN map key raises "table index is nil/NaN", as lua_settable does in Redis (the table has no
      // metatable, so settable and rawset are the same).
      lua.lua_rawset(L, -3)
      top.remaining--
      if (top.remaining === 0) {
        open.pop()
        continue
      }
      if (top.map) top.key = true
      else lua.lua_pushnumber(L, ++top.index)
      break
    }
  }
}

/**
 * mp_unpack_full: decodes up to `limit` values from `offset` (both 0: every value, and no offset result). With a
 * limit, the first result is the offset of the next value, or -1 when the input is used up.
 */
function unpackFull(L: LuaState, limit: number, offset: number): number {
  const s = checkBytes(L, 1)
  const len = s.length
  if (offset < 0 || limit < 0) {
    // lua-cmsgpack prints the input length where it means the limit.
    lauxlib.luaL_error(
      L,
      'Invalid request to unpack with offset of %d and limit of %d.',
      int64ToInt32(offset),
      int64ToInt32(len),
    )
  } else if (offset > len) {
    lauxlib.luaL_error(L, 'Start offset %d greater than input length %d.', int64ToInt32(offset), int64ToInt32(len))
  }
  const decodeAll = limit === 0 && offset === 0
  const max = decodeAll ? INT_MAX : limit
  const c = new Cursor(s, offset)
  let count = 0
  for (; c.left > 0 && count < max; count++) {
    try {
      decodeValue(L, c)
    } catch (err) {
      if (err === EOF) lauxlib.luaL_error(L, 'Missing bytes in input.')
      if (err === BAD_FORMAT) lauxlib.luaL_error(L, 'Bad data format in input.')
      throw err
    }
  }
  if (!decodeAll) {
    checkStack(L, 'in function mp_unpack_full')
    lua.lua_pushnumber(L, c.left === 0 ? -1 : c.pos)
    lua.lua_insert(L, 2)
    count++
  }
  return count
}

function unpack(L: LuaState): number {
  return unpackFull(L, 0, 0)
}

function unpackOne(L: LuaState): number {
  const offset = optInteger(L, 2, 0)
  lua.lua_settop(L, Math.min(lua.lua_gettop(L), 1))
  return unpackFull(L, 1, offset)
}

function unpackLimit(L: LuaState): number {
  const limit = checkInteger(L, 2)
  const offset = optInteger(L, 3, 0)
  lua.lua_settop(L, Math.min(lua.lua_gettop(L), 1))
  return unpackFull(L, limit, offset)
}

export function openCmsgpackLib(L: LuaState): void {
  lua.lua_createtable(L, 0, 8)
  const functions: Array<[string, (L: LuaState) => number]> = [
    ['pack', pack],
    ['unpack', unpack],
    ['unpack_one', unpackOne],
    ['unpack_limit', unpackLimit],
  ]
  for (const [name, f] of functions) {
    lua.lua_pushcfunction(L, f)
    lua.lua_setfield(L, -2, name)
  }
  const metadata: Array<[string, string]> = [
    ['_NAME', 'cmsgpack'],
    ['_VERSION', 'lua-cmsgpack 0.4.0'],
    ['_COPYRIGHT', 'Copyright (C) 2012, Salvatore Sanfilippo'],
    ['_DESCRIPTION', 'MessagePack C implementation for Lua'],
  ]
  for (const [name, value] of metadata) {
    lua.lua_pushliteral(L, value)
    lua.lua_setfield(L, -2, name)
  }
  lua.lua_setglobal(L, 'cmsgpack')
}
