/**
 * Long-running scripts (Redis 7.0's scriptInterrupt and SCRIPT KILL).
 *
 * An instruction-count hook runs every SLICE_INSTRUCTIONS instructions of a script. At each slice:
 *   - the scheduling seam gets a 'busy-slice' point (the simulator may pause the script there; time may pass);
 *   - once the script has run for busy-reply-threshold ms (on the injected clock) it becomes *busy*: other clients get
 *     BUSY for everything but the allow_busy commands, which run under the script's lease (see the executor);
 *   - while busy, the script yields to the event loop at every slice (through the server layer's yieldToEventLoop),
 *     so that other connections are read and answered while the script holds the lock.
 * SCRIPT KILL marks the script killed. As in Redis, the kill error is raised in the thread the script was suspended
 * in (a coroutine's resumer receives it as coroutine.resume's result, and is stopped itself at its own next slice);
 * the hook of that thread then fires at every instruction and raises the kill error each time, so pcall cannot
 * swallow it. A script that still ends normally gets its normal reply, as in Redis.
 *
 * The hook runs in every thread of the script: its own coroutine, and the coroutines it creates (a new thread inherits
 * its creator's hook), including inside table.sort comparators. A slice inside a coroutine the script resumed is a
 * pause point too: the yield is passed up through coroutine.resume (see lua51/coroutines.ts). Only inside a
 * non-yieldable C call (a metamethod called from a library function, a string.gsub callback) can the host not suspend
 * the script; the slice then only checks for a kill, and the script goes on until it leaves that call.
 *
 * A script is never stopped on a timer: like Redis, only SCRIPT KILL (before its first write) or SHUTDOWN NOSAVE end
 * a busy script. Stopping one that has written would leave its writes half done. The one exception is a script about
 * to exhaust the JavaScript heap, stopped at a slice whatever it wrote (script-memory.ts).
 */
import { type LuaHook, type LuaState, lua } from 'fengari'
import type { HeapReading } from '../engine/heap-headroom.ts'
import { OK, type Reply, ReplyError } from '../protocol/reply.ts'
import { pushErrorTable } from './conversions.ts'
import type { ScriptingHost } from './lua-host.ts'
import { activeRun } from './active-run.ts'
import type { KillReason, RunnableScript, ScriptRun } from './script-run.ts'
import { heapExhausted, logStoppedForMemory, OUT_OF_MEMORY_ERROR } from './script-memory.ts'

/** Instructions between two hook calls by default (Redis's count); the hidden `lua-slice-instructions` changes it. */
export const SLICE_INSTRUCTIONS = 100_000

export const BUSY_ERROR = 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.'
/** The BUSY error while a function is busy (Redis's slowscripterr; the one above is its slowevalerr). */
export const BUSY_FUNCTION_ERROR =
  'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.'
const NOTBUSY_ERROR = 'NOTBUSY No scripts in execution right now.'
const UNKILLABLE_ERROR =
  'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the ' +
  'script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.'

const KILL_MESSAGES: Record<KillReason, string> = {
  user: 'Script killed by user with SCRIPT KILL...',
  shutdown: 'Script killed by user with SCRIPT KILL...',
  memory: `-${OUT_OF_MEMORY_ERROR}`,
}

/** The count hook of every script coroutine: the slice belongs to the run being resumed. */
const sliceHook: LuaHook = (L) => {
  const run = activeRun()
  if (run) run.host.busy.onSlice(L, run)
}

export class BusyScripts {
  /** Instructions per slice of the scripts started last (lua-slice-instructions). */
  private slice = SLICE_INSTRUCTIONS

  constructor(private readonly host: ScriptingHost) {}

  start(run: ScriptRun): void {
    this.slice = this.host.engine.config.getNumber('lua-slice-instructions')
    lua.lua_sethook(run.thread, sliceHook, lua.LUA_MASKCOUNT, this.slice)
  }

  /** Always called when a script ends, however it ends. */
  stop(run: ScriptRun): void {
    lua.lua_sethook(run.thread, null, 0, 0)
    if (run.busy) {
      run.busy = false
      const engine = this.host.engine
      engine.busyCheck = null
      engine.busyLease = null
    }
  }

  onSlice(L: LuaState, run: ScriptRun): void {
    const host = this.host
    if (run.killed) this.raiseKilled(L, run)
    // The one stop after a write (see script-memory.ts): the alternative is V8 ending the process.
    const heap = heapExhausted(this.slice)
    if (heap) this.stopForMemory(L, run, heap)
    const engine = host.engine
    const now = engine.clock.now()
    const threshold = engine.config.getNumber('busy-reply-threshold')
    if (!run.busy && threshold > 0 && now - run.startedAt >= threshold) this.enterBusy(run, now)
    if (!run.canYield(L)) return
    const pause = engine.seam.point('busy-slice', run.ctx.client)
    const loop = run.busy ? engine.yieldToEventLoop : null
    if (!pause && !loop) return
    run.pausedIn = L
    run.pending = pause ? (loop ? pause.then(loop) : pause) : loop!()
    lua.lua_yield(L, 0)
  }

  private enterBusy(run: ScriptRun, now: number): void {
    const engine = this.host.engine
    run.busy = true
    engine.logAt(
      'warning',
      `Slow script detected: still in execution after ${Math.round(now - run.startedAt)} milliseconds. You can try ` +
        `killing the script using the ${killCommand(run)} command. Script name is: ${run.script.name}.`,
    )
    const busyError = new ReplyError(run.script.kind === 'function' ? BUSY_FUNCTION_ERROR : BUSY_ERROR)
    engine.busyCheck = (spec) => (spec.flags.includes('allow_busy') ? null : busyError)
    engine.busyLease = run.ctx.lease.alive ? run.ctx.lease : null
  }

  /**
   * Stops `run` because the heap is nearly exhausted, from the hook or from inside a library call that allocates many
   * values at once (script-memory.ts): logged, then raised as a kill is.
   */
  stopForMemory(L: LuaState, run: ScriptRun, heap: HeapReading): never {
    logStoppedForMemory(run, heap)
    run.killed = 'memory'
    return this.raiseKilled(L, run)
  }

  /** Raises the kill error from the hook and makes this thread's hook fire at every instruction from now on. */
  private raiseKilled(L: LuaState, run: ScriptRun): never {
    lua.lua_sethook(L, sliceHook, lua.LUA_MASKCOUNT, 1)
    pushErrorTable(L, KILL_MESSAGES[run.killed ?? 'user'], false)
    return lua.lua_error(L)
  }

  /**
   * SCRIPT KILL (`eval`) or FUNCTION KILL (`function`): each stops only its own kind of script, after the checks
   * that apply to both (scriptKill).
   */
  kill(kind: RunnableScript['kind']): Reply {
    const run = this.host.current
    if (!run) return new ReplyError(NOTBUSY_ERROR)
    if (run.frame.wrote) return new ReplyError(UNKILLABLE_ERROR)
    if (run.script.kind !== kind) return new ReplyError(kind === 'eval' ? BUSY_FUNCTION_ERROR : BUSY_ERROR)
    this.markKilled(run, 'user')
    return OK
  }

  /** Stops the running script at its next instruction, whatever it wrote (SHUTDOWN NOSAVE). */
  abort(reason: KillReason): void {
    const run = this.host.current
    if (run) this.markKilled(run, reason)
  }

  private markKilled(run: ScriptRun, reason: KillReason): void {
    run.killed = reason
    if (reason === 'user') this.host.engine.logAt('warning', 'Lua script killed by user with SCRIPT KILL.')
    // Redis raises the kill in the hook call that received it: here, at the next instruction of the suspended thread.
    lua.lua_sethook(run.pausedIn ?? run.thread, sliceHook, lua.LUA_MASKCOUNT, 1)
  }
}

function killCommand(run: ScriptRun): string {
  return run.script.kind === 'function' ? 'FUNCTION KILL' : 'SCRIPT KILL'
}
