/** The state of one running script: its caller's context, its frame, its coroutine and what it waits for. */
import type { LuaState } from 'fengari'
import type { CommandContext, CommandSpec, ScriptFrame } from '../commands/types.ts'
import type { Reply } from '../protocol/reply.ts'
import type { Protocol } from '../protocol/resp-encoder.ts'
import type { CachedScript } from './script-cache.ts'

/** Why a script is being stopped: SCRIPT KILL, SHUTDOWN NOSAVE, or a busy loop that cannot be paused. */
export type KillReason = 'user' | 'shutdown' | 'stuck'

/** A redis.call that yielded to the scheduling seam (or to an asynchronous command) and resumes later. */
export interface PendingCall {
  readonly spec: CommandSpec
  readonly argv: Buffer[]
  readonly raise: boolean
  /** Set when the command itself had to wait: its reply, delivered by the continuation. */
  reply?: Reply
}

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
  readonly startedAt: number
  /** Last time the script let the event loop run (or started); a busy script that cannot yield is measured from it. */
  lastYieldAt: number

  constructor(
    readonly ctx: CommandContext,
    readonly script: CachedScript,
    readonly frame: ScriptFrame,
    readonly thread: LuaState,
    now: number,
  ) {
    this.startedAt = now
    this.lastYieldAt = now
  }

  /** Whether the host can suspend the script here: in its own coroutine, outside any non-yieldable C call. */
  canYield(L: LuaState, isYieldable: (L: LuaState) => boolean): boolean {
    return L === this.thread && isYieldable(L)
  }
}
