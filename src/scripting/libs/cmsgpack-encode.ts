/**
 * cmsgpack.pack as lua-cmsgpack 0.4.0 (Redis 7.0) writes MessagePack: the smallest integer format for numbers C's
 * int64 cast keeps, float32 for other numbers that survive the conversion and float64 for the rest, strings as
 * fixstr/str8/str16/str32 of their bytes, tables whose keys are exactly 1..n (or none) as arrays and others as maps in
 * traversal order (lua_next), nil for anything else and for tables nested deeper than 16.
 */
import { lauxlib, type LuaState, lua } from 'fengari'
import { ByteWriter } from './byte-writer.ts'
import { checkStack51, doubleToInt32, doubleToInt64 } from './lua51-args.ts'

/** Tables nested deeper than this are encoded as nil (this is how cycles end). */
const MAX_NESTING = 16

function encodeBytes(out: ByteWriter, s: Uint8Array): void {
  const len = s.length
  if (len < 32) {
    out.byte(0xa0 | len)
  } else if (len <= 0xff) {
    out.byte(0xd9)
    out.byte(len)
  } else if (len <= 0xffff) {
    out.byte(0xda)
    writeUint16(out, len)
  } else {
    out.byte(0xdb)
    writeUint32(out, len)
  }
  out.bytes(s)
}

function writeUint16(out: ByteWriter, n: number): void {
  out.byte((n >>> 8) & 0xff)
  out.byte(n & 0xff)
}

function writeUint32(out: ByteWriter, n: number): void {
  writeUint16(out, n >>> 16)
  writeUint16(out, n)
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
      writeUint16(out, n)
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
    writeUint16(out, n)
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

/** cmsgpack.pack(...): every argument, one after the other. */
export function pack(L: LuaState): number {
  const nargs = lua.lua_gettop(L)
  if (nargs === 0) return lauxlib.luaL_argerror(L, 0, 'MessagePack pack needs input.')
  // lua-cmsgpack reserves a slot per argument for the encoded pieces it concatenates at the end.
  if (!checkStack51(L, nargs)) return lauxlib.luaL_argerror(L, 0, 'Too many arguments for MessagePack pack.')
  const out = new ByteWriter()
  for (let i = 1; i <= nargs; i++) {
    lua.lua_checkstack(L, 1)
    lua.lua_pushvalue(L, i)
    encodeValue(L, out, 0)
  }
  lua.lua_pushstring(L, out.result())
  return 1
}
