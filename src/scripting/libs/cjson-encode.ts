/**
 * cjson.encode as lua-cjson 2.1.0 (Redis 7.0) writes JSON: escapes for control characters, '"', '\\', '/' and DEL
 * (other bytes pass through untouched, valid UTF-8 or not), numbers with "%.{precision}g", a table is an array when
 * its keys are exactly integers >= 1 (holes become null, subject to the sparse-array rules) and an object otherwise
 * (an empty table is "{}"), object members in the table's traversal order (lua_next), and Redis's error messages.
 */
import { lauxlib, type LuaState, lua } from 'fengari'
import { formatG } from '../lua51/c-number-format.ts'
import { ByteWriter } from './byte-writer.ts'
import type { CjsonConfig } from './cjson-config.ts'
import { doubleToInt32, LUA51_MAX_C_STACK } from './lua51-args.ts'

/** The escape of each byte that needs one (lua-cjson's char2escape table). */
const ESCAPES: (string | null)[] = (() => {
  const table: (string | null)[] = new Array(256).fill(null)
  for (let i = 0; i < 32; i++) table[i] = `\\u${i.toString(16).padStart(4, '0')}`
  table[8] = '\\b'
  table[9] = '\\t'
  table[10] = '\\n'
  table[12] = '\\f'
  table[13] = '\\r'
  table[34] = '\\"'
  table[47] = '\\/'
  table[92] = '\\\\'
  table[127] = '\\u007f'
  return table
})()

class EncodeError {
  constructor(readonly message: string) {}
}

function typeName(L: LuaState, idx: number): string {
  return Buffer.from(lua.lua_typename(L, lua.lua_type(L, idx))).toString('latin1')
}

/** json_encode_exception: "Cannot serialise <type>: <reason>". */
function cannotSerialise(L: LuaState, idx: number, reason: string): never {
  throw new EncodeError(`Cannot serialise ${typeName(L, idx)}: ${reason}`)
}

function appendString(out: ByteWriter, s: Uint8Array): void {
  out.byte(34)
  for (let i = 0; i < s.length; i++) {
    const escape = ESCAPES[s[i]]
    if (escape === null) out.byte(s[i])
    else out.ascii(escape)
  }
  out.byte(34)
}

function appendNumber(L: LuaState, cfg: CjsonConfig, out: ByteWriter, idx: number): void {
  const num = lua.lua_tonumber(L, idx)
  if (cfg.encodeInvalidNumbers === 0) {
    if (!Number.isFinite(num)) cannotSerialise(L, idx, 'must not be NaN or Inf')
  } else if (cfg.encodeInvalidNumbers === 1) {
    // lua-cjson writes "nan" itself: printf could write "-nan".
    if (Number.isNaN(num)) {
      out.ascii('nan')
      return
    }
  } else if (!Number.isFinite(num)) {
    out.ascii('null')
    return
  }
  out.ascii(formatG(num, cfg.encodeNumberPrecision))
}

/**
 * lua_array_length: the array length of the table on top of the stack, or -1 for an object. Keys must be numbers
 * with integral values >= 1; the length is the largest (as C's int holds it). Excessively sparse arrays are objects
 * or an error, per encode_sparse_array.
 */
function arrayLength(L: LuaState, cfg: CjsonConfig): number {
  let max = 0
  let items = 0
  lua.lua_pushnil(L)
  while (lua.lua_next(L, -2)) {
    if (lua.lua_type(L, -2) === lua.LUA_TNUMBER) {
      const k = lua.lua_tonumber(L, -2)
      if (k !== 0 && Math.floor(k) === k && k >= 1) {
        if (k > max) max = doubleToInt32(k)
        items++
        lua.lua_pop(L, 1)
        continue
      }
    }
    lua.lua_pop(L, 2)
    return -1
  }
  // C int arithmetic: the product wraps as it does on x86.
  if (cfg.encodeSparseRatio > 0 && max > Math.imul(items, cfg.encodeSparseRatio) && max > cfg.encodeSparseSafe) {
    if (!cfg.encodeSparseConvert) cannotSerialise(L, -1, 'excessively sparse array')
    return -1
  }
  return max
}

function appendArray(L: LuaState, cfg: CjsonConfig, depth: number, out: ByteWriter, length: number): void {
  out.byte(91)
  for (let i = 1; i <= length; i++) {
    if (i > 1) out.byte(44)
    lua.lua_rawgeti(L, -1, i)
    appendData(L, cfg, depth, out)
    lua.lua_pop(L, 1)
  }
  out.byte(93)
}

function appendObject(L: LuaState, cfg: CjsonConfig, depth: number, out: ByteWriter): void {
  out.byte(123)
  let comma = false
  lua.lua_pushnil(L)
  while (lua.lua_next(L, -2)) {
    if (comma) out.byte(44)
    else comma = true
    const keyType = lua.lua_type(L, -2)
    if (keyType === lua.LUA_TNUMBER) {
      out.byte(34)
      appendNumber(L, cfg, out, -2)
      out.ascii('":')
    } else if (keyType === lua.LUA_TSTRING) {
      appendString(out, lua.lua_tolstring(L, -2) as Uint8Array)
      out.byte(58)
    } else {
      cannotSerialise(L, -2, 'table key must be a number or string')
    }
    appendData(L, cfg, depth, out)
    lua.lua_pop(L, 1)
  }
  out.byte(125)
}

/** json_append_data: the value on top of the stack (left there). */
function appendData(L: LuaState, cfg: CjsonConfig, depth: number, out: ByteWriter): void {
  switch (lua.lua_type(L, -1)) {
    case lua.LUA_TSTRING:
      appendString(out, lua.lua_tolstring(L, -1) as Uint8Array)
      return
    case lua.LUA_TNUMBER:
      appendNumber(L, cfg, out, -1)
      return
    case lua.LUA_TBOOLEAN:
      out.ascii(lua.lua_toboolean(L, -1) ? 'true' : 'false')
      return
    case lua.LUA_TTABLE: {
      const current = depth + 1
      // json_check_encode_depth: the configured limit, and lua_checkstack(3) under Lua 5.1's C stack limit.
      if (current > cfg.encodeMaxDepth || lua.lua_gettop(L) + 3 > LUA51_MAX_C_STACK || !lua.lua_checkstack(L, 3)) {
        throw new EncodeError(`Cannot serialise, excessive nesting (${current})`)
      }
      const length = arrayLength(L, cfg)
      if (length > 0) appendArray(L, cfg, current, out, length)
      else appendObject(L, cfg, current, out)
      return
    }
    case lua.LUA_TNIL:
      out.ascii('null')
      return
    case lua.LUA_TLIGHTUSERDATA:
      if (lua.lua_touserdata(L, -1) === null) {
        out.ascii('null')
        return
      }
      cannotSerialise(L, -1, 'type not supported')
      return
    default:
      cannotSerialise(L, -1, 'type not supported')
  }
}

/** cjson.encode(value). */
export function jsonEncode(L: LuaState, cfg: CjsonConfig): number {
  if (lua.lua_gettop(L) !== 1) lauxlib.luaL_argerror(L, 1, 'expected 1 argument')
  const out = new ByteWriter()
  try {
    appendData(L, cfg, 0, out)
  } catch (err) {
    if (err instanceof EncodeError) lauxlib.luaL_error(L, '%s', err.message)
    throw err
  }
  lua.lua_pushstring(L, out.result())
  return 1
}
