/**
 * The Lua host of one engine: its script cache and math.random generator (renewed by SCRIPT FLUSH), and the driver
 * that runs a script to its reply in the process's shared Lua runtime (lua-runtime.ts).
 *
 * A script runs as a coroutine of the Lua state, under the lease its caller holds (the EVAL's own acquisition, or
 * EXEC's): the host never touches the lock. The driver resumes the coroutine; the coroutine yields back only when
 * something has to wait (the scheduling seam pauses a redis.call or a busy slice, an asynchronous command, the
 * event-loop yield of a busy script). The driver then awaits that and resumes. In production nothing waits, so a
 * script runs start to finish in one synchronous resume.
 */
import { lauxlib, type LuaState, lua } from 'fengari'
import { type CommandContext, fullName, type ScriptFrame } from '../commands/types.ts'
import type { Engine } from '../engine/engine.ts'
import { CORRECT_EXECUTOR } from '../engine/variant.ts'
import { InternalErrorReply, type Reply, ReplyError, ScriptRaisedError } from '../protocol/reply.ts'
import { BusyScripts } from './busy.ts'
import { luaBytes, luaToReply, oneLine } from './conversions.ts'
import { scriptLimits } from './lua51/fengari-patches.ts'
import { Lrand48 } from './lua51/lrand48.ts'
import { luaRuntime, pushStringArray } from './lua-runtime.ts'
import { type CachedScript, ScriptCache } from './script-cache.ts'
import { type RunnableScript, ScriptRun } from './script-run.ts'
import { type HeldLuaValue, pushHeld } from './functions/held-lua-value.ts'

/** Status for a resume that failed outside Lua (a JavaScript exception escaped fengari). */
const HOST_FAILURE = -1

/** What SCRIPT FLUSH renews: the loaded scripts and math.random's generator (Redis starts a fresh Lua state). */
interface HostScripts {
  readonly cache: ScriptCache
  readonly generator: Lrand48
  /** State a library keeps between scripts (see libraryState). */
  readonly libraries: Map<object, unknown>
}

export class ScriptingHost {
  readonly busy: BusyScripts
  /** Runs of this engine started and not finished (kept by the runtime): one at most under the correct executor. */
  runsInFlight = 0
  private scripts: HostScripts | null = null

  constructor(readonly engine: Engine) {
    this.busy = new BusyScripts(this)
  }

  private loaded(): HostScripts {
    if (this.scripts) return this.scripts
    const generator = new Lrand48()
    generator.seed(Math.floor(this.engine.random.next() * 2 ** 32) | 0)
    this.scripts = { cache: new ScriptCache(luaRuntime()), generator, libraries: new Map() }
    return this.scripts
  }

  get cache(): ScriptCache {
    return this.loaded().cache
  }

  /**
   * The script cache if scripts were ever loaded, else null: for readers (INFO, eviction) that must not load the
   * scripting state, which draws from the engine's random source.
   */
  get loadedCache(): ScriptCache | null {
    return this.scripts?.cache ?? null
  }

  /** math.random's generator for this engine's scripts. */
  get generator(): Lrand48 {
    return this.loaded().generator
  }

  /**
   * The script this engine is running (the latest started, if a simulator mutant let several start), or null. With
   * the correct executor there is at most one: scripts run under the database lease.
   */
  get current(): ScriptRun | null {
    if (this.runsInFlight === 0) return null
    const runs = luaRuntime().runsOf(this)
    return runs.length > 0 ? runs[runs.length - 1] : null
  }

  /** This engine's state for the library identified by `key`, created on first use and renewed by SCRIPT FLUSH. */
  libraryState<T>(key: object, create: () => T): T {
    const libraries = this.loaded().libraries
    let state = libraries.get(key) as T | undefined
    if (state === undefined) {
      state = create()
      libraries.set(key, state)
    }
    return state
  }

  /** SCRIPT FLUSH: forget every script and reseed math.random (Redis starts a fresh Lua state). */
  flush(): void {
    this.scripts?.cache.release()
    this.scripts = null
  }

  /**
   * Runs a cached script for the command in `ctx`, under ctx.lease. Returns the reply, or a promise of it when the
   * script had to wait for something.
   */
  run(
    ctx: CommandContext,
    script: CachedScript,
    keys: Buffer[],
    args: Buffer[],
    readOnly: boolean,
  ): Reply | Promise<Reply> {
    if (this.runsInFlight > 0 && this.engine.variant === CORRECT_EXECUTOR) return this.alreadyRunning(ctx)
    const thread = luaRuntime().startThread(script.ref)
    return this.start(ctx, script, thread, 0, keys, args, readOnly)
  }

  /**
   * Runs a registered function for the FCALL in `ctx`, under ctx.lease, exactly as `run` runs a script: the function
   * is called with its keys and args as two Lua arrays (functions have no KEYS and ARGV globals).
   */
  runFunction(
    ctx: CommandContext,
    fn: RunnableScript & { readonly callback: HeldLuaValue },
    keys: Buffer[],
    args: Buffer[],
    readOnly: boolean,
  ): Reply | Promise<Reply> {
    if (this.runsInFlight > 0 && this.engine.variant === CORRECT_EXECUTOR) return this.alreadyRunning(ctx)
    const thread = luaRuntime().startThread(null)
    lua.lua_checkstack(thread, 3)
    pushHeld(thread, fn.callback)
    pushStringArray(thread, keys)
    pushStringArray(thread, args)
    return this.start(ctx, fn, thread, 2, keys, args, readOnly)
  }

  /**
   * Scripts run under the database lease, so another one cannot be running: a redsim bug if it is. Only a simulator
   * mutant that drops the script's lease lets two runs of one engine interleave.
   */
  private alreadyRunning(ctx: CommandContext): Reply {
    return this.engine.internalError(new Error('a script is already running'), fullName(ctx.spec))
  }

  private start(
    ctx: CommandContext,
    script: RunnableScript,
    thread: LuaState,
    startArgs: number,
    keys: Buffer[],
    args: Buffer[],
    readOnly: boolean,
  ): Reply | Promise<Reply> {
    const frame: ScriptFrame = { sha: script.name, readOnly, wrote: false, db: ctx.db.index }
    const run = new ScriptRun(this, ctx, script, frame, thread, keys, args, this.engine.clock.now())
    run.startArgs = startArgs
    run.expiryTime = this.engine.expiryTimeFrozenAt ?? run.startedAt
    luaRuntime().begin(run)
    this.busy.start(run)
    return this.resume(run)
  }

  private resume(run: ScriptRun): Reply | Promise<Reply> {
    const status = this.step(run)
    if (status !== lua.LUA_YIELD) return this.finish(run, status)
    const pending = run.pending
    run.pending = null
    if (!pending) return this.finish(run, HOST_FAILURE)
    return pending.then(
      () => this.resume(run),
      (err: unknown) => {
        this.engine.logAt('warning', `a script's wait failed: ${err instanceof Error ? err.message : String(err)}`)
        return this.finish(run, HOST_FAILURE)
      },
    )
  }

  /**
   * One synchronous stretch of the script, with its frame installed and its limits in force. Expiry is judged at the
   * script's start time throughout (Redis 7.0's scriptTimeSnapshot), or at its EXEC's when it runs in one: a key
   * cannot expire between two of its calls, nor between a transaction's commands and its scripts.
   */
  private step(run: ScriptRun): number {
    const runtime = luaRuntime()
    const engine = this.engine
    const previous = runtime.enter(run)
    const frozen = engine.expiryTimeFrozenAt
    engine.expiryTimeFrozenAt = run.expiryTime
    scriptLimits.maxStringLength = engine.config.getNumber('proto-max-bulk-len')
    const nargs = run.startArgs
    run.startArgs = 0
    try {
      return lua.lua_resume(run.thread, null, nargs)
    } catch (err) {
      engine.logAt('warning', `Lua host failure: ${err instanceof Error ? (err.stack ?? err.message) : err}`)
      return HOST_FAILURE
    } finally {
      scriptLimits.maxStringLength = Number.POSITIVE_INFINITY
      engine.expiryTimeFrozenAt = frozen
      runtime.leave(previous)
    }
  }

  /** Builds the reply and cleans up, in every path: busy state cleared, hook removed, the coroutine recycled. */
  private finish(run: ScriptRun, status: number): Reply {
    let reply: Reply
    try {
      if (status === HOST_FAILURE) {
        reply = new InternalErrorReply('ERR internal error while running the script')
      } else if (status === lua.LUA_OK) {
        const thread = run.thread
        const options = { scriptResp: run.resp, clientResp: run.ctx.client.protocol }
        reply = lua.lua_gettop(thread) >= 1 ? luaToReply(thread, 1, options) : null
      } else {
        reply = this.errorReply(run)
      }
    } catch (err) {
      // A reply nested deeper than the JavaScript stack allows (Redis stops at a fixed depth with the same error).
      if (err instanceof RangeError && /call stack/i.test(err.message))
        reply = new ReplyError('ERR reached lua stack limit')
      else reply = this.engine.internalError(err, 'eval')
    } finally {
      this.busy.stop(run)
      luaRuntime().end(run, status === lua.LUA_OK)
    }
    return reply
  }

  /**
   * The reply for a script that raised: Redis 7.0's "<error> script: <sha>, on @user_script:<line>." The position is
   * that of the innermost Lua function on the dead coroutine's stack (the caller of error() or redis.call, or the
   * function whose own instruction failed), as Redis's error handler finds it.
   */
  private errorReply(run: ScriptRun): ReplyError {
    const thread = run.thread
    // A dead coroutine's stack is sized to its contents; make room to inspect the error value.
    lua.lua_checkstack(thread, 4)
    let message: string
    if (lua.lua_gettop(thread) === 0) message = 'ERR unknown error'
    else message = errorText(thread)
    const position = errorPosition(thread)
    const suffix = position ? ` script: ${run.script.name}, on ${position.source}:${position.line}.` : ''
    return position ? new ScriptRaisedError(oneLine(message + suffix)) : new ReplyError(oneLine(message))
  }
}

function errorText(thread: LuaState): string {
  if (lua.lua_type(thread, -1) === lua.LUA_TTABLE) {
    lua.lua_pushstring(thread, 'err')
    const t = lua.lua_rawget(thread, -2)
    const text = t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER ? latin1(lua.lua_tolstring(thread, -1)!) : null
    lua.lua_pop(thread, 1)
    // A table without an `err` string (error({})): Redis 7.0.15 crashes here; redsim answers a plain error.
    return text ?? 'ERR unknown error'
  }
  if (lua.lua_type(thread, -1) === lua.LUA_TSTRING) return `ERR ${latin1(lua.lua_tolstring(thread, -1)!)}`
  lauxlib.luaL_tolstring(thread, -1)
  const text = latin1(lua.lua_tolstring(thread, -1)!)
  lua.lua_pop(thread, 1)
  return `ERR ${text}`
}

function errorPosition(thread: LuaState): { source: string; line: number } | null {
  const ar = new lua.lua_Debug()
  for (let level = 0; level < 2; level++) {
    if (!lua.lua_getstack(thread, level, ar)) return null
    lua.lua_getinfo(thread, 'Sl', ar)
    // fengari names JavaScript functions 'J' where Lua says 'C'.
    if (ar.what && latin1(ar.what) === 'J') continue
    return { source: ar.source ? latin1(ar.source) : '?', line: ar.currentline }
  }
  return null
}

function latin1(s: Uint8Array): string {
  return luaBytes(s).toString('latin1')
}

const hosts = new WeakMap<Engine, ScriptingHost>()

/** The engine's scripting host if one was created, else null (for readers that must not create one). */
export function existingScriptingHost(engine: Engine): ScriptingHost | null {
  return hosts.get(engine) ?? null
}

/** The scripting host of `engine`, created on first use. */
export function scriptingHost(engine: Engine): ScriptingHost {
  let host = hosts.get(engine)
  if (!host) {
    const created = new ScriptingHost(engine)
    hosts.set(engine, created)
    engine.cachedScriptFlags = (sha) => created.loadedCache?.get(sha)?.flags
    host = created
  }
  return host
}
