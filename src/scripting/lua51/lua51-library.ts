/**
 * The standard library a Redis 7.0 script sees: Lua 5.1's base, string, table, math and coroutine libraries, with
 * exactly Redis's members (checked against redis-server: `for k in pairs(string)` lists the same names).
 *
 * fengari provides Lua 5.3's libraries. Where 5.1 and 5.3 differ in ways scripts observe, this module replaces or wraps
 * the function:
 * - integer arguments are truncated as 5.1's luaL_checkint does (`string.sub(s, 1, 2.5)` is `string.sub(s, 1, 2)`;
 *   5.3 raises "number has no integer representation");
 * - integer results become doubles (5.1 has no integers, and fengari's 32-bit integers would wrap in arithmetic);
 * - 5.1-only functions exist (unpack, loadstring, gcinfo, table.getn/maxn/foreach/foreachi, math.pow/mod/log10/...);
 *   5.3-only ones do not (rawlen, utf8, string.pack, table.move, math.type, ...);
 * - `pcall` is Redis's: an error table with an `err` field is returned as that string;
 * - functions returning many values (string.byte, unpack, captures) obey 5.1's C stack limit (LUAI_MAXCSTACK) with
 *   5.1's errors, counted with their arguments as 5.1 counts them;
 * - table.sort (table-sort.ts), string.gsub (string-gsub.ts) and the coroutine library (coroutines.ts) are 5.1's,
 *   written so that the host can pause a script inside a comparator, a replacement function or a coroutine;
 * - `load` and `loadstring` accept source text only, never bytecode; `string.dump` is absent (see the sandbox
 *   rules; Redis keeps string.dump but refuses to load what it produces).
 */
import { lauxlib, type LuaJSFunction, type LuaKFunction, type LuaState, lua, lualib, to_luastring } from 'fengari'
import ldebug from 'fengari/src/ldebug.js'
import { checkBytes, checkStack51, checkStackOrRaise51, LUA51_MAX_C_STACK, optInteger } from '../libs/lua51-args.ts'
import { READONLY_MESSAGE, readonlyTables, scriptLimits } from './fengari-patches.ts'
import type { Lrand48 } from './lrand48.ts'
import { luaStringFormat } from './string-format.ts'
import { luaStringToNumber, luaStringToNumberBase } from './string-to-number.ts'
import { openCoroutine } from './coroutines.ts'
import { stringGsub } from './string-gsub.ts'
import { tableSort } from './table-sort.ts'

export interface Lua51Options {
  /**
   * math.random's generator (Redis's lrand48) for the script running now. The Lua state is shared by every engine in
   * the process, so each engine keeps its own generator, seeded from its injected random source.
   */
  generator(): Lrand48
  /** True for the coroutine the host runs a script in (see CoroutineOptions). */
  isScriptThread(L: LuaState): boolean
  /** True when the thread that just yielded did so for the host (see CoroutineOptions). */
  yieldingToHost(): boolean
}

const INT_MAX = 2147483647
const INT_MIN = -2147483648

/** Lua 5.1's luaL_checkint conversion of a number: truncation, clamped to C's int. */
function toCInt(x: number): number {
  if (Number.isNaN(x)) return INT_MIN
  const t = Math.trunc(x)
  return Math.min(INT_MAX, Math.max(INT_MIN, t))
}

function checkInt(L: LuaState, arg: number): number {
  return toCInt(lauxlib.luaL_checknumber(L, arg))
}

function optInt(L: LuaState, arg: number, def: number): number {
  return lua.lua_isnoneornil(L, arg) ? def : checkInt(L, arg)
}

/** Replaces integer results on top of the stack by equal doubles. */
function floatResults(L: LuaState, n: number): void {
  const top = lua.lua_gettop(L)
  let room = false
  for (let i = top - n + 1; i <= top; i++) {
    if (lua.lua_isinteger(L, i)) {
      // The library function may have filled exactly the slots it reserved: the double needs one more.
      if (!room) room = lua.lua_checkstack(L, 1)
      lua.lua_pushnumber(L, lua.lua_tointeger(L, i))
      lua.lua_replace(L, i)
    }
  }
}

/** Truncates the numeric arguments at `positions` (or every argument) to C ints, as 5.1's luaL_checkint would. */
function truncateArgs(L: LuaState, positions: readonly number[] | 'all'): void {
  const top = lua.lua_gettop(L)
  const count = positions === 'all' ? top : positions.length
  for (let k = 0; k < count; k++) {
    const p = positions === 'all' ? k + 1 : positions[k]
    if (p > top || lua.lua_type(L, p) !== lua.LUA_TNUMBER) continue
    const v = lua.lua_tonumber(L, p)
    const t = toCInt(v)
    if (t !== v) {
      lua.lua_pushnumber(L, t)
      lua.lua_replace(L, p)
    }
  }
}

/** Wraps a 5.3 library function with 5.1 argument truncation and double results. */
function lua51(f: LuaJSFunction, intArgs: readonly number[] | 'all' = []): LuaJSFunction {
  return (L) => {
    if (intArgs === 'all' || intArgs.length > 0) truncateArgs(L, intArgs)
    const n = f(L)
    floatResults(L, n)
    return n
  }
}

function getFunction(L: LuaState, tableIdx: number, name: string): LuaJSFunction {
  lua.lua_getfield(L, tableIdx, name)
  const f = lua.lua_tocfunction(L, -1)
  lua.lua_pop(L, 1)
  if (!f) throw new Error(`fengari library function ${name} missing`)
  return f
}

function setFunction(L: LuaState, tableIdx: number, name: string, f: LuaJSFunction): void {
  const idx = lua.lua_absindex(L, tableIdx)
  lua.lua_pushcfunction(L, f)
  lua.lua_setfield(L, idx, name)
}

function remove(L: LuaState, tableIdx: number, names: readonly string[]): void {
  const idx = lua.lua_absindex(L, tableIdx)
  for (const name of names) {
    lua.lua_pushnil(L)
    lua.lua_setfield(L, idx, name)
  }
}

/** Wraps every function in the table at `tableIdx` (except `skip`) with `lua51`, using `intArgs` per name. */
function wrapAll(L: LuaState, tableIdx: number, intArgs: Record<string, readonly number[] | 'all'>, skip: string[]) {
  const idx = lua.lua_absindex(L, tableIdx)
  const names: string[] = []
  lua.lua_pushnil(L)
  while (lua.lua_next(L, idx)) {
    if (lua.lua_type(L, -2) === lua.LUA_TSTRING && lua.lua_tocfunction(L, -1)) {
      names.push(Buffer.from(lua.lua_tostring(L, -2)!).toString('latin1'))
    }
    lua.lua_pop(L, 1)
  }
  for (const name of names) {
    if (skip.includes(name)) continue
    setFunction(L, idx, name, lua51(getFunction(L, idx, name), intArgs[name] ?? []))
  }
}

export function openLua51Libraries(L: LuaState, options: Lua51Options): void {
  const libs: Array<[string, LuaJSFunction]> = [
    ['_G', lualib.luaopen_base],
    ['string', lualib.luaopen_string],
    ['table', lualib.luaopen_table],
    ['math', lualib.luaopen_math],
    ['coroutine', lualib.luaopen_coroutine],
  ]
  for (const [name, open] of libs) {
    lauxlib.luaL_requiref(L, name, open, 1)
    lua.lua_pop(L, 1)
  }
  openBase(L)
  openString(L)
  openTable(L)
  openMath(L, options.generator)
  openCoroutine(L, options)
}

// ---------------------------------------------------------------------------------------------------------------
// base

function openBase(L: LuaState): void {
  lua.lua_pushglobaltable(L)
  const G = lua.lua_gettop(L)
  remove(L, G, ['dofile', 'loadfile', 'print', 'rawlen', 'collectgarbage', 'load'])
  lua.lua_pushliteral(L, 'Lua 5.1')
  lua.lua_setfield(L, G, '_VERSION')

  const originalSetmetatable = getFunction(L, G, 'setmetatable')
  setFunction(L, G, 'setmetatable', (L1) => {
    lauxlib.luaL_checktype(L1, 1, lua.LUA_TTABLE)
    // Redis checks read-only tables inside lua_setmetatable, after the argument checks.
    const t = lua.lua_topointer(L1, 1)
    if (t && readonlyTables.has(t)) {
      lauxlib.luaL_checkany(L1, 2)
      ldebug.luaG_runerror(L1, to_luastring(READONLY_MESSAGE))
    }
    return originalSetmetatable(L1)
  })
  // 5.1's luaB_error: numbers get the position prefix too (lua_isstring), 5.3 adds it to strings only.
  setFunction(L, G, 'error', (L1) => {
    const level = optInt(L1, 2, 1)
    lua.lua_settop(L1, 1)
    if (lua.lua_isstring(L1, 1) && level > 0) {
      lauxlib.luaL_where(L1, level)
      lua.lua_pushvalue(L1, 1)
      lua.lua_concat(L1, 2)
    }
    return lua.lua_error(L1)
  })
  // 5.1's luaB_tostring returns whatever __tostring returns; 5.3 insists on a string. __tostring is called with a
  // continuation, so the host can pause a script busy inside it.
  setFunction(L, G, 'tostring', (L1) => {
    lauxlib.luaL_checkany(L1, 1)
    if (lauxlib.luaL_getmetafield(L1, 1, '__tostring') !== lua.LUA_TNIL) {
      lua.lua_pushvalue(L1, 1)
      lua.lua_callk(L1, 1, 1, 0, oneResult)
      return 1
    }
    lauxlib.luaL_tolstring(L1, 1)
    return 1
  })
  setFunction(L, G, 'tonumber', luaTonumber)
  setFunction(L, G, 'select', luaSelect)
  setFunction(L, G, 'next', luaNext)
  lua.lua_pushcfunction(L, luaNext)
  lua.lua_pushcclosure(L, luaPairs, 1)
  lua.lua_setfield(L, G, 'pairs')
  lua.lua_pushcfunction(L, ipairsStep)
  lua.lua_pushcclosure(L, luaIpairs, 1)
  lua.lua_setfield(L, G, 'ipairs')
  setFunction(L, G, 'unpack', luaUnpack)
  setFunction(L, G, 'loadstring', luaLoadstring)
  setFunction(L, G, 'load', luaLoad)
  setFunction(L, G, 'gcinfo', luaGcinfo)
  setFunction(L, G, 'collectgarbage', luaCollectgarbage)
  setFunction(L, G, 'pcall', redisPcall)
  const xpcall = getFunction(L, G, 'xpcall')
  setFunction(L, G, 'xpcall', (L1) => {
    // 5.1's xpcall calls f without arguments (5.3 passes the ones after the handler on), and takes any value as the
    // handler: an error then fails again, in the handler call ("error in error handling").
    lauxlib.luaL_checkany(L1, 2)
    lua.lua_settop(L1, 2)
    if (lua.lua_type(L1, 2) !== lua.LUA_TFUNCTION) {
      lua.lua_pushcfunction(L1, errorInErrorHandling)
      lua.lua_replace(L1, 2)
    }
    recordAllowhook(L1)
    return xpcall(L1)
  })
  setFunction(L, G, '__redis__err__handler', redisErrorHandler)
  lua.lua_pop(L, 1)
}

const oneResult: LuaKFunction = () => 1

function luaTonumber(L: LuaState): number {
  const base = lua.lua_isnoneornil(L, 2) ? 10 : checkInt(L, 2)
  if (base === 10) {
    lauxlib.luaL_checkany(L, 1)
    const t = lua.lua_type(L, 1)
    if (t === lua.LUA_TNUMBER) {
      lua.lua_pushnumber(L, lua.lua_tonumber(L, 1))
      return 1
    }
    if (t === lua.LUA_TSTRING) {
      const n = luaStringToNumber(lua.lua_tostring(L, 1)!)
      if (n !== null) {
        lua.lua_pushnumber(L, n)
        return 1
      }
    }
    lua.lua_pushnil(L)
    return 1
  }
  const s = lauxlib.luaL_checklstring(L, 1)
  if (base < 2 || base > 36) lauxlib.luaL_argerror(L, 2, 'base out of range')
  const n = luaStringToNumberBase(s, base)
  if (n === null) lua.lua_pushnil(L)
  else lua.lua_pushnumber(L, n)
  return 1
}

function luaSelect(L: LuaState): number {
  const n = lua.lua_gettop(L)
  if (lua.lua_type(L, 1) === lua.LUA_TSTRING && lua.lua_tostring(L, 1)![0] === 35) {
    lua.lua_pushnumber(L, n - 1)
    return 1
  }
  let i = checkInt(L, 1)
  if (i < 0) i = n + i
  else if (i > n) i = n
  if (i < 1) lauxlib.luaL_argerror(L, 1, 'index out of range')
  return n - i
}

function luaNext(L: LuaState): number {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE)
  lua.lua_settop(L, 2)
  if (lua.lua_next(L, 1)) {
    floatResults(L, 2)
    return 2
  }
  lua.lua_pushnil(L)
  return 1
}

/** 5.1's pairs: no __pairs metamethod. */
function luaPairs(L: LuaState): number {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE)
  lua.lua_pushvalue(L, lua.lua_upvalueindex(1))
  lua.lua_pushvalue(L, 1)
  lua.lua_pushnil(L)
  return 3
}

/** 5.1's ipairs: raw access, no __index. */
function luaIpairs(L: LuaState): number {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE)
  lua.lua_pushvalue(L, lua.lua_upvalueindex(1))
  lua.lua_pushvalue(L, 1)
  lua.lua_pushnumber(L, 0)
  return 3
}

function ipairsStep(L: LuaState): number {
  const i = checkInt(L, 2) + 1
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE)
  lua.lua_pushnumber(L, i)
  return lua.lua_rawgeti(L, 1, i) === lua.LUA_TNIL ? 0 : 2
}

function luaUnpack(L: LuaState): number {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE)
  let i = optInt(L, 2, 1)
  const e = lua.lua_isnoneornil(L, 3) ? lua.lua_rawlen(L, 1) : checkInt(L, 3)
  if (i > e) return 0
  const n = e - i + 1
  // Counted with the arguments still in the frame, as 5.1's lua_checkstack counts them.
  if (n <= 0 || !checkStack51(L, n)) return lauxlib.luaL_error(L, 'too many results to unpack')
  lua.lua_rawgeti(L, 1, i)
  while (i++ < e) lua.lua_rawgeti(L, 1, i)
  return n
}

/** The text before the first NUL, as C sees a Lua string. */
function cText(s: Uint8Array): Uint8Array {
  const nul = s.indexOf(0)
  return nul === -1 ? s : s.subarray(0, nul)
}

/** Lua 5.1's luaO_chunkid for a chunk whose name is its source text. */
function chunkId(source: Uint8Array): string {
  const text = Buffer.from(cText(source)).toString('latin1')
  const first = text[0]
  if (first === '=' || first === '@') return text.slice(1, 60)
  const newline = text.indexOf('\n')
  let len = 60 - 15
  if (len > text.length) len = text.length
  if (newline !== -1 && newline < len) len = newline
  const truncated = len < text.length
  return `[string "${text.slice(0, len)}${truncated ? '...' : ''}"]`
}

/**
 * Bytecode is never loaded. A chunk starting with the bytecode signature fails the way Redis's text-only loader makes
 * it fail: the lexer rejects the ESC character.
 */
function binaryChunkError(L: LuaState, chunkname: Uint8Array): void {
  lua.lua_pushnil(L)
  lua.lua_pushstring(
    L,
    Uint8Array.from(Buffer.from(`${chunkId(chunkname)}:1: unexpected symbol near 'char(27)'`, 'latin1')),
  )
}

function luaLoadstring(L: LuaState): number {
  const s = lauxlib.luaL_checklstring(L, 1)
  const chunkname = lauxlib.luaL_optlstring(L, 2, s) ?? s
  if (s[0] === 27) {
    binaryChunkError(L, chunkname)
    return 2
  }
  const status = lauxlib.luaL_loadbufferx(L, s, s.length, chunkname, 't')
  if (status === lua.LUA_OK) return 1
  lua.lua_pushnil(L)
  lua.lua_insert(L, -2)
  return 2
}

function luaLoad(L: LuaState): number {
  const chunkname = lauxlib.luaL_optlstring(L, 2, to_luastring('=(load)')) ?? to_luastring('=(load)')
  lauxlib.luaL_checktype(L, 1, lua.LUA_TFUNCTION)
  lua.lua_settop(L, 3)
  const reader = (L1: LuaState): Uint8Array | null => {
    lauxlib.luaL_checkstack(L1, 2, 'too many nested functions')
    lua.lua_pushvalue(L1, 1)
    lua.lua_call(L1, 0, 1)
    if (lua.lua_type(L1, -1) === lua.LUA_TNIL) {
      lua.lua_pop(L1, 1)
      return null
    }
    if (!lua.lua_isstring(L1, -1)) lauxlib.luaL_error(L1, 'reader function must return a string')
    lua.lua_replace(L1, 3)
    return lua.lua_tolstring(L1, 3)
  }
  const status = lua.lua_load(L, reader, null, chunkname, 't')
  if (status === lua.LUA_OK) return 1
  lua.lua_pushnil(L)
  lua.lua_insert(L, -2)
  return 2
}

/**
 * fengari has no garbage-collector API (the JavaScript heap is not visible to it). The memory figures are fixed
 * values, so scripts and simulations stay deterministic; the other options succeed and do nothing.
 */
const NOMINAL_KBYTES = 64

function luaGcinfo(L: LuaState): number {
  lua.lua_pushnumber(L, NOMINAL_KBYTES)
  return 1
}

const GC_OPTIONS = ['stop', 'restart', 'collect', 'count', 'step', 'setpause', 'setstepmul']

function luaCollectgarbage(L: LuaState): number {
  const opt = lua.lua_isnoneornil(L, 1) ? 'collect' : Buffer.from(lauxlib.luaL_checklstring(L, 1)).toString('latin1')
  if (!GC_OPTIONS.includes(opt)) lauxlib.luaL_argerror(L, 1, `invalid option '${opt}'`)
  optInt(L, 2, 0)
  if (opt === 'count') lua.lua_pushnumber(L, NOMINAL_KBYTES)
  else if (opt === 'step') lua.lua_pushboolean(L, false)
  else if (opt === 'setpause' || opt === 'setstepmul') lua.lua_pushnumber(L, 200)
  else lua.lua_pushnumber(L, 0)
  return 1
}

/**
 * Redis's pcall: like Lua's, except that an error table with a string `err` field (what redis.call raises) is
 * returned as that string. Built on lua_pcallk so that a redis.call inside it can still pause at the scheduling seam.
 */
const finishRedisPcall: LuaKFunction = (L, status) => {
  if (status !== lua.LUA_OK && status !== lua.LUA_YIELD) {
    if (lua.lua_istable(L, -1)) {
      lua.lua_getfield(L, -1, 'err')
      if (lua.lua_isstring(L, -1)) lua.lua_replace(L, -2)
      else lua.lua_pop(L, 1)
    }
    lua.lua_pushboolean(L, false)
    lua.lua_insert(L, -2)
    return 2
  }
  return lua.lua_gettop(L)
}

/** lstate.js's CIST_OAH: the call-status bit that keeps 'allowhook' across a yieldable pcall. */
const CIST_OAH = 1

/**
 * Works around a fengari bug: in a coroutine (where every script runs), lua_pcallk should record whether hooks are
 * allowed in the call status (C Lua's setoah), but fengari writes `callstatus &= ~CIST_OAH | allowhook`, which never
 * sets the bit. An error caught by pcall then restores 'allowhook' as 0, turning the count hook off for the rest of
 * the script: no more busy detection, and SCRIPT KILL could not stop `pcall(error, 'x') while true do end`.
 * Setting the bit before calling lua_pcallk makes fengari's `&=` keep it.
 */
function recordAllowhook(L: LuaState): void {
  const state = L as unknown as { allowhook: number | boolean; ci: { callstatus: number } }
  if (state.allowhook) state.ci.callstatus |= CIST_OAH
}

function redisPcall(L: LuaState): number {
  lauxlib.luaL_checkany(L, 1)
  recordAllowhook(L)
  lua.lua_pushboolean(L, true)
  lua.lua_insert(L, 1)
  const status = lua.lua_pcallk(L, lua.lua_gettop(L) - 2, lua.LUA_MULTRET, 0, 0, finishRedisPcall)
  return finishRedisPcall(L, status, 0)
}

function errorInErrorHandling(L: LuaState): number {
  lua.lua_pushliteral(L, 'error in error handling')
  return 1
}

/** Redis defines this global for its own use; it turns an error value into {err=..., source=..., line=...}. */
function redisErrorHandler(L: LuaState): number {
  const ar = new lua.lua_Debug()
  let level = 1
  let found = lua.lua_getstack(L, level, ar) && lua.lua_getinfo(L, 'nSl', ar)
  // fengari names JavaScript functions 'J' where Lua says 'C'.
  if (found && ar.what && Buffer.from(ar.what).toString('latin1') === 'J') {
    level++
    found = lua.lua_getstack(L, level, ar) && lua.lua_getinfo(L, 'nSl', ar)
  }
  if (!lua.lua_istable(L, 1)) {
    lauxlib.luaL_tolstring(L, 1)
    const text = lua.lua_tolstring(L, -1)!
    lua.lua_createtable(L, 0, 3)
    lua.lua_pushstring(L, Uint8Array.from([...to_luastring('ERR '), ...text]))
    lua.lua_setfield(L, -2, 'err')
    lua.lua_replace(L, 1)
  }
  lua.lua_settop(L, 1)
  if (found) {
    if (ar.source) lua.lua_pushstring(L, ar.source)
    else lua.lua_pushnil(L)
    lua.lua_setfield(L, 1, 'source')
    lua.lua_pushnumber(L, ar.currentline)
    lua.lua_setfield(L, 1, 'line')
  }
  return 1
}

// ---------------------------------------------------------------------------------------------------------------
// string

function openString(L: LuaState): void {
  lua.lua_getglobal(L, 'string')
  const S = lua.lua_gettop(L)
  remove(L, S, ['dump', 'pack', 'packsize', 'unpack'])
  const rawFind = getFunction(L, S, 'find')
  wrapAll(L, S, { char: 'all', find: [3], match: [3], sub: [2, 3] }, ['byte', 'format', 'gsub', 'rep'])
  setFunction(L, S, 'byte', luaStringByte)
  setFunction(L, S, 'gsub', stringGsub(rawFind))
  setFunction(L, S, 'format', luaStringFormat)
  setFunction(L, S, 'rep', luaStringRep)
  limitCaptures(L, S)
  lua.lua_pop(L, 1)
}

/** 5.1's posrelat: a negative position counts back from the end; before the start is 0. */
function relativePosition(pos: number, len: number): number {
  const p = pos < 0 ? pos + len + 1 : pos
  return Math.max(p, 0)
}

/** string.byte(s [, i [, j]]): the codes as doubles, under 5.1's stack limit ("string slice too long"). */
function luaStringByte(L: LuaState): number {
  const s = checkBytes(L, 1)
  const l = s.length
  let posi = relativePosition(optInteger(L, 2, 1), l)
  let pose = relativePosition(optInteger(L, 3, posi), l)
  if (posi <= 0) posi = 1
  if (pose > l) pose = l
  if (posi > pose) return 0
  const n = pose - posi + 1
  checkStackOrRaise51(L, n, 'string slice too long')
  for (let i = 0; i < n; i++) lua.lua_pushnumber(L, s[posi + i - 1])
  return n
}

/** Lua 5.1's SPECIALS: a pattern without any of them is searched for plainly by string.find. */
const PATTERN_SPECIALS = new Set(Array.from('^$*+?.([%-', (ch) => ch.charCodeAt(0)))

function hasSpecials(pattern: Uint8Array): boolean {
  for (const byte of pattern) {
    if (byte === 0) return false // strpbrk stops at the C string's end
    if (PATTERN_SPECIALS.has(byte)) return true
  }
  return false
}

/**
 * 5.1's push_captures reserves its captures with luaL_checkstack(L, n, "too many captures") above the caller's
 * arguments (and, for find, the two positions), so a match called with thousands of arguments fails there. fengari
 * checks against its own, far larger stack; the check is redone here on the results, which is equivalent: find, match
 * and a gmatch step do nothing after pushing them. A plain find and a failed match push no captures and check nothing.
 */
function limitCaptures(L: LuaState, S: number): void {
  const tooMany = (L1: LuaState, base: number, n: number): void => {
    const failed = n === 1 && lua.lua_type(L1, -1) === lua.LUA_TNIL
    if (!failed && base + n > LUA51_MAX_C_STACK) lauxlib.luaL_error(L1, 'stack overflow (%s)', 'too many captures')
  }
  const find = getFunction(L, S, 'find')
  setFunction(L, S, 'find', (L1) => {
    const base = lua.lua_gettop(L1)
    const n = find(L1)
    const pattern = lua.lua_tolstring(L1, 2)
    const plain = lua.lua_toboolean(L1, 4) || (pattern !== null && !hasSpecials(pattern))
    if (!plain) tooMany(L1, base, n)
    return n
  })
  const match = getFunction(L, S, 'match')
  setFunction(L, S, 'match', (L1) => {
    const base = lua.lua_gettop(L1)
    const n = match(L1)
    tooMany(L1, base, n)
    return n
  })
  const gmatch = getFunction(L, S, 'gmatch')
  const step: LuaJSFunction = (L1) => {
    const base = lua.lua_gettop(L1)
    lua.lua_pushvalue(L1, lua.lua_upvalueindex(1))
    lua.lua_call(L1, 0, lua.LUA_MULTRET)
    const n = lua.lua_gettop(L1) - base
    if (n > 0) tooMany(L1, base, n)
    floatResults(L1, n)
    return n
  }
  const wrapped: LuaJSFunction = (L1) => {
    gmatch(L1)
    lua.lua_pushcclosure(L1, step, 1)
    return 1
  }
  setFunction(L, S, 'gmatch', wrapped)
  lua.lua_getfield(L, S, 'gmatch')
  lua.lua_setfield(L, S, 'gfind')
}

/** string.rep(s, n): 5.1 ignores a third argument; the length is checked before anything is allocated. */
function luaStringRep(L: LuaState): number {
  const s = lauxlib.luaL_checklstring(L, 1)
  const n = checkInt(L, 2)
  if (n <= 0 || s.length === 0) {
    lua.lua_pushliteral(L, '')
    return 1
  }
  const total = s.length * n
  if (total > scriptLimits.maxStringLength) return lauxlib.luaL_error(L, 'string length overflow')
  const out = new Uint8Array(total)
  if (s.length === 1) out.fill(s[0])
  else for (let i = 0; i < n; i++) out.set(s, i * s.length)
  lua.lua_pushstring(L, out)
  return 1
}

// ---------------------------------------------------------------------------------------------------------------
// table

function openTable(L: LuaState): void {
  lua.lua_getglobal(L, 'table')
  const T = lua.lua_gettop(L)
  remove(L, T, ['move', 'pack', 'unpack'])
  setFunction(L, T, 'concat', tableConcat)
  setFunction(L, T, 'insert', tableInsert)
  setFunction(L, T, 'remove', tableRemove)
  setFunction(L, T, 'getn', tableGetn)
  setFunction(L, T, 'setn', (L1) => lauxlib.luaL_error(L1, "'setn' is obsolete"))
  setFunction(L, T, 'maxn', tableMaxn)
  setFunction(L, T, 'foreach', tableForeach)
  setFunction(L, T, 'foreachi', tableForeachi)
  setFunction(L, T, 'sort', tableSort)
  lua.lua_pop(L, 1)
}

function checkedLength(L: LuaState): number {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE)
  return lua.lua_rawlen(L, 1)
}

function tableGetn(L: LuaState): number {
  lua.lua_pushnumber(L, checkedLength(L))
  return 1
}

function tableConcat(L: LuaState): number {
  const sep = lauxlib.luaL_optlstring(L, 2, new Uint8Array(0)) ?? new Uint8Array(0)
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE)
  const first = optInt(L, 3, 1)
  const last = lua.lua_isnoneornil(L, 4) ? lua.lua_rawlen(L, 1) : checkInt(L, 4)
  const parts: Uint8Array[] = []
  let total = 0
  for (let i = first; i <= last; i++) {
    lua.lua_rawgeti(L, 1, i)
    if (!lua.lua_isstring(L, -1)) {
      return lauxlib.luaL_error(L, "invalid value (at index %d) in table for 'concat'", i)
    }
    const s = lua.lua_tolstring(L, -1)!
    lua.lua_pop(L, 1)
    parts.push(s)
    total += s.length + (i < last ? sep.length : 0)
    if (total > scriptLimits.maxStringLength) return lauxlib.luaL_error(L, 'string length overflow')
  }
  const out = new Uint8Array(total)
  let at = 0
  for (let k = 0; k < parts.length; k++) {
    out.set(parts[k], at)
    at += parts[k].length
    if (k < parts.length - 1 && sep.length > 0) {
      out.set(sep, at)
      at += sep.length
    }
  }
  lua.lua_pushstring(L, out)
  return 1
}

function tableInsert(L: LuaState): number {
  let e = checkedLength(L) + 1
  let pos: number
  switch (lua.lua_gettop(L)) {
    case 2:
      pos = e
      break
    case 3:
      pos = checkInt(L, 2)
      if (pos > e) e = pos
      for (let i = e; i > pos; i--) {
        lua.lua_rawgeti(L, 1, i - 1)
        lua.lua_rawseti(L, 1, i)
      }
      break
    default:
      return lauxlib.luaL_error(L, "wrong number of arguments to 'insert'")
  }
  lua.lua_rawseti(L, 1, pos)
  return 0
}

function tableRemove(L: LuaState): number {
  const e = checkedLength(L)
  let pos = optInt(L, 2, e)
  if (!(pos >= 1 && pos <= e)) return 0
  lua.lua_rawgeti(L, 1, pos)
  for (; pos < e; pos++) {
    lua.lua_rawgeti(L, 1, pos + 1)
    lua.lua_rawseti(L, 1, pos)
  }
  lua.lua_pushnil(L)
  lua.lua_rawseti(L, 1, e)
  floatResults(L, 1)
  return 1
}

function tableMaxn(L: LuaState): number {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE)
  let max = 0
  lua.lua_pushnil(L)
  while (lua.lua_next(L, 1)) {
    lua.lua_pop(L, 1)
    if (lua.lua_type(L, -1) === lua.LUA_TNUMBER) {
      const v = lua.lua_tonumber(L, -1)
      if (v > max) max = v
    }
  }
  lua.lua_pushnumber(L, max)
  return 1
}

/*
 * table.foreach and table.foreachi call f with continuations (the loop's state is on the stack, or its index in the
 * context), so a script busy inside f can still be paused by the host, as inside any Lua code.
 */

function tableForeach(L: LuaState): number {
  lauxlib.luaL_checktype(L, 1, lua.LUA_TTABLE)
  lauxlib.luaL_checktype(L, 2, lua.LUA_TFUNCTION)
  lua.lua_pushnil(L)
  return foreachFrom(L)
}

/** Calls f on each entry after the key on top of the stack; stops at the first non-nil result. */
function foreachFrom(L: LuaState): number {
  while (lua.lua_next(L, 1)) {
    lua.lua_pushvalue(L, 2)
    lua.lua_pushvalue(L, -3)
    if (lua.lua_isinteger(L, -1)) {
      lua.lua_pushnumber(L, lua.lua_tointeger(L, -1))
      lua.lua_replace(L, -2)
    }
    lua.lua_pushvalue(L, -3)
    lua.lua_callk(L, 2, 1, 0, foreachResumed)
    if (!lua.lua_isnoneornil(L, -1)) return 1
    lua.lua_pop(L, 2)
  }
  return 0
}

const foreachResumed: LuaKFunction = (L) => {
  if (!lua.lua_isnoneornil(L, -1)) return 1
  lua.lua_pop(L, 2)
  return foreachFrom(L)
}

function tableForeachi(L: LuaState): number {
  const n = checkedLength(L)
  lauxlib.luaL_checktype(L, 2, lua.LUA_TFUNCTION)
  const resumed: LuaKFunction = (L1, _status, i) => {
    if (!lua.lua_isnoneornil(L1, -1)) return 1
    lua.lua_pop(L1, 1)
    return foreachiFrom(L1, i + 1, n, resumed)
  }
  return foreachiFrom(L, 1, n, resumed)
}

function foreachiFrom(L: LuaState, first: number, n: number, resumed: LuaKFunction): number {
  for (let i = first; i <= n; i++) {
    lua.lua_pushvalue(L, 2)
    lua.lua_pushnumber(L, i)
    lua.lua_rawgeti(L, 1, i)
    lua.lua_callk(L, 2, 1, i, resumed)
    if (!lua.lua_isnoneornil(L, -1)) return 1
    lua.lua_pop(L, 1)
  }
  return 0
}

// ---------------------------------------------------------------------------------------------------------------
// math

function openMath(L: LuaState, generatorNow: () => Lrand48): void {
  lua.lua_getglobal(L, 'math')
  const M = lua.lua_gettop(L)
  remove(L, M, ['tointeger', 'type', 'ult', 'maxinteger', 'mininteger', 'log'])
  wrapAll(L, M, {}, ['random', 'randomseed'])
  const unary = (f: (x: number) => number): LuaJSFunction => {
    return (L1) => {
      lua.lua_pushnumber(L1, f(lauxlib.luaL_checknumber(L1, 1)))
      return 1
    }
  }
  setFunction(L, M, 'log', unary(Math.log))
  setFunction(L, M, 'log10', unary(Math.log10))
  setFunction(L, M, 'cosh', unary(Math.cosh))
  setFunction(L, M, 'sinh', unary(Math.sinh))
  setFunction(L, M, 'tanh', unary(Math.tanh))
  setFunction(L, M, 'atan2', (L1) => {
    lua.lua_pushnumber(L1, Math.atan2(lauxlib.luaL_checknumber(L1, 1), lauxlib.luaL_checknumber(L1, 2)))
    return 1
  })
  setFunction(L, M, 'pow', (L1) => {
    lua.lua_pushnumber(L1, lauxlib.luaL_checknumber(L1, 1) ** lauxlib.luaL_checknumber(L1, 2))
    return 1
  })
  setFunction(L, M, 'ldexp', (L1) => {
    lua.lua_pushnumber(L1, lauxlib.luaL_checknumber(L1, 1) * 2 ** checkInt(L1, 2))
    return 1
  })
  setFunction(L, M, 'frexp', (L1) => {
    const [m, e] = frexp(lauxlib.luaL_checknumber(L1, 1))
    lua.lua_pushnumber(L1, m)
    lua.lua_pushnumber(L1, e)
    return 2
  })
  lua.lua_getfield(L, M, 'fmod')
  lua.lua_setfield(L, M, 'mod')
  setFunction(L, M, 'random', (L1) => mathRandom(L1, generatorNow()))
  setFunction(L, M, 'randomseed', (L1) => {
    generatorNow().seed(checkInt(L1, 1))
    return 0
  })
  lua.lua_pop(L, 1)
}

/** C's frexp: x = m * 2^e with 0.5 <= |m| < 1. */
function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0]
  let e = Math.max(-1073, Math.floor(Math.log2(Math.abs(x))) + 1)
  let m = x * 2 ** -e
  while (Math.abs(m) < 0.5) {
    m *= 2
    e--
  }
  while (Math.abs(m) >= 1) {
    m /= 2
    e++
  }
  return [m, e]
}

/** Redis's math.random (its Lua 5.1 patch): a double from redisLrand48, scaled as 5.1's math_random scales rand(). */
function mathRandom(L: LuaState, generator: Lrand48): number {
  const r = (generator.next() % INT_MAX) / INT_MAX
  switch (lua.lua_gettop(L)) {
    case 0:
      lua.lua_pushnumber(L, r)
      return 1
    case 1: {
      const u = checkInt(L, 1)
      if (u < 1) lauxlib.luaL_argerror(L, 1, 'interval is empty')
      lua.lua_pushnumber(L, Math.floor(r * u) + 1)
      return 1
    }
    case 2: {
      const l = checkInt(L, 1)
      const u = checkInt(L, 2)
      if (l > u) lauxlib.luaL_argerror(L, 2, 'interval is empty')
      lua.lua_pushnumber(L, Math.floor(r * (u - l + 1)) + l)
      return 1
    }
    default:
      return lauxlib.luaL_error(L, 'wrong number of arguments')
  }
}
