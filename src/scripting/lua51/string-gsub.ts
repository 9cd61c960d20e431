/**
 * string.gsub as Lua 5.1 has it (lstrlib.c's str_gsub, add_s and add_value), with the replacement function called
 * through a yieldable call.
 *
 * 5.1 differs from fengari's 5.3 gsub in ways scripts see: after an empty match 5.1 also copies the next character and
 * tries again there (`gsub('abc', 'b*', '-')` is "-a--c-" and 4, 5.3 says "-a-c-" and 3); a lone '%' at the end of
 * the replacement adds a NUL byte (5.3 raises "invalid use of '%' in replacement string"); a bad capture index says
 * "invalid capture index" without the index; the pattern ends at its first NUL byte, as C reads it.
 *
 * Matching itself is fengari's: each step is string.find anchored at the current position ('^' .. pattern), whose
 * results are the match's end and its captures, exactly what 5.1's match() gives gsub. A replacement function runs
 * with a continuation, so a script busy inside it can still be paused by the host (busy detection, SCRIPT KILL), as
 * in Redis.
 */
import { lauxlib, type LuaJSFunction, type LuaKFunction, type LuaState, lua } from 'fengari'
import { checkBytes, checkInteger, checkStackOrRaise51, int64ToInt32 } from '../libs/lua51-args.ts'
import { scriptLimits } from './fengari-patches.ts'

const PERCENT = 37
const CARET = 94

interface Match {
  /** Index just past the match (0-based). */
  readonly end: number
  /** The captures (strings, or positions as numbers); empty when the pattern has none. */
  readonly captures: Array<Uint8Array | number>
}

interface GsubState {
  readonly src: Uint8Array
  readonly pattern: Uint8Array
  readonly anchor: boolean
  readonly maxReplacements: number
  readonly kind: number
  readonly pieces: Uint8Array[]
  length: number
  /** Current position in the subject (0-based). */
  at: number
  replacements: number
  /** The match whose replacement is being computed (its function may be running). */
  current: Match | null
}

/** What 5.1's push_onecapture pushes for capture `i`: a capture, or the whole match when there are none. */
function capture(L: LuaState, st: GsubState, m: Match, i: number): Uint8Array | number {
  if (i >= m.captures.length) {
    if (i === 0) return st.src.subarray(st.at, m.end)
    return lauxlib.luaL_error(L, 'invalid capture index')
  }
  return m.captures[i]
}

function pushValue(L: LuaState, v: Uint8Array | number): void {
  if (typeof v === 'number') lua.lua_pushnumber(L, v)
  else lua.lua_pushstring(L, v)
}

function add(L: LuaState, st: GsubState, piece: Uint8Array): void {
  st.length += piece.length
  if (st.length > scriptLimits.maxStringLength) lauxlib.luaL_error(L, 'string length overflow')
  st.pieces.push(piece)
}

/** The value on top of the stack as a string piece (numbers in Lua's number format), popped. */
function takeString(L: LuaState): Uint8Array {
  const s = lua.lua_tolstring(L, -1) as Uint8Array
  lua.lua_pop(L, 1)
  return Uint8Array.from(s)
}

/** 5.1's add_s: the replacement string, with %0 .. %9 and %x escapes. */
function addString(L: LuaState, st: GsubState, m: Match): void {
  const news = lua.lua_tolstring(L, 3) as Uint8Array
  const out: number[] = []
  const flush = (): void => {
    if (out.length > 0) add(L, st, Uint8Array.from(out.splice(0)))
  }
  for (let i = 0; i < news.length; i++) {
    if (news[i] !== PERCENT) {
      out.push(news[i])
      continue
    }
    i++
    // Past the end, C reads the string's terminating NUL.
    const c = i < news.length ? news[i] : 0
    if (c < 48 || c > 57) {
      out.push(c)
    } else if (c === 48) {
      flush()
      add(L, st, st.src.subarray(st.at, m.end))
    } else {
      flush()
      pushValue(L, capture(L, st, m, c - 49))
      add(L, st, takeString(L))
    }
  }
  flush()
}

/** The end of 5.1's add_value, with the replacement value on top of the stack. */
function addReplacement(L: LuaState, st: GsubState, m: Match): void {
  if (!lua.lua_toboolean(L, -1)) {
    lua.lua_pop(L, 1)
    add(L, st, st.src.subarray(st.at, m.end))
  } else if (!lua.lua_isstring(L, -1)) {
    const type = Buffer.from(lua.lua_typename(L, lua.lua_type(L, -1))).toString('latin1')
    lauxlib.luaL_error(L, 'invalid replacement value (a %s)', type)
  } else {
    add(L, st, takeString(L))
  }
}

/** The anchored match at st.at, found with fengari's string.find; null when there is none. */
function matchAt(L: LuaState, st: GsubState, find: LuaJSFunction): Match | null {
  const base = lua.lua_gettop(L)
  lua.lua_pushcfunction(L, find)
  lua.lua_pushstring(L, st.src)
  lua.lua_pushstring(L, st.pattern)
  lua.lua_pushnumber(L, st.at + 1)
  if (lua.lua_pcallk(L, 3, lua.LUA_MULTRET, 0, 0, null) !== lua.LUA_OK) {
    // A malformed pattern: find, called from here, had no script position to give its message; gsub raises it
    // with the position, as 5.1's gsub does.
    const message = Uint8Array.from(lua.lua_tolstring(L, -1) ?? new Uint8Array(0))
    lua.lua_settop(L, base)
    lauxlib.luaL_error(L, '%s', message)
  }
  const n = lua.lua_gettop(L) - base
  let m: Match | null = null
  if (n >= 2) {
    const captures: Array<Uint8Array | number> = []
    for (let i = base + 3; i <= base + n; i++) {
      captures.push(
        lua.lua_type(L, i) === lua.LUA_TNUMBER
          ? lua.lua_tonumber(L, i)
          : Uint8Array.from(lua.lua_tolstring(L, i) as Uint8Array),
      )
    }
    m = { end: lua.lua_tonumber(L, base + 2), captures }
  }
  lua.lua_settop(L, base)
  return m
}

/** After the replacement of the current match: 5.1 moves past a non-empty match, or copies one character. */
function advance(L: LuaState, st: GsubState, m: Match | null): boolean {
  if (m && m.end > st.at) {
    st.at = m.end
  } else if (st.at < st.src.length) {
    add(L, st, st.src.subarray(st.at, st.at + 1))
    st.at++
  } else {
    return false
  }
  return !st.anchor
}

function finish(L: LuaState, st: GsubState): number {
  add(L, st, st.src.subarray(st.at))
  const out = new Uint8Array(st.length)
  let at = 0
  for (const piece of st.pieces) {
    out.set(piece, at)
    at += piece.length
  }
  lua.lua_pushstring(L, out)
  lua.lua_pushnumber(L, st.replacements)
  return 2
}

/** Runs the substitution loop until it ends or a replacement function yields (`resumed` then carries on). */
function run(L: LuaState, st: GsubState, find: LuaJSFunction, resumed: LuaKFunction): number {
  while (st.replacements < st.maxReplacements) {
    const m = matchAt(L, st, find)
    if (m) {
      st.replacements++
      if (st.kind === lua.LUA_TFUNCTION) {
        st.current = m
        lua.lua_pushvalue(L, 3)
        const args = m.captures.length === 0 ? [st.src.subarray(st.at, m.end)] : m.captures
        checkStackOrRaise51(L, args.length, 'too many captures')
        for (const v of args) pushValue(L, v)
        lua.lua_callk(L, args.length, 1, 0, resumed)
        addReplacement(L, st, m)
      } else if (st.kind === lua.LUA_TTABLE) {
        pushValue(L, capture(L, st, m, 0))
        lua.lua_gettable(L, 3)
        addReplacement(L, st, m)
      } else {
        addString(L, st, m)
      }
    }
    if (!advance(L, st, m)) break
  }
  return finish(L, st)
}

/** string.gsub(s, pattern, repl [, n]); `find` is fengari's string.find. */
export function stringGsub(find: LuaJSFunction): LuaJSFunction {
  return (L) => {
    const src = Uint8Array.from(checkBytes(L, 1))
    // 5.1 matches the pattern as a C string: it ends at its first NUL.
    const text = checkBytes(L, 2)
    const nul = text.indexOf(0)
    let pattern = Uint8Array.from(nul === -1 ? text : text.subarray(0, nul))
    const kind = lua.lua_type(L, 3)
    const maxReplacements = lua.lua_isnoneornil(L, 4) ? src.length + 1 : int64ToInt32(checkInteger(L, 4))
    const anchor = pattern.length > 0 && pattern[0] === CARET
    if (kind !== lua.LUA_TNUMBER && kind !== lua.LUA_TSTRING && kind !== lua.LUA_TFUNCTION && kind !== lua.LUA_TTABLE) {
      lauxlib.luaL_argerror(L, 3, 'string/function/table expected')
    }
    if (!anchor) pattern = Uint8Array.from([CARET, ...pattern])
    const st: GsubState = {
      src,
      pattern,
      anchor,
      maxReplacements,
      kind,
      pieces: [],
      length: 0,
      at: 0,
      replacements: 0,
      current: null,
    }
    const resumed: LuaKFunction = (L1) => {
      const m = st.current as Match
      addReplacement(L1, st, m)
      if (!advance(L1, st, m)) return finish(L1, st)
      return run(L1, st, find, resumed)
    }
    return run(L, st, find, resumed)
  }
}
