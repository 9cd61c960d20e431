/**
 * Runs a function library's code so that it registers its functions (Redis 7.0's function_lua.c), in the process's
 * shared Lua state.
 *
 * The loading-time sandbox: the code sees only `redis.register_function`, `redis.log`, the `redis.LOG_*` levels and
 * the version constants; any other global is "nonexistent" and nothing can be written. Each library gets its own
 * globals table: empty, read-only, whose metatable's __index is that loading API while the code runs and, once it has
 * loaded, the scripts' globals (less KEYS and ARGV, which functions do not have: they get keys and args as
 * parameters). The registered callbacks keep that table as their environment, so they run with the full API.
 *
 * Loading is synchronous: it never yields to the host. A load running past 500 ms on the engine's clock stops with
 * "FUNCTION LOAD timeout", as in Redis; so that a simulated clock that does not move cannot hang it, a load is also
 * stopped after LOAD_INSTRUCTION_CAP instructions.
 */
import { lauxlib, type LuaJSFunction, type LuaState, lua } from 'fengari'
import lfunc from 'fengari/src/lfunc.js'
import lobject from 'fengari/src/lobject.js'
import { readonlyTables } from '../lua51/fengari-patches.ts'
import { luaBytes } from '../conversions.ts'
import type { LuaRuntime } from '../lua-runtime.ts'
import { raise, REDIS_VERSION, REDIS_VERSION_NUM } from '../redis-lib.ts'
import { markReadonly, nonexistentGlobal } from '../sandbox.ts'
import type { ScriptFlags } from '../shebang.ts'
import { type HeldLuaValue, holdTop, pushHeld } from './held-lua-value.ts'
import { isValidName, NAME_RULE_ERROR } from './library-metadata.ts'

/** Chunk name of library code: errors read "user_function:<line>: ..." and positions "@user_function:<line>". */
export const FUNCTION_CHUNKNAME = '@user_function'
/** Redis's LOAD_TIMEOUT_MS. */
export const LOAD_TIMEOUT_MS = 500
const HOOK_INSTRUCTIONS = 100_000
/** Instructions after which a load stops even if the engine's clock has not moved (a simulated clock). */
export const LOAD_INSTRUCTION_CAP = 200 * HOOK_INSTRUCTIONS

/** Redis's scripts_flags_def, in its order (FUNCTION LIST reports flags in this order). */
export const FUNCTION_FLAGS: ReadonlyArray<readonly [string, keyof Omit<ScriptFlags, 'shebang'>]> = [
  ['no-writes', 'noWrites'],
  ['allow-oom', 'allowOom'],
  ['allow-stale', 'allowStale'],
  ['no-cluster', 'noCluster'],
  ['allow-cross-slot-keys', 'allowCrossSlotKeys'],
]

/** One function a library registered. */
export interface LoadedFunction {
  readonly name: string
  readonly description: Buffer | null
  /** As a shebang script's: functions never run in EVAL's compatibility mode. */
  readonly flags: ScriptFlags
  readonly callback: HeldLuaValue
}

/** The load in progress (loading is synchronous, so there is at most one). */
interface LoadContext {
  readonly functions: Map<string, LoadedFunction>
  readonly startedAt: number
  readonly now: () => number
  readonly log: (level: number, text: string) => void
  hooks: number
}

let loading: LoadContext | null = null

/** Per shared runtime: the loading API table and the scripts' globals lookup for loaded libraries. */
const apis = new WeakMap<LuaRuntime, { libraryApi: HeldLuaValue; runtimeIndex: HeldLuaValue }>()

export interface LoadOptions {
  /** The engine's clock, for the load timeout. */
  readonly now: () => number
  /** redis.log while loading, to the engine's log. */
  readonly log: (level: number, text: string) => void
}

/**
 * Compiles and runs `body` (the library code after its metadata line) and returns the functions it registered, or
 * Redis's error text (without the ERR prefix).
 */
export function loadLibraryCode(
  runtime: LuaRuntime,
  body: Uint8Array,
  options: LoadOptions,
): Map<string, LoadedFunction> | { error: string } {
  const L = runtime.L
  const base = lua.lua_gettop(L)
  const { libraryApi, runtimeIndex } = apisOf(runtime)
  const previous = loading
  const context: LoadContext = {
    functions: new Map(),
    startedAt: options.now(),
    now: options.now,
    log: options.log,
    hooks: 0,
  }
  try {
    const compiled = pushLibraryChunk(L, body)
    if (compiled !== null) return compiled
    // The library's globals: an empty read-only table whose metatable points at the loading API for now.
    lua.lua_createtable(L, 0, 0)
    const env = lua.lua_gettop(L)
    lua.lua_createtable(L, 0, 1)
    const meta = lua.lua_gettop(L)
    pushHeldTable(L, libraryApi)
    lua.lua_setfield(L, meta, '__index')
    lua.lua_pushvalue(L, meta)
    lua.lua_setmetatable(L, env)
    lua.lua_pushvalue(L, env)
    lua.lua_setupvalue(L, env - 1, 1)
    readonlyTables.add(lua.lua_topointer(L, env) as object)
    const metaTable = lua.lua_topointer(L, meta) as object
    readonlyTables.add(metaTable)
    lua.lua_pushvalue(L, env - 1)
    loading = context
    lua.lua_sethook(L, loadHook, lua.LUA_MASKCOUNT, HOOK_INSTRUCTIONS)
    const status = lua.lua_pcallk(L, 0, 0, 0, 0, null)
    lua.lua_sethook(L, null, 0, 0)
    loading = previous
    if (status !== lua.LUA_OK) return { error: `Error registering functions: ${loadErrorText(L)}` }
    // Loaded: from now on the callbacks see the scripts' globals.
    readonlyTables.delete(metaTable)
    pushHeldTable(L, runtimeIndex)
    lua.lua_setfield(L, meta, '__index')
    readonlyTables.add(metaTable)
    return context.functions
  } finally {
    lua.lua_sethook(L, null, 0, 0)
    loading = previous
    lua.lua_settop(L, base)
  }
}

/**
 * Compiled library chunks by code, so that the same library loaded again (the simulator loads one per seed, a
 * FUNCTION RESTORE reloads what was dumped) is not parsed again: each load gets a new closure of the cached prototype,
 * with upvalues of its own (its own globals table, and its own locals when it runs), exactly as a fresh compile gives.
 * Prototypes are immutable, so sharing them between engines shares nothing a library can change. Bounded.
 */
const chunkCache = new Map<string, { type: number; proto: unknown; upvalues: number }>()
const CHUNK_CACHE_ENTRIES = 32
const CHUNK_CACHE_MAX_BYTES = 64 * 1024

interface FengariClosure {
  p: { upvalues: unknown[] }
  nupvalues: number
}

/** Pushes a fresh closure of the library chunk; returns Redis's compile error instead (nothing pushed). */
function pushLibraryChunk(L: LuaState, body: Uint8Array): { error: string } | null {
  const key = body.length <= CHUNK_CACHE_MAX_BYTES ? Buffer.from(body).toString('latin1') : null
  const cached = key === null ? undefined : chunkCache.get(key)
  if (cached) {
    const closure = new lobject.LClosure(L, cached.upvalues)
    closure.p = cached.proto
    lfunc.luaF_initupvals(L, closure)
    lua.lua_checkstack(L, 1)
    pushHeld(L, { type: cached.type, value: closure })
    return null
  }
  if (lauxlib.luaL_loadbufferx(L, body, body.length, FUNCTION_CHUNKNAME, 't') !== lua.LUA_OK) {
    const error = { error: `Error compiling function: ${textOf(L, -1)}` }
    lua.lua_pop(L, 1)
    return error
  }
  if (key !== null) {
    const held = holdTop(L)
    const closure = held.value as FengariClosure
    if (chunkCache.size >= CHUNK_CACHE_ENTRIES) chunkCache.delete(chunkCache.keys().next().value as string)
    chunkCache.set(key, { type: held.type, proto: closure.p, upvalues: closure.nupvalues })
  }
  return null
}

function pushHeldTable(L: LuaState, held: HeldLuaValue): void {
  lua.lua_checkstack(L, 1)
  pushHeld(L, held)
}

function textOf(L: LuaState, idx: number): string {
  const s = lua.lua_tolstring(L, idx)
  return s ? luaBytes(s).toString('latin1') : ''
}

/** luaExtractErrorInformation's message: a string error gets "ERR ", an error table gives its `err` field. */
function loadErrorText(L: LuaState): string {
  let message = 'ERR unknown error'
  if (lua.lua_type(L, -1) === lua.LUA_TSTRING || lua.lua_type(L, -1) === lua.LUA_TNUMBER) {
    message = `ERR ${textOf(L, -1)}`
  } else if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
    lua.lua_pushstring(L, 'err')
    const t = lua.lua_rawget(L, -2)
    if (t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER) message = textOf(L, -1)
    lua.lua_pop(L, 1)
  }
  return message
}

const loadHook = (L: LuaState): void => {
  const context = loading
  if (!context) return
  context.hooks++
  if (
    context.now() - context.startedAt > LOAD_TIMEOUT_MS ||
    context.hooks * HOOK_INSTRUCTIONS >= LOAD_INSTRUCTION_CAP
  ) {
    lua.lua_sethook(L, null, 0, 0)
    raise(L, 'FUNCTION LOAD timeout')
  }
}

function apisOf(runtime: LuaRuntime): { libraryApi: HeldLuaValue; runtimeIndex: HeldLuaValue } {
  let known = apis.get(runtime)
  if (known) return known
  const L = runtime.L
  const base = lua.lua_gettop(L)
  // The loading API: { redis = { register_function, log, LOG_*, REDIS_VERSION, REDIS_VERSION_NUM } }.
  lua.lua_createtable(L, 0, 1)
  lua.lua_createtable(L, 0, 8)
  lua.lua_pushcfunction(L, registerFunction)
  lua.lua_setfield(L, -2, 'register_function')
  lua.lua_pushcfunction(L, loadingLog)
  lua.lua_setfield(L, -2, 'log')
  const levels: Array<[string, number]> = [
    ['LOG_DEBUG', 0],
    ['LOG_VERBOSE', 1],
    ['LOG_NOTICE', 2],
    ['LOG_WARNING', 3],
  ]
  for (const [name, value] of levels) {
    lua.lua_pushnumber(L, value)
    lua.lua_setfield(L, -2, name)
  }
  lua.lua_pushnumber(L, REDIS_VERSION_NUM)
  lua.lua_setfield(L, -2, 'REDIS_VERSION_NUM')
  lua.lua_pushliteral(L, REDIS_VERSION)
  lua.lua_setfield(L, -2, 'REDIS_VERSION')
  setErrorMetatable(L)
  lua.lua_setfield(L, -2, 'redis')
  setErrorMetatable(L)
  markReadonly(L, lua.lua_gettop(L))
  const libraryApi = holdTop(L)
  pushFunctionGlobals(L)
  const runtimeIndex = holdTop(L)
  lua.lua_settop(L, base)
  known = { libraryApi, runtimeIndex }
  apis.set(runtime, known)
  return known
}

/** Gives the table on top a metatable whose __index raises "Script attempted to access nonexistent global ...". */
function setErrorMetatable(L: LuaState): void {
  lua.lua_createtable(L, 0, 1)
  lua.lua_pushcfunction(L, nonexistentGlobal)
  lua.lua_setfield(L, -2, '__index')
  lua.lua_setmetatable(L, -2)
}

/**
 * Pushes the __index of loaded libraries' globals: a read-only copy of the scripts' globals without KEYS and ARGV
 * (the globals never change once the sandbox is built, apart from those two), so a function's global reads stay
 * inside the VM.
 */
function pushFunctionGlobals(L: LuaState): void {
  lua.lua_createtable(L, 0, 64)
  const copy = lua.lua_gettop(L)
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS)
  const globals = lua.lua_gettop(L)
  lua.lua_pushnil(L)
  while (lua.lua_next(L, globals)) {
    const skip = lua.lua_type(L, -2) === lua.LUA_TSTRING && isKeysOrArgv(lua.lua_tolstring(L, -2) as Uint8Array)
    if (skip) {
      lua.lua_pop(L, 1)
      continue
    }
    lua.lua_pushvalue(L, -2)
    lua.lua_insert(L, -2)
    lua.lua_rawset(L, copy)
  }
  lua.lua_pop(L, 1)
  setErrorMetatable(L)
  readonlyTables.add(lua.lua_topointer(L, copy) as object)
  lua.lua_getmetatable(L, copy)
  readonlyTables.add(lua.lua_topointer(L, -1) as object)
  lua.lua_pop(L, 1)
}

function isKeysOrArgv(name: Uint8Array): boolean {
  if (name.length !== 4) return false
  const [a, b, c, d] = name
  return (a === 75 && b === 69 && c === 89 && d === 83) || (a === 65 && b === 82 && c === 71 && d === 86)
}

const loadingLog: LuaJSFunction = (L) => {
  const argc = lua.lua_gettop(L)
  if (argc < 2) raise(L, 'redis.log() requires two arguments or more.')
  if (!lua.lua_isnumber(L, 1)) raise(L, 'First argument must be a number (log level).')
  const level = Math.trunc(lua.lua_tonumber(L, 1))
  if (level < 0 || level > 3) raise(L, 'Invalid debug level.')
  const parts: string[] = []
  for (let i = 2; i <= argc; i++) {
    const t = lua.lua_type(L, i)
    if (t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER) parts.push(textOf(L, i))
  }
  loading?.log(level, parts.join(' '))
  return 0
}

/** luaGetStringSds: a string or a number (as Lua converts it), else null. */
function stringArg(L: LuaState, idx: number): string | null {
  const t = lua.lua_type(L, idx)
  if (t !== lua.LUA_TSTRING && t !== lua.LUA_TNUMBER) return null
  return textOf(L, idx)
}

/** redis.register_function(name, callback) or redis.register_function{function_name=..., callback=..., ...}. */
const registerFunction: LuaJSFunction = (L) => {
  const context = loading
  if (!context) raise(L, 'redis.register_function can only be called on FUNCTION LOAD command')
  const argc = lua.lua_gettop(L)
  if (argc < 1 || argc > 2) raise(L, 'wrong number of arguments to redis.register_function')
  const args = argc === 1 ? namedArguments(L) : positionalArguments(L)
  if (!isValidName(args.name)) raise(L, NAME_RULE_ERROR)
  if (context.functions.has(args.name)) raise(L, 'Function already exists in the library')
  context.functions.set(args.name, args)
  return 0
}

function positionalArguments(L: LuaState): LoadedFunction {
  const name = stringArg(L, 1)
  if (name === null) raise(L, 'first argument to redis.register_function must be a string')
  if (!lua.lua_isfunction(L, 2)) raise(L, 'second argument to redis.register_function must be a function')
  lua.lua_pushvalue(L, 2)
  const callback = holdTop(L)
  lua.lua_pop(L, 1)
  return { name, description: null, flags: flagsOf(0), callback }
}

function namedArguments(L: LuaState): LoadedFunction {
  if (!lua.lua_istable(L, 1)) {
    raise(
      L,
      'calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).',
    )
  }
  let name: string | null = null
  let description: Buffer | null = null
  let callback: HeldLuaValue | null = null
  let flags = 0
  lua.lua_pushnil(L)
  while (lua.lua_next(L, 1)) {
    const keyType = lua.lua_type(L, -2)
    if (keyType !== lua.LUA_TSTRING && keyType !== lua.LUA_TNUMBER) {
      raise(L, 'named argument key given to redis.register_function is not a string')
    }
    const key = textOf(L, -2).toLowerCase()
    if (key === 'function_name') {
      name = stringArg(L, -1)
      if (name === null) raise(L, 'function_name argument given to redis.register_function must be a string')
    } else if (key === 'description') {
      const text = stringArg(L, -1)
      if (text === null) raise(L, 'description argument given to redis.register_function must be a string')
      description = luaBytes(lua.lua_tolstring(L, -1) as Uint8Array)
    } else if (key === 'callback') {
      if (!lua.lua_isfunction(L, -1)) raise(L, 'callback argument given to redis.register_function must be a function')
      callback = holdTop(L)
    } else if (key === 'flags') {
      if (!lua.lua_istable(L, -1)) {
        raise(L, 'flags argument to redis.register_function must be a table representing function flags')
      }
      const read = readFlags(L)
      if (read === null) raise(L, 'unknown flag given')
      flags = read
    } else {
      raise(L, 'unknown argument given to redis.register_function')
    }
    lua.lua_pop(L, 1)
  }
  if (name === null) raise(L, 'redis.register_function must get a function name argument')
  if (callback === null) raise(L, 'redis.register_function must get a callback argument')
  return { name, description, flags: flagsOf(flags), callback }
}

/** luaRegisterFunctionReadFlags: the flags table on top, read t[1], t[2], ... until nil; null on an unknown flag. */
function readFlags(L: LuaState): number | null {
  let bits = 0
  for (let j = 1; ; j++) {
    lua.lua_pushnumber(L, j)
    lua.lua_gettable(L, -2)
    const t = lua.lua_type(L, -1)
    if (t === lua.LUA_TNIL) {
      lua.lua_pop(L, 1)
      return bits
    }
    const text = t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER ? textOf(L, -1).toLowerCase() : null
    lua.lua_pop(L, 1)
    const index = text === null ? -1 : FUNCTION_FLAGS.findIndex(([flag]) => flag === text)
    if (index === -1) return null
    bits |= 1 << index
  }
}

function flagsOf(bits: number): ScriptFlags {
  const flags: { -readonly [K in keyof ScriptFlags]: ScriptFlags[K] } = {
    shebang: true,
    noWrites: false,
    allowOom: false,
    allowStale: false,
    noCluster: false,
    allowCrossSlotKeys: false,
  }
  FUNCTION_FLAGS.forEach(([, key], i) => {
    if (bits & (1 << i)) flags[key] = true
  })
  return flags
}

/** The names of a function's flags, in Redis's order (FUNCTION LIST). */
export function flagNames(flags: ScriptFlags): string[] {
  return FUNCTION_FLAGS.filter(([, key]) => flags[key]).map(([name]) => name)
}
