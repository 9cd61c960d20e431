/**
 * cmsgpack.unpack, unpack_one and unpack_limit as lua-cmsgpack 0.4.0 (Redis 7.0) reads MessagePack: integers of every
 * width as doubles (uint64 through a signed lua_Integer, so values from 2^63 come out negative), raw/str types as
 * strings, arrays and maps as tables, bin/ext types and 0xc1 as "Bad data format in input.", short input as "Missing
 * bytes in input.", and Lua 5.1's stack limit on the number and nesting of values.
 */
import { lauxlib, type LuaState, lua } from 'fengari'
import { checkHeapInLibrary } from '../script-memory.ts'
import { checkBytes, checkInteger, int64ToInt32, LUA51_MAX_C_STACK, optInteger } from './lua51-args.ts'

const INT_MAX = 2147483647

/** The two ways a decode fails: input ends early (MP_CUR_ERROR_EOF) or a byte is no known type (BADFMT). */
class DecodeFailure {
  constructor(readonly message: string) {}
}
const EOF = new DecodeFailure('Missing bytes in input.')
const BAD_FORMAT = new DecodeFailure('Bad data format in input.')

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
 * The fixed-size numeric items: their size (type byte included) and how to read the value that follows the type byte.
 * uint 64 is read as a signed lua_Integer, as lua_cmsgpack does: values from 2^63 up come out negative.
 */
const FIXED_SIZE_NUMBERS = new Map<number, readonly [size: number, read: (c: Cursor) => number]>([
  [0xcc, [2, (c) => c.u8(1)]],
  [0xd0, [2, (c) => (c.u8(1) << 24) >> 24]],
  [0xcd, [3, (c) => c.u16(1)]],
  [0xd1, [3, (c) => (c.u16(1) << 16) >> 16]],
  [0xce, [5, (c) => c.u32(1)]],
  [0xd2, [5, (c) => c.u32(1) | 0]],
  [0xcf, [9, (c) => c.i64(1)]],
  [0xd3, [9, (c) => c.i64(1)]],
  [0xca, [5, (c) => c.view(1).getFloat32(0)]],
  [0xcb, [9, (c) => c.view(1).getFloat64(0)]],
])

/**
 * Reads the item at the cursor: pushes a scalar (returning null), or pushes the table of an array or map header
 * (returning it as open, or null when it is empty).
 */
function startItem(L: LuaState, c: Cursor): OpenContainer | null {
  c.need(1)
  checkStack(L, TOO_MANY_VALUES)
  const type = c.u8(0)
  const fixed = FIXED_SIZE_NUMBERS.get(type)
  if (fixed) {
    const [size, read] = fixed
    c.need(size)
    lua.lua_pushnumber(L, read(c))
    c.pos += size
    return null
  }
  let length: number
  let map: boolean
  switch (type) {
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
  checkHeapInLibrary(L)
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
      if (err instanceof DecodeFailure) lauxlib.luaL_error(L, '%s', err.message)
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

/** cmsgpack.unpack(s): every value in `s`. */
export function unpack(L: LuaState): number {
  return unpackFull(L, 0, 0)
}

/** cmsgpack.unpack_one(s [, offset]): the offset after the value, and the value. */
export function unpackOne(L: LuaState): number {
  const offset = optInteger(L, 2, 0)
  lua.lua_settop(L, Math.min(lua.lua_gettop(L), 1))
  return unpackFull(L, 1, offset)
}

/** cmsgpack.unpack_limit(s, limit [, offset]): the offset after the values, and up to `limit` values. */
export function unpackLimit(L: LuaState): number {
  const limit = checkInteger(L, 2)
  const offset = optInteger(L, 3, 0)
  lua.lua_settop(L, Math.min(lua.lua_gettop(L), 1))
  return unpackFull(L, limit, offset)
}
