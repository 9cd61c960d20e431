/**
 * string.gsub as Lua 5.1 has it (lstrlib.c's str_gsub, add_s and add_value), with the replacement function called
 * through a yieldable call.
 *
 * 5.1 differs from fengari's 5.3 gsub in ways scripts see: after an empty match 5.1 also copies the next character and
 * tries again there (`gsub('abc', 'b*', '-')` is "-a--c-" and 4, 5.3 says "-a-c-" and 3); a lone '%' at the end of
 * the replacement adds a NUL byte (5.3 raises "invalid use of '%' in replacement string"); a bad capture index says
 * "invalid capture index" without the index; the pattern ends at its first NUL byte, as C reads it.
 *
 * Matching itself is fengari's: string.find from the current position finds the first position where the pattern
 * matches, as 5.1's gsub finds it trying one position after another, with the match's end and captures. A replacement
 * function runs with a continuation, so a script busy inside it can still be paused by the host (busy detection,
 * SCRIPT KILL), as in Redis.
 */
import { lauxlib, type LuaJSFunction, type LuaKFunction, type LuaState, lua } from 'fengari'
import { checkBytes, checkInteger, checkStackOrRaise51, int64ToInt32 } from '../libs/lua51-args.ts'
import { scriptLimits } from './fengari-patches.ts'

const PERCENT = 37
const NUL = new Uint8Array(1)
const CARET = 94
const RIGHT_PAREN = 41

/** 5.3's SPECIALS, the characters that make string.find match a pattern rather than search for it. */
const SPECIALS = new Set(Array.from('^$*+?.([%-', (ch) => ch.charCodeAt(0)))

function hasSpecials(pattern: Uint8Array): boolean {
  return pattern.some((byte) => SPECIALS.has(byte))
}

interface Match {
  /** Index of the match's first byte (0-based). */
  readonly start: number
  /** Index just past the match (0-based). */
  readonly end: number
  /** The captures (strings, or positions as numbers); empty when the pattern has none. */
  readonly captures: Array<Uint8Array | number>
}

interface GsubState {
  readonly src: Uint8Array
  /** Stack index of the replacement (arguments 2 to 4 become find's arguments, see nextMatch). */
  readonly replacement: number
  /** The pattern is tried at each position in turn, anchored with a '^' (see stringGsub). */
  readonly stepwise: boolean
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
  return s
}

/** 5.1's add_s: the replacement string, with %0 .. %9 and %x escapes. */
function addString(L: LuaState, st: GsubState, m: Match): void {
  // Lua strings are immutable: pieces of the replacement and of the subject are kept as views until the end.
  const news = lua.lua_tolstring(L, st.replacement) as Uint8Array
  let literal = 0
  for (let i = news.indexOf(PERCENT); i !== -1 && i < news.length; i = news.indexOf(PERCENT, i + 1)) {
    if (i > literal) add(L, st, news.subarray(literal, i))
    i++
    if (i >= news.length) {
      // Past the end, C reads the string's terminating NUL.
      add(L, st, NUL)
    } else if (news[i] < 48 || news[i] > 57) {
      add(L, st, news.subarray(i, i + 1))
    } else if (news[i] === 48) {
      add(L, st, st.src.subarray(st.at, m.end))
    } else {
      const v = capture(L, st, m, news[i] - 49)
      if (typeof v === 'number') {
        lua.lua_pushnumber(L, v)
        add(L, st, takeString(L))
      } else {
        add(L, st, v)
      }
    }
    literal = i + 1
  }
  if (literal < news.length) add(L, st, literal === 0 ? news : news.subarray(literal))
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

/**
 * The first match at or after st.at, found with fengari's string.find (which tries each position in turn, as 5.1's
 * gsub does); null when there is none. find is called as part of gsub, on gsub's own frame: arguments 1 and 2 are the
 * subject and the pattern, 3 becomes the start position and 4 false (no plain search). So a malformed pattern's error
 * carries the script's position, as 5.1's gsub gives it.
 */
function nextMatch(L: LuaState, st: GsubState, find: LuaJSFunction): Match | null {
  for (;;) {
    lua.lua_pushnumber(L, st.at + 1)
    lua.lua_replace(L, 3)
    const base = lua.lua_gettop(L)
    const n = find(L)
    let m: Match | null = null
    if (n >= 2) {
      const captures: Array<Uint8Array | number> = []
      for (let i = base + 3; i <= base + n; i++) {
        captures.push(
          lua.lua_type(L, i) === lua.LUA_TNUMBER ? lua.lua_tonumber(L, i) : (lua.lua_tolstring(L, i) as Uint8Array),
        )
      }
      m = { start: lua.lua_tonumber(L, base + 1) - 1, end: lua.lua_tonumber(L, base + 2), captures }
    }
    lua.lua_settop(L, base)
    if (m || !st.stepwise || st.at >= st.src.length) return m
    add(L, st, st.src.subarray(st.at, st.at + 1))
    st.at++
  }
}

/** After the replacement of a match: 5.1 moves past a non-empty match, or copies one character. */
function advance(L: LuaState, st: GsubState, m: Match): boolean {
  if (m.end > st.at) {
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
    const m = nextMatch(L, st, find)
    if (!m) break
    // 5.1 copies each byte where nothing matches, one at a time; here all of them up to the match at once.
    if (m.start > st.at) {
      add(L, st, st.src.subarray(st.at, m.start))
      st.at = m.start
    }
    st.replacements++
    if (st.kind === lua.LUA_TFUNCTION) {
      st.current = m
      lua.lua_pushvalue(L, st.replacement)
      const args = m.captures.length === 0 ? [st.src.subarray(st.at, m.end)] : m.captures
      checkStackOrRaise51(L, args.length, 'too many captures')
      for (const v of args) pushValue(L, v)
      lua.lua_callk(L, args.length, 1, 0, resumed)
      addReplacement(L, st, m)
    } else if (st.kind === lua.LUA_TTABLE) {
      pushValue(L, capture(L, st, m, 0))
      lua.lua_gettable(L, st.replacement)
      addReplacement(L, st, m)
    } else {
      addString(L, st, m)
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
    const pattern = Uint8Array.from(nul === -1 ? text : text.subarray(0, nul))
    const kind = lua.lua_type(L, 3)
    const maxReplacements = lua.lua_isnoneornil(L, 4) ? src.length + 1 : int64ToInt32(checkInteger(L, 4))
    const anchor = pattern.length > 0 && pattern[0] === CARET
    if (kind !== lua.LUA_TNUMBER && kind !== lua.LUA_TSTRING && kind !== lua.LUA_TFUNCTION && kind !== lua.LUA_TTABLE) {
      lauxlib.luaL_argerror(L, 3, 'string/function/table expected')
    }
    // A pattern without the characters that make find match patterns (5.3's SPECIALS) is searched for plainly, which
    // is the same as matching it, except with a ')', which 5.1's matcher rejects ("invalid pattern capture") when it
    // reaches it. Such a pattern is matched anchored at each position instead.
    const stepwise = !anchor && !hasSpecials(pattern) && pattern.includes(RIGHT_PAREN)
    if (lua.lua_gettop(L) < 4) lua.lua_settop(L, 4)
    lua.lua_pushvalue(L, 3)
    const replacement = lua.lua_gettop(L)
    lua.lua_pushstring(L, stepwise ? Uint8Array.from([CARET, ...pattern]) : pattern)
    lua.lua_replace(L, 2)
    lua.lua_pushboolean(L, false)
    lua.lua_replace(L, 4)
    const st: GsubState = {
      src,
      replacement,
      stepwise,
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
