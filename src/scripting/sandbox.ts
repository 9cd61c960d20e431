/**
 * Builds the Lua state scripts run in, as Redis 7.0 does: only the libraries Redis loads, the `redis` table, globals
 * and every table reachable from them read-only ("Attempt to modify a readonly table"), reading an undefined global an
 * error ("Script attempted to access nonexistent global variable 'x'"), no way to load bytecode, and no access to the
 * host (no os, io, debug, package, require, print, dofile, loadfile). JavaScript errors raised inside the VM (a limit,
 * an allocation failure, a bug in redsim) become Lua errors instead of escaping.
 */
import { lauxlib, type LuaJSFunction, type LuaState, lua } from 'fengari'
import { openBitLib } from './libs/bit.ts'
import { openCjsonLib } from './libs/cjson.ts'
import { openCmsgpackLib } from './libs/cmsgpack.ts'
import { openStructLib } from './libs/struct.ts'
import { installFengariPatches, LuaLimitError, readonlyTables } from './lua51/fengari-patches.ts'
import type { Lrand48 } from './lua51/lrand48.ts'
import { openLua51Libraries } from './lua51/lua51-library.ts'

export interface SandboxOptions {
  /** math.random's generator for the script running now (see Lua51Options). */
  generator(): Lrand48
  /** True for the coroutine a script runs in (see Lua51Options). */
  isScriptThread(L: LuaState): boolean
  /** True when the thread that just yielded did so for the host (see CoroutineOptions). */
  yieldingToHost(): boolean
  /** Opens the `redis` table (it needs the host). */
  openRedis(L: LuaState): void
  /** A JavaScript exception that is not a known limit surfaced inside the VM: a redsim bug worth logging. */
  onInternalError(err: unknown): void
}

export function createSandbox(options: SandboxOptions): LuaState {
  installFengariPatches()
  const L = lauxlib.luaL_newstate()
  lua.lua_atnativeerror(L, nativeErrorHandler(options.onInternalError))
  openLua51Libraries(L, {
    generator: options.generator,
    isScriptThread: options.isScriptThread,
    yieldingToHost: options.yieldingToHost,
  })
  openBitLib(L)
  openStructLib(L)
  openCjsonLib(L)
  openCmsgpackLib(L)
  options.openRedis(L)
  protectGlobals(L)
  forgetLoadedLibraries(L)
  return L
}

/**
 * fengari (5.3) names a function in "bad argument" errors by searching the loaded libraries for it when the call site
 * gives no name (a library function called through pcall: "bad argument #1 to 'string.byte'"); Lua 5.1 says '?'. The
 * registry's list of loaded libraries is only needed while they are opened (scripts have no `require`), so dropping
 * it afterwards gives 5.1's message.
 */
function forgetLoadedLibraries(L: LuaState): void {
  lua.lua_pushnil(L)
  lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, '_LOADED')
}

/** Turns a JavaScript exception thrown inside fengari into a Lua error value. */
function nativeErrorHandler(onInternalError: (err: unknown) => void): LuaJSFunction {
  return (L) => {
    const err = lua.lua_touserdata(L, -1)
    let message: string
    if (err instanceof LuaLimitError) message = err.message
    else if (err instanceof RangeError && /call stack/i.test(err.message)) message = 'stack overflow'
    else if (err instanceof RangeError) message = 'not enough memory'
    else {
      onInternalError(err)
      message = `internal error: ${err instanceof Error ? err.message : String(err)}`
    }
    lua.lua_pushstring(L, message)
    return 1
  }
}

/** Redis's luaProtectedTableError, the __index of the globals table. */
export function nonexistentGlobal(L: LuaState): number {
  if (lua.lua_gettop(L) !== 2) lauxlib.luaL_error(L, 'Wrong number of arguments to luaProtectedTableError')
  if (!lua.lua_isstring(L, -1) && !lua.lua_isnumber(L, -1)) {
    lauxlib.luaL_error(L, 'Second argument to luaProtectedTableError must be a string or number')
  }
  return lauxlib.luaL_error(L, "Script attempted to access nonexistent global variable '%s'", lua.lua_tostring(L, -1))
}

function protectGlobals(L: LuaState): void {
  lua.lua_pushglobaltable(L)
  lua.lua_createtable(L, 0, 1)
  lua.lua_pushcfunction(L, nonexistentGlobal)
  lua.lua_setfield(L, -2, '__index')
  lua.lua_setmetatable(L, -2)
  markReadonly(L, lua.lua_gettop(L))
  lua.lua_pop(L, 1)
  // The metatable all strings share ({__index = string}) is reachable through getmetatable('').
  lua.lua_pushliteral(L, '')
  if (lua.lua_getmetatable(L, -1)) {
    markReadonly(L, lua.lua_gettop(L))
    lua.lua_pop(L, 1)
  }
  lua.lua_pop(L, 1)
}

/** Marks the table at `idx`, every table reachable from it and their metatables read-only. */
export function markReadonly(L: LuaState, idx: number): void {
  const table = lua.lua_topointer(L, idx)
  if (!table || readonlyTables.has(table)) return
  readonlyTables.add(table)
  lua.lua_pushnil(L)
  while (lua.lua_next(L, idx)) {
    if (lua.lua_istable(L, -1)) markReadonly(L, lua.lua_gettop(L))
    lua.lua_pop(L, 1)
  }
  if (lua.lua_getmetatable(L, idx)) {
    markReadonly(L, lua.lua_gettop(L))
    lua.lua_pop(L, 1)
  }
}

/** Sets a global of the read-only globals table (KEYS and ARGV, before each script). */
export function setProtectedGlobal(L: LuaState, name: string): void {
  lua.lua_pushglobaltable(L)
  const globals = lua.lua_topointer(L, -1)!
  lua.lua_pop(L, 1)
  readonlyTables.delete(globals)
  try {
    lua.lua_setglobal(L, name)
  } finally {
    readonlyTables.add(globals)
  }
}
