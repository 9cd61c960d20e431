/**
 * Argument handling for the C libraries Redis 7.0 links into its Lua 5.1 (cjson, bit, struct, cmsgpack), rebuilt
 * on fengari (Lua 5.3). Where 5.3's auxiliary library behaves differently from 5.1's, these helpers do what 5.1 does:
 * - luaL_checkinteger truncates a double (5.3 raises "number has no integer representation");
 * - type errors name light userdata "userdata" (5.3 says "light userdata");
 * - lua_checkstack fails beyond LUAI_MAXCSTACK (8000) slots, which the libraries' depth limits depend on.
 * It also has the C conversions of double to integer types as x86-64 performs them, since the libraries' results for
 * out-of-range values (NaN, 2^64, ...) come from those conversions.
 */
import { lauxlib, type LuaJSFunction, type LuaState, lua } from 'fengari'

/** LUAI_MAXCSTACK of Redis's Lua 5.1: a C function cannot hold more stack slots than this. */
export const LUA51_MAX_C_STACK = 8000

/**
 * Lua 5.1's lua_checkstack: room for `n` more values in the running C function's frame, refused when the frame would
 * then hold more than LUAI_MAXCSTACK slots. When granted, fengari's stack and frame are grown too, so pushing `n`
 * values cannot overrun the frame (fengari checks every push against it and fails with an internal error).
 */
export function checkStack51(L: LuaState, n: number): boolean {
  if (n > LUA51_MAX_C_STACK || lua.lua_gettop(L) + n > LUA51_MAX_C_STACK) return false
  return lua.lua_checkstack(L, n)
}

/** Lua 5.1's luaL_checkstack: "stack overflow (<message>)" when checkStack51 refuses. */
export function checkStackOrRaise51(L: LuaState, n: number, message: string): void {
  if (!checkStack51(L, n)) lauxlib.luaL_error(L, 'stack overflow (%s)', message)
}

/** Lua 5.1's luaL_typerror message: "number expected, got string". */
export function typeError(L: LuaState, arg: number, expected: string): never {
  const got = lua.lua_typename(L, lua.lua_type(L, arg))
  return lauxlib.luaL_argerror(L, arg, `${expected} expected, got ${Buffer.from(got).toString('latin1')}`)
}

/** luaL_checknumber: a number, or a string that converts to one. */
export function checkNumber(L: LuaState, arg: number): number {
  const n = lua.lua_tonumberx(L, arg, null)
  if (n === false) return typeError(L, arg, 'number')
  return n
}

/** luaL_checklstring: a string, or a number converted to its string form. */
export function checkBytes(L: LuaState, arg: number): Uint8Array {
  const t = lua.lua_type(L, arg)
  if (t !== lua.LUA_TSTRING && t !== lua.LUA_TNUMBER) return typeError(L, arg, 'string')
  return lua.lua_tolstring(L, arg) as Uint8Array
}

/** luaL_checkinteger of 5.1: the number converted to lua_Integer (a 64-bit long) as C casts it. */
export function checkInteger(L: LuaState, arg: number): number {
  return doubleToInt64(checkNumber(L, arg))
}

/** luaL_optinteger of 5.1. */
export function optInteger(L: LuaState, arg: number, def: number): number {
  return lua.lua_isnoneornil(L, arg) ? def : checkInteger(L, arg)
}

const TWO_63 = 2 ** 63

/**
 * C's (int64_t)d on x86-64 (cvttsd2si): truncation; NaN and out-of-range values give INT64_MIN. The result is a
 * double, so values beyond 2^53 are as exact as the input was.
 */
export function doubleToInt64(d: number): number {
  if (Number.isNaN(d) || d >= TWO_63 || d < -TWO_63) return -TWO_63
  return Math.trunc(d) || 0
}

/** C's (int)d on x86-64: truncation; NaN and out-of-range values give INT_MIN. */
export function doubleToInt32(d: number): number {
  if (Number.isNaN(d) || d >= 2147483648 || d < -2147483648) return -2147483648
  return Math.trunc(d) || 0
}

/** C's conversion of a lua_Integer (64-bit) to int: its low 32 bits. */
export function int64ToInt32(n: number): number {
  if (n >= -2147483648 && n <= 2147483647) return n
  return Number(BigInt.asIntN(32, BigInt(n)))
}

/** Creates a global library table holding `functions` (the table is made read-only later with all globals). */
export function registerLibrary(L: LuaState, name: string, functions: Record<string, LuaJSFunction>): void {
  lua.lua_createtable(L, 0, Object.keys(functions).length)
  for (const [key, f] of Object.entries(functions)) {
    lua.lua_pushcfunction(L, f)
    lua.lua_setfield(L, -2, key)
  }
  lua.lua_setglobal(L, name)
}
