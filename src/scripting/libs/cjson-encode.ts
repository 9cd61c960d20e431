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
    const escaped = ESCAPES[s[i]]
    if (escaped === null) out.byte(s[i])
    else out.ascii(escaped)
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

/** An array or object being written; its table sits on the Lua stack below the member being written. */
interface OpenTable {
  /** Array length, or -1 for an object. */
  length: number
  /** Arrays: the index being written (0 before the first). Objects: members written so far. */
  at: number
}

/** Writes the scalar on top of the stack, or opens the table there (returning its frame). */
function startValue(L: LuaState, cfg: CjsonConfig, depth: number, out: ByteWriter): OpenTable | null {
  switch (lua.lua_type(L, -1)) {
    case lua.LUA_TSTRING:
      appendString(out, lua.lua_tolstring(L, -1) as Uint8Array)
      return null
    case lua.LUA_TNUMBER:
      appendNumber(L, cfg, out, -1)
      return null
    case lua.LUA_TBOOLEAN:
      out.ascii(lua.lua_toboolean(L, -1) ? 'true' : 'false')
      return null
    case lua.LUA_TTABLE: {
      const current = depth + 1
      // json_check_encode_depth: the configured limit, and lua_checkstack(3) under Lua 5.1's C stack limit (this
      // encoder's Lua stack holds what lua-cjson's does: per level an array element, or an object key and value).
      if (current > cfg.encodeMaxDepth || lua.lua_gettop(L) + 3 > LUA51_MAX_C_STACK || !lua.lua_checkstack(L, 4)) {
        throw new EncodeError(`Cannot serialise, excessive nesting (${current})`)
      }
      const length = arrayLength(L, cfg)
      if (length > 0) {
        out.byte(91)
        return { length, at: 0 }
      }
      out.byte(123)
      lua.lua_pushnil(L)
      return { length: -1, at: 0 }
    }
    case lua.LUA_TNIL:
      out.ascii('null')
      return null
    case lua.LUA_TLIGHTUSERDATA:
      if (lua.lua_touserdata(L, -1) === null) {
        out.ascii('null')
        return null
      }
      return cannotSerialise(L, -1, 'type not supported')
    default:
      return cannotSerialise(L, -1, 'type not supported')
  }
}

/**
 * Moves `table` to its next member, pushing it (an array element, or an object key and value after writing the
 * key); false when the table is finished and its closing bracket written.
 */
function nextMember(L: LuaState, cfg: CjsonConfig, table: OpenTable, out: ByteWriter): boolean {
  if (table.length >= 0) {
    if (table.at > 0) lua.lua_pop(L, 1)
    if (table.at === table.length) {
      out.byte(93)
      return false
    }
    if (table.at > 0) out.byte(44)
    table.at++
    lua.lua_rawgeti(L, -1, table.at)
    return true
  }
  if (table.at > 0) lua.lua_pop(L, 1) // the previous value; its key stays for lua_next
  if (!lua.lua_next(L, -2)) {
    out.byte(125)
    return false
  }
  if (table.at > 0) out.byte(44)
  table.at++
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
  return true
}

/**
 * json_append_data for the value on top of the stack, without recursion: encode_max_depth may be raised far beyond
 * what JavaScript's call stack would allow.
 */
function appendData(L: LuaState, cfg: CjsonConfig, out: ByteWriter): void {
  const open: OpenTable[] = []
  let table = startValue(L, cfg, 0, out)
  if (table) open.push(table)
  while (open.length > 0) {
    table = open[open.length - 1]
    if (!nextMember(L, cfg, table, out)) {
      open.pop()
      continue
    }
    const nested = startValue(L, cfg, open.length, out)
    if (nested) open.push(nested)
  }
}

/** cjson.encode(value). */
export function jsonEncode(L: LuaState, cfg: CjsonConfig): number {
  if (lua.lua_gettop(L) !== 1) lauxlib.luaL_argerror(L, 1, 'expected 1 argument')
  const out = new ByteWriter()
  try {
    appendData(L, cfg, out)
  } catch (err) {
    if (err instanceof EncodeError) lauxlib.luaL_error(L, '%s', err.message)
    throw err
  }
  lua.lua_pushstring(L, out.result())
  return 1
}
