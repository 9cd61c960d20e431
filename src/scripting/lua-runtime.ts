/**
 * The Lua runtime every engine in the process shares: one sandboxed fengari state with its libraries, the compiled
 * scripts, a pool of finished coroutines, and which script runs right now.
 *
 * Why shared: building a sandboxed state costs milliseconds (the simulator makes one engine per seed), and nothing a
 * script can do is visible to another engine through it. Globals, the libraries and the string metatable are
 * read-only; the registry is unreachable from Lua; a compiled function is a pure function of its text. What *is* per
 * engine lives elsewhere: which scripts an engine has loaded (ScriptCache), its math.random generator, its runs.
 *
 * Each run is a coroutine of the shared state with its own frame (ScriptRun: KEYS/ARGV, SHA, RESP mode, lease,
 * client). Under the correct executor one engine runs one script at a time, but runs of different engines in one
 * process, or two runs of one engine under a simulator mutant that drops the script's lease, can be suspended and
 * resumed in any interleaving. Before each resume the runtime makes that run's KEYS and ARGV the globals again; the
 * previous owner's tables are kept in the registry meanwhile, so a script that changed KEYS sees its own change.
 */
import { activeRun, setActiveRun } from './active-run.ts'
import { lauxlib, type LuaState, lua } from 'fengari'
import { ReplyError } from '../protocol/reply.ts'
import { luaBytes } from './conversions.ts'
import { Lrand48 } from './lua51/lrand48.ts'
import { openRedisLib } from './redis-lib.ts'
import { luaName, pushName, pushSharedBytes, setScriptGlobals } from './lua-strings.ts'
import { createSandbox } from './sandbox.ts'
import type { ScriptingHost } from './lua-host.ts'
import type { ScriptRun } from './script-run.ts'

/** Chunk name of every script: errors read "user_script:<line>: ..." and positions "@user_script:<line>". */
export const SCRIPT_CHUNKNAME = '@user_script'

interface CompiledFunction {
  readonly ref: number
  /** Script caches (one per engine, renewed by SCRIPT FLUSH) holding this function. */
  users: number
}

const KEYS_NAME = luaName('KEYS')
const ARGV_NAME = luaName('ARGV')

/** A generator for code that runs outside any script (nothing should): deterministic, never an engine's. */
const FALLBACK_GENERATOR = new Lrand48()

export class LuaRuntime {
  readonly L: LuaState
  /** The run whose coroutine is being resumed right now (set only inside `enter`/`leave`). */
  /** The run whose Lua code executes now (kept in active-run.ts, which the libraries and hooks read). */
  get active(): ScriptRun | null {
    return activeRun()
  }
  /** Runs started and not finished, by coroutine. */
  private readonly inFlight = new Map<LuaState, ScriptRun>()
  /** The run whose KEYS and ARGV are the globals now. */
  private globalsOwner: ScriptRun | null = null
  private readonly spare: LuaState[] = []
  private readonly compiled = new Map<string, CompiledFunction>()
  /** How many entries the KEYS and ARGV tables in the globals were given (null: unknown, never reused). */
  private globalsShape: { keys: number; args: number } | null = null

  constructor() {
    this.L = createSandbox({
      generator: () => this.active?.host.generator ?? FALLBACK_GENERATOR,
      isScriptThread: (L1) => this.inFlight.has(L1),
      yieldingToHost: () => this.active?.pending != null,
      openRedis: (L1) => openRedisLib(L1, this),
      onInternalError: (err) => {
        const detail = err instanceof Error ? (err.stack ?? err.message) : String(err)
        this.active?.host.engine.logAt('warning', `internal error inside a Lua script: ${detail}`)
      },
    })
  }

  /**
   * The registry reference of the function compiled from `source` (a script body without its shebang line), shared
   * by every cache that loads the same SHA; or the compile error.
   */
  acquireFunction(sha: string, source: Uint8Array): number | ReplyError {
    const known = this.compiled.get(sha)
    if (known) {
      known.users++
      return known.ref
    }
    const L = this.L
    const status = lauxlib.luaL_loadbufferx(L, source, source.length, SCRIPT_CHUNKNAME, 't')
    if (status !== lua.LUA_OK) {
      const message = luaBytes(lua.lua_tolstring(L, -1) ?? new Uint8Array(0)).toString('latin1')
      lua.lua_pop(L, 1)
      return new ReplyError(`ERR Error compiling script (new function): ${message}`)
    }
    const ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
    this.compiled.set(sha, { ref, users: 1 })
    return ref
  }

  /** A script cache forgets `sha` (SCRIPT FLUSH): the function is freed when no cache holds it any more. */
  releaseFunction(sha: string): void {
    const known = this.compiled.get(sha)
    if (!known || --known.users > 0) return
    this.compiled.delete(sha)
    lauxlib.luaL_unref(this.L, lua.LUA_REGISTRYINDEX, known.ref)
  }

  /**
   * A coroutine for a new run, with the script's function pushed on it, ready for its first resume (null: the caller
   * pushes the function and its arguments itself).
   */
  startThread(ref: number | null): LuaState {
    let thread = this.spare.pop()
    if (!thread) {
      thread = lua.lua_newthread(this.L)
      // fengari's objects live on the JavaScript heap: holding the thread here keeps it alive.
      lua.lua_pop(this.L, 1)
    }
    if (ref !== null) lua.lua_rawgeti(thread, lua.LUA_REGISTRYINDEX, ref)
    return thread
  }

  begin(run: ScriptRun): void {
    this.inFlight.set(run.thread, run)
    run.host.runsInFlight++
  }

  /** How many runs of `host`'s engine are in flight (the correct executor allows one). */
  runsOf(host: ScriptingHost): ScriptRun[] {
    const out: ScriptRun[] = []
    for (const run of this.inFlight.values()) if (run.host === host) out.push(run)
    return out
  }

  /** Called before each resume of `run`: makes it the active run and its KEYS/ARGV the globals. */
  enter(run: ScriptRun): ScriptRun | null {
    const previous = this.active
    setActiveRun(run)
    if (this.globalsOwner !== run) this.installGlobals(run)
    return previous
  }

  leave(previous: ScriptRun | null): void {
    setActiveRun(previous)
  }

  /** The run ended (any way): it leaves the in-flight set and its coroutine is recycled if it finished cleanly. */
  end(run: ScriptRun, reusable: boolean): void {
    if (this.inFlight.delete(run.thread)) run.host.runsInFlight--
    if (this.globalsOwner === run) this.globalsOwner = null
    run.releaseSavedGlobals(this.L)
    if (reusable) {
      lua.lua_settop(run.thread, 0)
      this.spare.push(run.thread)
    }
  }

  private installGlobals(run: ScriptRun): void {
    const L = this.L
    const owner = this.globalsOwner
    // The owner is suspended mid-run: keep its tables (the script may have changed them) until it resumes.
    if (owner && this.inFlight.has(owner.thread)) owner.saveGlobals(L)
    if (run.restoreGlobals(L)) {
      this.globalsShape = null
    } else if (!(owner === null && this.refillGlobals(run))) {
      setScriptGlobals(
        L,
        () => pushStringArray(L, run.keys),
        () => pushStringArray(L, run.args),
      )
      this.globalsShape = { keys: run.keys.length, args: run.args.length }
    }
    this.globalsOwner = run
  }

  /**
   * Reuses the KEYS and ARGV tables of the run that finished last, when it left them with exactly the integer keys it
   * got (nothing can hold on to them once their run ended): the values are overwritten in place, which saves building
   * two tables and writing two globals on every run. Returns false when they cannot be reused.
   */
  private refillGlobals(run: ScriptRun): boolean {
    const shape = this.globalsShape
    if (!shape) return false
    const L = this.L
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS)
    const g = lua.lua_gettop(L)
    pushName(L, KEYS_NAME)
    lua.lua_rawget(L, g)
    pushName(L, ARGV_NAME)
    lua.lua_rawget(L, g)
    const reusable = hasExactly(L, g + 1, shape.keys) && hasExactly(L, g + 2, shape.args)
    if (reusable) {
      refill(L, g + 1, run.keys, shape.keys)
      refill(L, g + 2, run.args, shape.args)
      this.globalsShape = { keys: run.keys.length, args: run.args.length }
    }
    lua.lua_settop(L, g - 1)
    return reusable
  }
}

/** fengari's table: its entries live in a Map keyed by the key's value (the number itself for numeric keys). */
interface FengariTable {
  readonly strong: Map<unknown, unknown>
}

/** Whether the value at `idx` is a table without a metatable holding exactly the keys 1..count. */
function hasExactly(L: LuaState, idx: number, count: number): boolean {
  if (lua.lua_type(L, idx) !== lua.LUA_TTABLE) return false
  if (lua.lua_getmetatable(L, idx)) {
    lua.lua_pop(L, 1)
    return false
  }
  const entries = (lua.lua_topointer(L, idx) as unknown as FengariTable).strong
  if (entries.size !== count) return false
  for (let i = 1; i <= count; i++) if (!entries.has(i)) return false
  return true
}

/** Overwrites the array at `idx` (keys 1..previous) with `values`. */
function refill(L: LuaState, idx: number, values: Buffer[], previous: number): void {
  for (let i = 0; i < values.length; i++) {
    pushSharedBytes(L, values[i])
    lua.lua_rawseti(L, idx, i + 1)
  }
  for (let i = values.length + 1; i <= previous; i++) {
    lua.lua_pushnil(L)
    lua.lua_rawseti(L, idx, i)
  }
}

/** Pushes a Lua array of the given byte strings (KEYS, ARGV): binary-safe, sharing the command's argument bytes. */
export function pushStringArray(L: LuaState, values: Buffer[]): void {
  lua.lua_createtable(L, values.length, 0)
  for (let i = 0; i < values.length; i++) {
    pushSharedBytes(L, values[i])
    lua.lua_rawseti(L, -2, i + 1)
  }
}

let shared: LuaRuntime | null = null

/** The process's Lua runtime, built on first use. */
export function luaRuntime(): LuaRuntime {
  shared ??= new LuaRuntime()
  return shared
}

const detachedLibraryStates = new Map<object, unknown>()

/**
 * For the libraries (cjson, cmsgpack, ...): state a script may change and later scripts see (in Redis, settings such as
 * cjson.encode_keep_buffer last until SCRIPT FLUSH). The Lua state is shared by every engine in the process, so such
 * state must not live in the library's closures: this returns the running script's engine's copy, identified by
 * `key` (any object the library owns), created with `create` on first use and renewed by SCRIPT FLUSH. Outside a
 * script (never, in practice) a process-wide copy is returned.
 */
export function libraryState<T>(key: object, create: () => T): T {
  const run = shared?.active
  if (run) return run.host.libraryState(key, create)
  let state = detachedLibraryStates.get(key) as T | undefined
  if (state === undefined) {
    state = create()
    detachedLibraryStates.set(key, state)
  }
  return state
}
