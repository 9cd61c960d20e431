/**
 * Pushing strings into fengari without its per-push costs, for the hot path of every script run.
 *
 * fengari's lua_pushstring copies the bytes (luastring_from) and makes a new string object each time; using that
 * string as a table key then computes its hash from scratch (a hex rendering of every byte). Two shortcuts:
 * - names used as table keys on every run (KEYS, ARGV, ok) are made once, so their hash is computed once;
 * - bytes that nothing will ever modify (a command's arguments: the client's argv buffers are owned by the command
 *   and stored as-is by SET and friends) are wrapped without copying. Bytes that may change later (a value read from
 *   the keyspace, which some commands grow in place) still go through lua_pushstring's copy.
 * Both go through `pushsvalue2s`, so the string-length limit of fengari-patches.ts still applies.
 */
import { type LuaState, lua, to_luastring } from 'fengari'
import lobject, { type TStringLike } from 'fengari/src/lobject.js'
import lstring from 'fengari/src/lstring.js'
import { readonlyTables } from './lua51/fengari-patches.ts'

/** A Lua string made once and pushed many times (its table-key hash is cached on it by fengari). */
export type LuaName = TStringLike

export function luaName(text: string): LuaName {
  return lstring.luaS_bless(null as unknown as LuaState, to_luastring(text))
}

export function pushName(L: LuaState, name: LuaName): void {
  lobject.pushsvalue2s(L, name)
}

/** Pushes `bytes` as a Lua string that shares them: only for bytes nobody modifies afterwards. */
export function pushSharedBytes(L: LuaState, bytes: Uint8Array): void {
  const view = bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)
  lobject.pushsvalue2s(L, lstring.luaS_bless(L, view))
}

/** `t[name] = <value on top>` for the table at `tableIdx`, popping the value (like lua_setfield, with a made name). */
export function setNamedField(L: LuaState, tableIdx: number, name: LuaName): void {
  const t = lua.lua_absindex(L, tableIdx)
  pushName(L, name)
  lua.lua_insert(L, -2)
  lua.lua_rawset(L, t)
}

const KEYS = luaName('KEYS')
const ARGV = luaName('ARGV')

/**
 * Sets KEYS and ARGV in the read-only globals table: pushes the globals, then the two tables built by `pushKeys` and
 * `pushArgs`, with the read-only mark lifted only for these two writes.
 */
export function setScriptGlobals(L: LuaState, pushKeys: () => void, pushArgs: () => void): void {
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS)
  const globals = lua.lua_topointer(L, -1)!
  const g = lua.lua_gettop(L)
  pushKeys()
  pushArgs()
  readonlyTables.delete(globals)
  try {
    setNamedField(L, g, ARGV)
    setNamedField(L, g, KEYS)
  } finally {
    readonlyTables.add(globals)
  }
  lua.lua_settop(L, g - 1)
}
