/**
 * CLIENT PAUSE and CLIENT UNPAUSE, as Redis 7.0's pauseClients / unpauseClients.
 *
 * - A pause has a type (WRITE or ALL) and an end time on the engine clock. A second pause keeps the later end and the
 *   more restrictive type. The end is a timer on the engine's TimerQueue, so the engine never reads real time.
 * - While paused, the executor postpones the commands the pause covers: with ALL every command, with WRITE the write
 *   and may-replicate commands (EVAL, EVALSHA, PUBLISH, PFCOUNT, ...) and an EXEC whose queue holds one. Inside MULTI a
 *   covered command waits before it is queued, as in Redis. Its client shows as blocked (flag `b`) meanwhile.
 * - When the pause ends (timeout or UNPAUSE), postponed clients go on in the order they were postponed, and their
 *   command is processed again from the start, as Redis reprocesses an unblocked postponed client.
 * - A postponed client that disconnects is forgotten at once (removeClient); its command is dropped.
 *
 * The executor consults `active` first, so nothing here costs anything on the path of a command while no pause is set.
 */
import type { CommandSpec } from '../commands/types.ts'
import type { Client } from './client.ts'
import type { SchedulingSeam } from './seam.ts'
import type { TimerHandle, TimerQueue } from './timers.ts'

export type PauseType = 'write' | 'all'

/** Redis orders pause types by restrictiveness: a new pause never loosens the current one. */
const RANK: Record<PauseType, number> = { write: 1, all: 2 }

/** What makes a command covered by a WRITE pause (Redis's is_may_replicate_command). */
function writesOrMayReplicate(spec: CommandSpec): boolean {
  return spec.flags.includes('write') || spec.flags.includes('may_replicate')
}

export class ClientPause {
  /** A pause is set: the one field the executor reads on every command. */
  active = false
  private type: PauseType | null = null
  private end = 0
  private timer: TimerHandle | null = null
  /** Postponed clients, in the order they were postponed, each with the function that lets it go on. */
  private readonly postponed = new Map<Client, () => void>()

  constructor(private readonly timers: TimerQueue) {}

  /** The current pause type, or null when nothing is paused. */
  get pauseType(): PauseType | null {
    return this.type
  }

  /** When the current pause ends (engine clock, ms); 0 when nothing is paused. */
  get endsAt(): number {
    return this.end
  }

  /** Clients waiting for the pause to end (counted as blocked clients, as Redis's BLOCKED_POSTPONE ones are). */
  get postponedCount(): number {
    return this.postponed.size
  }

  isPostponed(client: Client): boolean {
    return this.postponed.has(client)
  }

  /** CLIENT PAUSE: pauses until `end` (engine clock, ms), keeping a later end and a more restrictive type. */
  pause(end: number, type: PauseType): void {
    if (this.type === null || RANK[type] > RANK[this.type]) this.type = type
    if (!this.active || end > this.end) {
      this.end = Math.max(this.end, end)
      if (this.timer) this.timers.cancel(this.timer)
      this.timer = this.timers.schedule(this.end, () => {
        this.timer = null
        this.unpause()
      })
    }
    this.active = true
  }

  /** CLIENT UNPAUSE, or the pause's end: every postponed client goes on, in order. */
  unpause(): void {
    if (this.timer) this.timers.cancel(this.timer)
    this.timer = null
    this.active = false
    this.type = null
    this.end = 0
    const resume = [...this.postponed.values()]
    this.postponed.clear()
    for (const go of resume) go()
  }

  /**
   * Whether the current pause holds back `spec` from `client`. `queued` gives the specs of the client's MULTI queue,
   * asked for only for EXEC under a WRITE pause.
   */
  covers(client: Client, spec: CommandSpec, queued: () => Iterable<CommandSpec>): boolean {
    if (this.type === 'all') return true
    if (this.type !== 'write') return false
    if (writesOrMayReplicate(spec)) return true
    if (spec.name !== 'exec' || !client.multi) return false
    for (const inner of queued()) if (writesOrMayReplicate(inner)) return true
    return false
  }

  /**
   * Postpones `client` until the pause ends or the client is removed. One entry per client: a client sends its next
   * command only after this one's reply, so the map never holds more entries than there are clients.
   */
  postpone(client: Client, seam?: SchedulingSeam): Promise<void> {
    return new Promise<void>((resolve) => {
      this.postponed.set(client, () => {
        seam?.resumed?.(client)
        resolve()
      })
      // After the entry exists: a scheduler told of the wait may end the pause at once.
      seam?.postponed?.(client)
    })
  }

  /** A disconnected client: forgotten, and its postponed command let go (the executor then drops it). */
  removeClient(client: Client): void {
    const go = this.postponed.get(client)
    if (!go) return
    this.postponed.delete(client)
    go()
  }
}
