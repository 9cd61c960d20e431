/**
 * The Lua host: one sandboxed Lua state per engine (created on first use, discarded by SCRIPT FLUSH), its script
 * cache, and the driver that runs a script to its reply.
 *
 * A script runs as a coroutine of the Lua state, under the lease its caller holds (the EVAL's own acquisition, or
 * EXEC's): the host never touches the lock. The driver resumes the coroutine; the coroutine yields back only when
 * something has to wait (the scheduling seam pauses a redis.call or a busy slice, an asynchronous command, the
 * event-loop yield of a busy script). The driver then awaits that and resumes. In production nothing waits, so a
 * script runs start to finish in one synchronous resume.
 */
import { lauxlib, type LuaState, lua } from 'fengari'
import type { CommandContext, ScriptFrame } from '../commands/types.ts'
import type { Engine } from '../engine/engine.ts'
import { type Reply, ReplyError } from '../protocol/reply.ts'
import { BusyScripts, killMessage } from './busy.ts'
import { luaBytes, luaToReply, oneLine, toLuaString } from './conversions.ts'
import { scriptLimits } from './lua51/fengari-patches.ts'
import { openRedisLib } from './redis-lib.ts'
import { createSandbox, setProtectedGlobal } from './sandbox.ts'
import { type CachedScript, ScriptCache } from './script-cache.ts'
import { ScriptRun } from './script-run.ts'

/** One Lua state with its compiled scripts. */
interface LuaEnvironment {
  readonly L: LuaState
  readonly cache: ScriptCache
  /** A finished coroutine kept for the next script (creating one per EVAL costs more than reusing it). */
  spare: LuaState | null
}

/** Status for a resume that failed outside Lua (a JavaScript exception escaped fengari). */
const HOST_FAILURE = -1

export class ScriptingHost {
  /** The script running now (at most one: scripts run under the database lease). */
  current: ScriptRun | null = null
  readonly busy: BusyScripts
  private env: LuaEnvironment | null = null

  constructor(readonly engine: Engine) {
    this.busy = new BusyScripts(this)
  }

  private environment(): LuaEnvironment {
    if (this.env) return this.env
    const L = createSandbox({
      random: this.engine.random,
      isScriptThread: (L1) => this.current?.thread === L1,
      openRedis: (L1) => openRedisLib(L1, this),
      onInternalError: (err) => {
        const detail = err instanceof Error ? (err.stack ?? err.message) : String(err)
        this.engine.logAt('warning', `internal error inside a Lua script: ${detail}`)
      },
    })
    this.env = { L, cache: new ScriptCache(L), spare: null }
    return this.env
  }

  get cache(): ScriptCache {
    return this.environment().cache
  }

  /** SCRIPT FLUSH: forget every script and start a fresh Lua state (as Redis does) when one is next needed. */
  flush(): void {
    this.env = null
  }

  /** Whether `L` may yield to the host now (see ScriptRun.canYield). */
  canYield(run: ScriptRun, L: LuaState): boolean {
    return run.canYield(L, lua.lua_isyieldable)
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
    if (this.current) {
      // Scripts run under the database lease, so another one cannot be running; a redsim bug if it is.
      return new ReplyError('ERR internal error: a script is already running')
    }
    const env = this.environment()
    const thread = env.spare ?? this.newThread(env.L)
    env.spare = null
    const frame: ScriptFrame = { sha: script.sha, readOnly, wrote: false, db: ctx.db.index }
    const run = new ScriptRun(ctx, script, frame, thread, this.engine.clock.now())
    this.current = run
    try {
      pushStringArray(env.L, keys)
      setProtectedGlobal(env.L, 'KEYS')
      pushStringArray(env.L, args)
      setProtectedGlobal(env.L, 'ARGV')
      lua.lua_rawgeti(thread, lua.LUA_REGISTRYINDEX, script.ref)
      this.busy.start(run)
    } catch (err) {
      this.current = null
      throw err
    }
    return this.resume(run, env)
  }

  private newThread(L: LuaState): LuaState {
    const thread = lua.lua_newthread(L)
    lua.lua_pop(L, 1)
    return thread
  }

  private resume(run: ScriptRun, env: LuaEnvironment): Reply | Promise<Reply> {
    const status = this.step(run)
    if (status !== lua.LUA_YIELD) return this.finish(run, env, status)
    const pending = run.pending
    run.pending = null
    if (!pending) return this.finish(run, env, HOST_FAILURE)
    return pending.then(
      () => this.resume(run, env),
      (err: unknown) => {
        this.engine.logAt('warning', `a script's wait failed: ${err instanceof Error ? err.message : String(err)}`)
        return this.finish(run, env, HOST_FAILURE)
      },
    )
  }

  /** One synchronous stretch of the script, with its resource limits in force. */
  private step(run: ScriptRun): number {
    scriptLimits.maxStringLength = this.engine.config.getNumber('proto-max-bulk-len')
    try {
      return lua.lua_resume(run.thread, null, 0)
    } catch (err) {
      this.engine.logAt('warning', `Lua host failure: ${err instanceof Error ? (err.stack ?? err.message) : err}`)
      return HOST_FAILURE
    } finally {
      scriptLimits.maxStringLength = Number.POSITIVE_INFINITY
    }
  }

  /** Builds the reply and cleans up, in every path: busy state cleared, hook removed, the coroutine recycled. */
  private finish(run: ScriptRun, env: LuaEnvironment, status: number): Reply {
    let reply: Reply
    try {
      if (status === HOST_FAILURE) {
        reply = new ReplyError('ERR internal error while running the script')
      } else if (status === lua.LUA_OK && !run.killed) {
        const thread = run.thread
        const options = { scriptResp: run.resp, clientResp: run.ctx.client.protocol }
        reply = lua.lua_gettop(thread) >= 1 ? luaToReply(thread, 1, options) : null
      } else {
        reply = this.errorReply(run)
      }
    } catch (err) {
      reply = this.engine.internalError(err, 'eval')
    } finally {
      this.busy.stop(run)
      this.current = null
      if (status === lua.LUA_OK && this.env === env) {
        lua.lua_settop(run.thread, 0)
        env.spare = run.thread
      }
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
    if (run.killed) message = killMessage(run.killed)
    else if (lua.lua_gettop(thread) === 0) message = 'ERR unknown error'
    else message = errorText(thread)
    const position = errorPosition(thread)
    const suffix = position ? ` script: ${run.script.sha}, on ${position.source}:${position.line}.` : ''
    return new ReplyError(oneLine(message + suffix))
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

/** Pushes a Lua array of the given byte strings (KEYS, ARGV), binary-safe and without copying. */
function pushStringArray(L: LuaState, values: Buffer[]): void {
  lua.lua_createtable(L, values.length, 0)
  for (let i = 0; i < values.length; i++) {
    lua.lua_pushstring(L, toLuaString(values[i]))
    lua.lua_rawseti(L, -2, i + 1)
  }
}

const hosts = new WeakMap<Engine, ScriptingHost>()

/** The scripting host of `engine`, created on first use. */
export function scriptingHost(engine: Engine): ScriptingHost {
  let host = hosts.get(engine)
  if (!host) {
    host = new ScriptingHost(engine)
    hosts.set(engine, host)
  }
  return host
}
