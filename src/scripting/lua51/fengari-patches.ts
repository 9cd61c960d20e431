/**
 * Process-wide adjustments to fengari (Lua 5.3 in JavaScript) so that scripts see the Lua 5.1 that Redis embeds, plus
 * Redis's read-only tables and redsim's resource limits. fengari's modules call these functions through their module
 * objects (`lobject.luaO_str2num(...)`), so replacing the exported functions changes the VM's behaviour everywhere.
 * fengari is used by nothing else in the process; `installFengariPatches` is idempotent.
 *
 * - Numbers: Lua 5.1 has only doubles. fengari 5.3 makes integers out of integral numerals and does 32-bit wrapping
 *   integer arithmetic on them (a loop summing 1..100000 would wrap). Every numeral and string conversion now yields
 *   a float, so arithmetic is double arithmetic; library results are converted in lua51-library.ts.
 * - Number to string: "%.14g" without 5.3's ".0" suffix (`tostring(3.0)` is "3"), inf/-inf/nan/-nan as glibc prints.
 * - Syntax error messages quote every token as 5.1 does ("'<name>' expected near '<eof>'"); 5.3 leaves the
 *   names of token classes bare.
 * - Runtime error messages: 5.1's "attempt to index local 't' (a nil value)" instead of 5.3's
 *   "attempt to index a nil value (local 't')"; pattern errors as 5.1 words them ("invalid capture index").
 * - Read-only tables (Redis 7.0 patches its Lua the same way): any write to a table in `readonlyTables` raises
 *   "Attempt to modify a readonly table", with the script's position when the write comes from Lua code.
 * - Call depth: Lua 5.1's limit of 20000 nested calls ("stack overflow", at the depth redis-server fails), instead of fengari's stack of a million slots that
 *   takes seconds to fill; and recursion through metamethods reports "C stack overflow" as 5.1 does.
 * - Limits: while a script runs, strings longer than proto-max-bulk-len and tables with more than
 *   `scriptLimits.maxTableEntries` entries raise an error instead of growing until the process runs out of memory.
 */
import { to_luastring, type LuaState } from 'fengari'
import ldebug from 'fengari/src/ldebug.js'
import llex from 'fengari/src/llex.js'
import lobject, { type TValueLike, type TStringLike } from 'fengari/src/lobject.js'
import lstate from 'fengari/src/lstate.js'
import lstring from 'fengari/src/lstring.js'
import ltable, { type TableLike } from 'fengari/src/ltable.js'
import { luaNumberToString } from './c-number-format.ts'
import { luaStringToNumber } from './string-to-number.ts'

/** Tables scripts may read but never write (_G, the libraries, their metatables). */
export const readonlyTables = new WeakSet<object>()

/** Limits of the script running right now; the host sets them around each resume and lifts them afterwards. */
export const scriptLimits = {
  /** proto-max-bulk-len while a script runs; unlimited while the host itself builds values. */
  maxStringLength: Number.POSITIVE_INFINITY,
  /** Entries of one table. 2^23 entries of fengari's tables are about a gigabyte of heap. */
  maxTableEntries: 8_388_608,
}

/**
 * An error raised from inside fengari where no Lua state is at hand; the host's native-error handler turns it into a
 * Lua error carrying `message`.
 */
export class LuaLimitError extends Error {}

export const READONLY_MESSAGE = 'Attempt to modify a readonly table'
const READONLY = to_luastring(READONLY_MESSAGE)
const TABLE_OVERFLOW = to_luastring('table overflow')
const STRING_OVERFLOW = to_luastring('string length overflow')
/** fengari caches luastrings made with `cache = true`: the same object is the one ldebug.luaG_typeerror passes. */
const TYPEERROR_53 = to_luastring('attempt to %s a %s value%s', true)
const TYPEERROR_51 = to_luastring("attempt to %s %s '%s' (a %s value)")

let installed = false

export function installFengariPatches(): void {
  if (installed) return
  installed = true
  patchNumbers()
  patchMessages()
  patchSyntaxMessages()
  patchCallDepth()
  patchTables()
  patchStrings()
}

function patchNumbers(): void {
  lobject.luaO_str2num = (s: Uint8Array, o: TValueLike): number => {
    const n = luaStringToNumber(s)
    if (n === null) return 0
    o.setfltvalue(n)
    // Callers compare the result with the string's length + 1 to know the whole string was a number.
    const nul = s.indexOf(0)
    return (nul === -1 ? s.length : nul) + 1
  }
  lobject.luaO_tostring = (L: LuaState, obj: TValueLike): void => {
    const value = obj.value as number
    const text = obj.ttisinteger() ? String(value) : luaNumberToString(value)
    obj.setsvalue(lstring.luaS_bless(L, to_luastring(text)))
  }
}

function isLuaString(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array
}

/** Splits 5.3's varinfo " (local 't')" into kind and name. */
function parseVarInfo(info: unknown): [kind: string, name: Uint8Array] | null {
  if (!isLuaString(info) || info.length < 6) return null
  const text = Buffer.from(info.buffer, info.byteOffset, info.length).toString('latin1')
  const m = /^ \((\w+) '(.*)'\)$/s.exec(text)
  return m ? [m[1], Uint8Array.from(Buffer.from(m[2], 'latin1'))] : null
}

/** Pattern-matching errors (fengari's lstrlib) whose 5.3 text differs from 5.1's, and 5.1's text. */
const PATTERN_MESSAGES: ReadonlyArray<readonly [Uint8Array, Uint8Array]> = [
  [to_luastring('invalid capture index %%%d'), to_luastring('invalid capture index')],
  [to_luastring("malformed pattern (missing arguments to '%%b'"), to_luastring('unbalanced pattern')],
]

function patchMessages(): void {
  const original = lobject.luaO_pushvfstring
  lobject.luaO_pushvfstring = (L: LuaState, fmt: Uint8Array, argp: unknown[]): Uint8Array => {
    for (const [from, to] of PATTERN_MESSAGES) if (sameBytes(fmt, from)) return original(L, to, [])
    if (fmt === TYPEERROR_53) {
      const [op, type, info] = argp
      const parsed = parseVarInfo(info)
      if (parsed) return original(L, TYPEERROR_51, [op, parsed[0], parsed[1], type])
      return original(L, fmt, argp)
    }
    // Floats ('%f', from tostring's luaL_tolstring and from error messages) print as Lua 5.1 does.
    if (fmt.indexOf(102) !== -1) {
      let arg = 0
      let rewritten: Uint8Array | null = null
      const args = argp.slice()
      for (let i = 0; i < fmt.length - 1; i++) {
        if (fmt[i] !== 37) continue
        const directive = fmt[i + 1]
        i++
        if (directive === 37) continue
        if (directive === 102) {
          rewritten ??= fmt.slice()
          rewritten[i] = 115 // 's'
          args[arg] = to_luastring(luaNumberToString(args[arg] as number))
        }
        arg++
      }
      if (rewritten) return original(L, rewritten, args)
    }
    return original(L, fmt, argp)
  }
}

const QUOTE = 39

/** A token's text quoted once, as Lua 5.1's LUA_QS does for every token (5.3 quotes only fixed tokens). */
function quoted(text: Uint8Array): Uint8Array {
  if (text.length > 0 && text[0] === QUOTE) return text
  const out = new Uint8Array(text.length + 2)
  out[0] = QUOTE
  out.set(text, 1)
  out[text.length + 1] = QUOTE
  return out
}

/** The lexer's "<message> near <token>" format (llex.js builds it anew for every error). */
const NEAR_FORMAT = to_luastring('%s near %s')

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** The parser's message when a statement is neither a call nor an assignment (the same object every time). */
const SYNTAX_ERROR = to_luastring('syntax error', true)
const EQUALS_EXPECTED = to_luastring("'=' expected")
const EQUALS = 61
const COMMA = 44

function patchSyntaxMessages(): void {
  // An expression statement that is not a call ("retrun 1"): 5.3 says "syntax error", 5.1 goes on to parse an
  // assignment and says "'=' expected". (5.1 says "syntax error" too when the statement starts with a parenthesized
  // expression; that rare case keeps 5.3's "syntax error" only after a non-variable left-hand side at '=' or ','.)
  const syntaxerror = llex.luaX_syntaxerror
  llex.luaX_syntaxerror = (ls: { t: { token: number } }, msg: Uint8Array): never => {
    if (msg === SYNTAX_ERROR && ls.t.token !== EQUALS && ls.t.token !== COMMA) return syntaxerror(ls, EQUALS_EXPECTED)
    return syntaxerror(ls, msg)
  }
  const token2str = llex.luaX_token2str
  llex.luaX_token2str = (ls: unknown, token: number): Uint8Array => {
    return quoted(token2str(ls, token))
  }
  const pushfstring = lobject.luaO_pushfstring
  lobject.luaO_pushfstring = (L: LuaState, fmt: Uint8Array, ...argp: unknown[]): Uint8Array => {
    if (argp.length === 2 && isLuaString(argp[1]) && sameBytes(fmt, NEAR_FORMAT)) {
      return pushfstring(L, fmt, argp[0], quoted(argp[1]))
    }
    return pushfstring(L, fmt, ...argp)
  }
}

/**
 * Lua 5.1's LUAI_MAXCALLS. Counted from a coroutine's base call (depth 0), the first call to reach this depth fails,
 * so `return f(19998)` of a non-tail-recursive f (19999 nested calls) works and `f(19999)` fails. That is where
 * redis-server fails once its Lua has overflowed once (restore_stack_limit leaves the call array at LUAI_MAXCALLS);
 * before that its array doubles and fails past 16384 calls. A fixed bound is the deterministic choice.
 */
export const MAX_CALL_DEPTH = 20000
const STACK_OVERFLOW = to_luastring('stack overflow')
/** fengari's message (a cached string, the same object every time) when JavaScript calls nest too deeply. */
const JS_STACK_OVERFLOW = to_luastring('JS stack overflow', true)
const C_STACK_OVERFLOW = to_luastring('C stack overflow')

interface DepthCallInfo {
  depth?: number
}

function patchCallDepth(): void {
  // fengari makes a new CallInfo for every call (ldo.js calls lstate.luaE_extendCI through the module object), so
  // each one can carry its depth. The error is raised before the new call starts, from its caller, as 5.1 does; only
  // the first call past the limit fails, so error handlers still run.
  const extend = lstate.luaE_extendCI
  lstate.luaE_extendCI = (L: LuaState): object => {
    const depth = ((L as unknown as { ci: DepthCallInfo }).ci.depth ?? 0) + 1
    if (depth === MAX_CALL_DEPTH) ldebug.luaG_runerror(L, STACK_OVERFLOW)
    const ci = extend(L) as DepthCallInfo
    ci.depth = depth
    return ci
  }
  const runerror = ldebug.luaG_runerror
  ldebug.luaG_runerror = (L: LuaState, fmt: Uint8Array, ...args: unknown[]): never =>
    runerror(L, fmt === JS_STACK_OVERFLOW ? C_STACK_OVERFLOW : fmt, ...args)
}

function patchTables(): void {
  const setfrom = ltable.luaH_setfrom
  const setint = ltable.luaH_setint
  ltable.luaH_setfrom = (L: LuaState, t: TableLike, key: unknown, value: unknown): void => {
    if (readonlyTables.has(t)) ldebug.luaG_runerror(L, READONLY)
    setfrom(L, t, key, value)
    if (t.strong.size > scriptLimits.maxTableEntries) ldebug.luaG_runerror(L, TABLE_OVERFLOW)
  }
  ltable.luaH_setint = (t: TableLike, key: number, value: unknown): void => {
    if (readonlyTables.has(t)) throw new LuaLimitError(READONLY_MESSAGE)
    const existed = t.strong.has(key)
    setint(t, key, value)
    if (t.strong.size > scriptLimits.maxTableEntries) throw new LuaLimitError('table overflow')
    if (!existed) keepIntegerRunAscending(t, key)
  }
}

/**
 * `next` walks a fengari table in insertion order, and a table constructor (OP_SETLIST) stores its positional items
 * last to first, so `pairs({1, 2, 3})` would visit 3, 2, 1 where Lua 5.1 walks its array part 1, 2, 3. When a new
 * integer key k lands just below an existing k + 1, it is moved in front of k + 1, so constructors and other
 * descending fills iterate in ascending order, as Lua 5.1's array part does. (Only the order of `next` changes; lookups
 * go through the hash map.)
 */
function keepIntegerRunAscending(t: TableLike, key: number): void {
  const entry = t.strong.get(key)
  const after = t.strong.get(key + 1)
  if (!entry || !after || entry !== t.l || entry === after) return
  // Unlink the new entry from the end of the list...
  t.l = entry.p
  if (entry.p) entry.p.n = undefined
  // ...and link it in just before k + 1.
  entry.p = after.p
  entry.n = after
  if (after.p) after.p.n = entry
  else t.f = entry
  after.p = entry
}

function patchStrings(): void {
  const set = lobject.setsvalue2s
  const push = lobject.pushsvalue2s
  lobject.setsvalue2s = (L: LuaState, idx: number, ts: TStringLike): void => {
    if (ts.realstring.length > scriptLimits.maxStringLength) ldebug.luaG_runerror(L, STRING_OVERFLOW)
    set(L, idx, ts)
  }
  lobject.pushsvalue2s = (L: LuaState, ts: TStringLike): void => {
    if (ts.realstring.length > scriptLimits.maxStringLength) ldebug.luaG_runerror(L, STRING_OVERFLOW)
    push(L, ts)
  }
}
