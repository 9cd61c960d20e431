/**
 * Conversions between command replies and Lua values, as Redis 7.0 does them (script_lua.c):
 *
 * reply -> Lua (what redis.call returns), for the script's protocol (redis.setresp):
 *   integer -> number; bulk -> string; nil bulk and nil array -> false (RESP2) or nil (RESP3); status -> {ok=...};
 *   error -> {err=...}; array -> table; RESP3 only: map -> {map={...}}, set -> {set={...}}, double -> {double=n},
 *   boolean -> true/false, verbatim -> {verbatim_string={format=..., string=...}}.
 *
 * Lua -> reply (what the script returns):
 *   number -> integer (truncated toward zero, as C's cast does); string -> bulk; true -> 1; false/nil -> nil;
 *   table with a string `err` -> error; with a string `ok` -> status; `double`, `big_number`, `verbatim_string`,
 *   `map`, `set` fields -> those types; any other table -> array of t[1..n] up to the first nil.
 */
import { type LuaState, lua } from 'fengari'
import {
  BoolReply,
  DoubleReply,
  MapReply,
  NilArray,
  PushReply,
  type Reply,
  ReplyError,
  SetReply,
  SimpleString,
  VerbatimReply,
  BigNumberReply,
} from '../protocol/reply.ts'
import type { Protocol } from '../protocol/resp-encoder.ts'
import { type LuaName, luaName, pushName, pushSharedBytes, setNamedField } from './lua-strings.ts'
import { redisArgNumber } from './lua51/c-number-format.ts'
import { checkHeapInLibrary } from './script-memory.ts'

/** Nesting at which Redis's conversion runs out of Lua stack (measured on 7.0.15 with a self-referencing table). */
export const REDIS_MAX_REPLY_DEPTH = 7995
/**
 * Where redsim stops: the same depth. The conversion here and the RESP encoder both walk nested replies without
 * recursion, so a reply as deep as Redis allows is written whole.
 */
export const MAX_REPLY_DEPTH = REDIS_MAX_REPLY_DEPTH
const STACK_LIMIT_ERROR = 'ERR reached lua stack limit'

/** A Lua string (bytes) as a Buffer, without copying. fengari never mutates a string's bytes. */
export function luaBytes(s: Uint8Array): Buffer {
  return Buffer.from(s.buffer, s.byteOffset, s.length)
}

/** A Buffer as bytes fengari can hold, without copying (a plain Uint8Array view, not a Buffer subclass). */
export function toLuaString(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length)
}

// ---------------------------------------------------------------------------------------------------------------
// reply -> Lua

/**
 * Pushes the table Redis builds for an error reply (luaPushErrorBuff): "-CODE message" keeps its code, text without a
 * leading '-' gets "ERR"; a code without a message becomes "ERR CODE". Trailing CR/LF removed.
 */
export function pushErrorTable(L: LuaState, message: string, ignoreStats: boolean): void {
  lua.lua_createtable(L, 0, 2)
  lua.lua_pushstring(L, Uint8Array.from(Buffer.from(errorTableText(message), 'latin1')))
  setNamedField(L, -2, ERR_NAME)
  if (ignoreStats) {
    lua.lua_pushboolean(L, true)
    lua.lua_setfield(L, -2, 'ignore_error_stats_update')
  }
}

/** The text of the `err` field for an error given as Redis formats it internally ("-CODE msg" or plain text). */
export function errorTableText(raw: string): string {
  let code: string
  let msg: string
  if (raw.startsWith('-')) {
    const space = raw.indexOf(' ')
    if (space === -1) {
      code = 'ERR'
      msg = raw.slice(1)
    } else {
      code = raw.slice(1, space)
      msg = raw.slice(space + 1)
    }
  } else {
    code = 'ERR'
    msg = raw
  }
  return `${code} ${msg.replace(/^[\r\n]+|[\r\n]+$/g, '')}`
}

/**
 * A reply's bytes, copied (the keyspace may grow a stored value in place later; a Lua string must never change).
 * `new Uint8Array(buffer)` copies at memory speed, where lua_pushstring's Uint8Array.from walks byte by byte.
 */
function pushBytes(L: LuaState, b: Buffer): void {
  pushSharedBytes(L, new Uint8Array(b))
}

function pushText(L: LuaState, s: string): void {
  pushSharedBytes(L, Buffer.from(s, 'utf8'))
}

/** Status texts seen again and again (OK, PONG, QUEUED, ...), made once. */
const statusTexts = new Map<string, Uint8Array>()

function pushStatus(L: LuaState, s: string): void {
  let bytes = statusTexts.get(s)
  if (!bytes) {
    bytes = toLuaString(Buffer.from(s, 'utf8'))
    if (s.length <= 16 && statusTexts.size < 256) statusTexts.set(s, bytes)
  }
  pushSharedBytes(L, bytes)
}

const OK_NAME = luaName('ok')

/** Pushes one Lua value for `reply` as the script (RESP `resp`) sees it. Error replies become {err=...} tables. */
export function pushReply(L: LuaState, reply: Reply, resp: Protocol): void {
  if (reply === null) {
    if (resp === 2) lua.lua_pushboolean(L, false)
    else lua.lua_pushnil(L)
  } else if (Buffer.isBuffer(reply)) {
    pushBytes(L, reply)
  } else if (typeof reply === 'number') {
    lua.lua_pushnumber(L, reply)
  } else if (typeof reply === 'bigint') {
    lua.lua_pushnumber(L, Number(reply))
  } else if (typeof reply === 'string') {
    pushText(L, reply)
  } else if (Array.isArray(reply)) {
    pushArray(L, reply, resp)
  } else if (reply instanceof SimpleString) {
    lua.lua_createtable(L, 0, 1)
    pushStatus(L, reply.value)
    setNamedField(L, -2, OK_NAME)
  } else if (reply instanceof ReplyError) {
    pushErrorTable(L, `-${reply.message}`, true)
  } else if (reply instanceof NilArray) {
    if (resp === 2) lua.lua_pushboolean(L, false)
    else lua.lua_pushnil(L)
  } else if (reply instanceof DoubleReply) {
    if (resp === 2) {
      pushText(L, reply.text ?? doubleText(reply.value))
    } else {
      lua.lua_createtable(L, 0, 1)
      lua.lua_pushnumber(L, reply.value)
      lua.lua_setfield(L, -2, 'double')
    }
  } else if (reply instanceof BoolReply) {
    if (resp === 2) {
      // RESP2 carries booleans as the integers 1 and 0.
      lua.lua_pushnumber(L, reply.value ? 1 : 0)
    } else {
      lua.lua_pushboolean(L, reply.value)
    }
  } else if (reply instanceof MapReply) {
    if (resp === 2) {
      const flat: Reply[] = []
      for (const [k, v] of reply.entries) flat.push(k, v)
      pushArray(L, flat, resp)
    } else {
      lua.lua_createtable(L, 0, 1)
      lua.lua_createtable(L, 0, reply.entries.length)
      for (const [k, v] of reply.entries) {
        pushReply(L, k, resp)
        pushReply(L, v, resp)
        lua.lua_rawset(L, -3)
      }
      lua.lua_setfield(L, -2, 'map')
    }
  } else if (reply instanceof SetReply) {
    if (resp === 2) {
      pushArray(L, reply.items, resp)
    } else {
      lua.lua_createtable(L, 0, 1)
      lua.lua_createtable(L, 0, reply.items.length)
      for (const item of reply.items) {
        pushReply(L, item, resp)
        lua.lua_pushboolean(L, true)
        lua.lua_rawset(L, -3)
      }
      lua.lua_setfield(L, -2, 'set')
    }
  } else if (reply instanceof VerbatimReply) {
    if (resp === 2) {
      pushText(L, reply.text)
    } else {
      lua.lua_createtable(L, 0, 1)
      lua.lua_createtable(L, 0, 2)
      pushText(L, reply.text)
      lua.lua_setfield(L, -2, 'string')
      pushText(L, reply.format)
      lua.lua_setfield(L, -2, 'format')
      lua.lua_setfield(L, -2, 'verbatim_string')
    }
  } else if (reply instanceof PushReply) {
    pushArray(L, reply.items, resp)
  } else {
    lua.lua_pushnil(L)
  }
}

function pushArray(L: LuaState, items: readonly Reply[], resp: Protocol): void {
  lua.lua_createtable(L, items.length, 0)
  for (let i = 0; i < items.length; i++) {
    checkHeapInLibrary(L)
    pushReply(L, items[i], resp)
    lua.lua_rawseti(L, -2, i + 1)
  }
}

/** A double as RESP2 sends it (a bulk string, "%.17g", inf/-inf/nan). */
function doubleText(x: number): string {
  if (Number.isNaN(x)) return 'nan'
  if (x === Number.POSITIVE_INFINITY) return 'inf'
  if (x === Number.NEGATIVE_INFINITY) return '-inf'
  return redisArgNumber(x)
}

// ---------------------------------------------------------------------------------------------------------------
// Lua -> reply

/** C's (long long) cast of a double on x86-64: truncation; NaN and out-of-range values give LLONG_MIN. */
export function luaNumberToInteger(x: number): number | bigint {
  const t = Math.trunc(x)
  if (Number.isSafeInteger(t)) return t === 0 ? 0 : t
  if (!Number.isFinite(t) || t >= 2 ** 63 || t < -(2 ** 63)) return -9223372036854775808n
  return BigInt(t)
}

function latin1(s: Uint8Array): string {
  return luaBytes(s).toString('latin1')
}

/** Error and status lines cannot carry CR or LF: Redis trims them at the ends and maps the rest to spaces. */
export function oneLine(text: string): string {
  return text.replace(/^[\r\n]+|[\r\n]+$/g, '').replace(/[\r\n]/g, ' ')
}

export interface LuaToReplyOptions {
  /** The script's redis.setresp level: booleans are RESP3 booleans only at level 3. */
  scriptResp: Protocol
  /** The calling client's protocol: a RESP3 boolean to a RESP2 client is the integer 1 or 0. */
  clientResp: Protocol
}

/** Converts the Lua value at `idx` (absolute index) to a reply. */
export function luaToReply(L: LuaState, idx: number, options: LuaToReplyOptions, depth = 0): Reply {
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TSTRING:
      return luaBytes(lua.lua_tolstring(L, idx)!)
    case lua.LUA_TBOOLEAN: {
      const b = lua.lua_toboolean(L, idx)
      if (options.scriptResp === 2) return b ? 1 : null
      return options.clientResp === 2 ? (b ? 1 : 0) : new BoolReply(b)
    }
    case lua.LUA_TNUMBER:
      return luaNumberToInteger(lua.lua_tonumber(L, idx))
    case lua.LUA_TTABLE:
      if (depth >= MAX_REPLY_DEPTH) return new ReplyError(STACK_LIMIT_ERROR)
      return tableToReply(L, idx, options, depth)
    default:
      return null
  }
}

/** Reads t[field] raw; returns its type, leaving the value on the stack (the caller pops it). */
function rawField(L: LuaState, idx: number, field: LuaName): number {
  pushName(L, field)
  return lua.lua_rawget(L, idx)
}

const ERR_NAME = luaName('err')
const DOUBLE_NAME = luaName('double')
const BIG_NUMBER_NAME = luaName('big_number')
const VERBATIM_NAME = luaName('verbatim_string')
const FORMAT_NAME = luaName('format')
const STRING_NAME = luaName('string')
const MAP_NAME = luaName('map')
const SET_NAME = luaName('set')

function tableToReply(L: LuaState, idx: number, options: LuaToReplyOptions, depth: number): Reply {
  const special = specialTableReply(L, idx, options, depth)
  return special === PLAIN_ARRAY ? arrayToReply(L, idx, options, depth) : special
}

/** specialTableReply's answer for a table that is a plain array (no err, ok, double, ... field). */
const PLAIN_ARRAY = Symbol('plain array')

/** The reply for a table with one of the special fields Redis recognises, or PLAIN_ARRAY. */
function specialTableReply(
  L: LuaState,
  idx: number,
  options: LuaToReplyOptions,
  depth: number,
): Reply | typeof PLAIN_ARRAY {
  lua.lua_checkstack(L, 8)
  if (rawField(L, idx, ERR_NAME) === lua.LUA_TSTRING) {
    const message = oneLine(latin1(lua.lua_tolstring(L, -1)!))
    lua.lua_pop(L, 1)
    return new ReplyError(message)
  }
  lua.lua_pop(L, 1)
  if (rawField(L, idx, OK_NAME) === lua.LUA_TSTRING) {
    const status = oneLine(latin1(lua.lua_tolstring(L, -1)!))
    lua.lua_pop(L, 1)
    return new SimpleString(status)
  }
  lua.lua_pop(L, 1)
  if (rawField(L, idx, DOUBLE_NAME) === lua.LUA_TNUMBER) {
    const value = lua.lua_tonumber(L, -1)
    lua.lua_pop(L, 1)
    return new DoubleReply(value)
  }
  lua.lua_pop(L, 1)
  if (rawField(L, idx, BIG_NUMBER_NAME) === lua.LUA_TSTRING) {
    // Sent as given, newlines mapped to spaces (Redis's sdsmapchars); a RESP2 client gets it as a bulk string.
    const value = luaBytes(lua.lua_tolstring(L, -1)!)
    lua.lua_pop(L, 1)
    return new BigNumberReply(Buffer.from(oneLine(value.toString('latin1')), 'latin1'))
  }
  lua.lua_pop(L, 1)
  if (rawField(L, idx, VERBATIM_NAME) === lua.LUA_TTABLE) {
    const t = lua.lua_gettop(L)
    const hasFormat = rawField(L, t, FORMAT_NAME) === lua.LUA_TSTRING
    const format = hasFormat ? latin1(lua.lua_tolstring(L, -1)!) : ''
    lua.lua_pop(L, 1)
    const hasString = rawField(L, t, STRING_NAME) === lua.LUA_TSTRING
    const text = hasString ? luaBytes(lua.lua_tolstring(L, -1)!).toString('utf8') : ''
    lua.lua_pop(L, 2)
    if (hasFormat && hasString && format.length === 3) return new VerbatimReply(format, text)
    return arrayToReply(L, idx, options, depth)
  }
  lua.lua_pop(L, 1)
  if (rawField(L, idx, MAP_NAME) === lua.LUA_TTABLE) {
    const t = lua.lua_gettop(L)
    const entries: Array<[Reply, Reply]> = []
    lua.lua_pushnil(L)
    while (lua.lua_next(L, t)) {
      const top = lua.lua_gettop(L)
      entries.push([luaToReply(L, top - 1, options, depth + 1), luaToReply(L, top, options, depth + 1)])
      lua.lua_pop(L, 1)
    }
    lua.lua_pop(L, 1)
    return new MapReply(entries)
  }
  lua.lua_pop(L, 1)
  if (rawField(L, idx, SET_NAME) === lua.LUA_TTABLE) {
    const t = lua.lua_gettop(L)
    const items: Reply[] = []
    lua.lua_pushnil(L)
    while (lua.lua_next(L, t)) {
      lua.lua_pop(L, 1)
      items.push(luaToReply(L, lua.lua_gettop(L), options, depth + 1))
    }
    lua.lua_pop(L, 1)
    return new SetReply(items)
  }
  lua.lua_pop(L, 1)
  return PLAIN_ARRAY
}

/** One array being filled: its table's stack index, the reply array, the next element and the table's depth. */
interface ArrayFrame {
  readonly idx: number
  readonly out: Reply[]
  next: number
  readonly depth: number
}

/**
 * The elements t[1..n] up to the first nil. Nested plain arrays are walked with an explicit stack rather than by
 * recursion, so a reply nested REDIS_MAX_REPLY_DEPTH deep (as Redis allows) would not exhaust the JavaScript stack; each
 * nested table stays on the Lua stack while it is filled.
 */
function arrayToReply(L: LuaState, idx: number, options: LuaToReplyOptions, depth: number): Reply {
  const root: Reply[] = []
  const frames: ArrayFrame[] = [{ idx, out: root, next: 1, depth }]
  while (frames.length > 0) {
    const frame = frames[frames.length - 1]
    if (lua.lua_rawgeti(L, frame.idx, frame.next) === lua.LUA_TNIL) {
      lua.lua_pop(L, 1)
      frames.pop()
      // The finished table itself was an element of its parent: pop it too (the root belongs to the caller).
      if (frames.length > 0) lua.lua_pop(L, 1)
      continue
    }
    frame.next++
    const top = lua.lua_gettop(L)
    const childDepth = frame.depth + 1
    if (lua.lua_type(L, top) === lua.LUA_TTABLE && childDepth < MAX_REPLY_DEPTH) {
      const special = specialTableReply(L, top, options, childDepth)
      if (special === PLAIN_ARRAY) {
        const out: Reply[] = []
        frame.out.push(out)
        frames.push({ idx: top, out, next: 1, depth: childDepth })
        continue
      }
      frame.out.push(special)
    } else {
      frame.out.push(luaToReply(L, top, options, childDepth))
    }
    lua.lua_pop(L, 1)
  }
  return root
}

/**
 * The command arguments of redis.call(...) from the Lua stack (positions 1..n): strings as their bytes, numbers
 * as "%.17g". Returns null when an argument is of another type.
 */
/**
 * Command names as Buffers, per Lua string object: a name written in a script is the same constant string on every
 * call, so its Buffer is made once. (Only argv[0]: commands never keep or modify it, unlike their arguments.)
 */
const commandNames = new WeakMap<Uint8Array, Buffer>()

export function luaArgsToArgv(L: LuaState, n: number): Buffer[] | null {
  const argv: Buffer[] = new Array(n)
  let i = 1
  if (lua.lua_type(L, 1) === lua.LUA_TSTRING) {
    const name = lua.lua_tolstring(L, 1)!
    let buffer = commandNames.get(name)
    if (!buffer) {
      buffer = luaBytes(name)
      commandNames.set(name, buffer)
    }
    argv[0] = buffer
    i = 2
  }
  for (; i <= n; i++) {
    const t = lua.lua_type(L, i)
    if (t === lua.LUA_TSTRING) argv[i - 1] = luaBytes(lua.lua_tolstring(L, i)!)
    else if (t === lua.LUA_TNUMBER) argv[i - 1] = Buffer.from(redisArgNumber(lua.lua_tonumber(L, i)), 'latin1')
    else return null
  }
  return argv
}
