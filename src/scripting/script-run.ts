/**
 * The frame of one running script: its caller's context (client, lease, database), its KEYS and ARGV, its SHA and
 * flags, its RESP mode (redis.setresp), its coroutine, and what it waits for. Everything a script's library calls
 * need is found here through the runtime's active run, never in host-wide state, so runs can be suspended and
 * resumed in any interleaving (runs of different engines sharing the process's Lua state; two runs of one engine
 * under a simulator mutant).
 */
import { lauxlib, type LuaState, lua } from 'fengari'
import type { CommandContext, CommandSpec, ScriptFrame } from '../commands/types.ts'
import type { Reply } from '../protocol/reply.ts'
import type { Protocol } from '../protocol/resp-encoder.ts'
import type { ScriptingHost } from './lua-host.ts'
import { setScriptGlobals } from './lua-strings.ts'
import { resumerOf } from './lua51/coroutines.ts'
import type { ScriptFlags } from './shebang.ts'

/** Why a script is being stopped: SCRIPT KILL, SHUTDOWN NOSAVE, or the heap nearly exhausted (script-memory.ts). */
export type KillReason = 'user' | 'shutdown' | 'memory'

/** A redis.call that yielded to the scheduling seam (or to an asynchronous command) and resumes later. */
export interface PendingCall {
  readonly spec: CommandSpec
  readonly argv: Buffer[]
  readonly raise: boolean
  /** Set when the command itself had to wait: its reply, delivered by the continuation. */
  reply?: Reply
}

/** What a run executes: an EVAL script (by SHA) or a function (by name), and the flags it was declared with. */
export interface RunnableScript {
  /** How errors, logs and FUNCTION STATS name it: the script's SHA1, or the function's name. */
  readonly name: string
  readonly kind: 'eval' | 'function'
  readonly flags: ScriptFlags
}

/** lauxlib's LUA_NOREF: a reference that refers to nothing. */
const NO_REF = -2

export class ScriptRun {
  /** The protocol redis.call replies are converted with (redis.setresp). */
  resp: Protocol = 2
  /** What the coroutine waits for when it yields; the host awaits it, then resumes. */
  pending: Promise<unknown> | null = null
  /** The redis.call to finish when the coroutine resumes. */
  call: PendingCall | null = null
  /** Past busy-reply-threshold: other clients get BUSY, SCRIPT KILL is accepted. */
  busy = false
  killed: KillReason | null = null
  /** The thread (the script's, or a coroutine it resumed) whose count hook last suspended the script. */
  pausedIn: LuaState | null = null
  readonly startedAt: number
  /**
   * The instant expiry is judged at throughout the run: its start, or the start of the EXEC it runs in (one instant
   * for the whole transaction, scripts included, as Redis 7.2's command-time snapshot has it).
   */
  expiryTime = 0
  /** Arguments on the coroutine's stack for its first resume (a function's keys and args tables), then 0. */
  startArgs = 0
  /** Registry references of this run's KEYS and ARGV tables while another run's are the globals. */
  private savedKeys = NO_REF
  private savedArgs = NO_REF

  constructor(
    readonly host: ScriptingHost,
    readonly ctx: CommandContext,
    readonly script: RunnableScript,
    readonly frame: ScriptFrame,
    readonly thread: LuaState,
    readonly keys: Buffer[],
    readonly args: Buffer[],
    now: number,
  ) {
    this.startedAt = now
  }

  /**
   * Whether the host can suspend the script while `L` runs: `L` is the script's coroutine, or a coroutine the script
   * resumed (through any number of others), and no thread on the way is inside a non-yieldable C call (a metamethod
   * called from a library function, a string.gsub callback, ...). coroutine.resume passes such a yield up.
   */
  canYield(L: LuaState): boolean {
    for (let t: LuaState | undefined = L; t; t = resumerOf(t)) {
      if (!lua.lua_isyieldable(t)) return false
      if (t === this.thread) return true
    }
    return false
  }

  /** Another run takes the globals: keep this run's KEYS and ARGV tables as they are now. */
  saveGlobals(L: LuaState): void {
    lua.lua_getglobal(L, 'KEYS')
    this.savedKeys = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
    lua.lua_getglobal(L, 'ARGV')
    this.savedArgs = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX)
  }

  /** Makes the saved tables the globals again; false when nothing was saved (the run's first resume). */
  restoreGlobals(L: LuaState): boolean {
    if (this.savedKeys === NO_REF) return false
    const keys = this.savedKeys
    const args = this.savedArgs
    setScriptGlobals(
      L,
      () => lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, keys),
      () => lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, args),
    )
    this.releaseSavedGlobals(L)
    return true
  }

  releaseSavedGlobals(L: LuaState): void {
    if (this.savedKeys === NO_REF) return
    lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, this.savedKeys)
    lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, this.savedArgs)
    this.savedKeys = NO_REF
    this.savedArgs = NO_REF
  }
}
