/**
 * The scheduling seam: the one interface the executor calls at every point where another client could run before it
 * continues. Production passes `productionSeam`, which returns nothing, so no `await` happens unless something waits.
 * The simulator passes an implementation that parks the actor there and lets its scheduler pick who runs next.
 *
 * The executor names the site and the actor explicitly (no ambient async context), so a trace can say who did what.
 */

/** Whoever issues commands: a TCP connection, an in-process client or a simulated client. */
export interface Actor {
  readonly id: number
  readonly name: string
}

export type SeamSite =
  /** A command has arrived from the actor and is about to be dispatched. */
  | 'arrive'
  /** The actor is about to wait for the database lock. */
  | 'lock-wait'
  /**
   * A release handed the lock to the actor, which waited for it; it has not resumed yet (no lease is granted). Anyone
   * may run meanwhile: the lock must stay reserved for the actor, so that nobody overtakes it on the fast path.
   */
  | 'lock-handed'
  /** The actor has just acquired the database lock. */
  | 'lock-acquired'
  /** A script is about to run one `redis.call`/`redis.pcall` under its lease. */
  | 'script-call'
  /** EXEC is about to run one queued command under its lease. */
  | 'exec-step'
  /** The reply is produced and about to be delivered to the actor. */
  | 'reply'
  /** A long-running script reached a slice boundary of its instruction-count hook. */
  | 'busy-slice'
  /**
   * The lease holder is about to serve a client blocked on a key its command gave data to (BLPOP & co.), under its
   * lease; the detail names the blocked client. Meanwhile that client may time out, be unblocked or disconnect.
   */
  | 'serve'
  /** A timer or expiry event of the (virtual) clock is due. */
  | 'timer'

/** What the keyspace reports to a recording seam: one read or write of one key. */
export type AccessKind = 'read' | 'write'

export interface AccessRecorder {
  access(kind: AccessKind, db: number, key: string): void
  /**
   * A client's command starts running under the lease, at `now` on the engine clock: the instant its handler (and, for
   * a script or EXEC, every command inside it) sees. Time may have moved since the lock was acquired.
   */
  commandStarted?(client: Actor, now: number): void
}

export interface SchedulingSeam {
  /** Returns undefined to continue at once, or a promise that resolves when the actor may continue. */
  point(site: SeamSite, actor: Actor, detail?: string): void | Promise<void>
  /** The lock reports that `actor` starts waiting for it (it is now blocked, not runnable). */
  lockWaiting?(actor: Actor): void
  /** A release handed the lock to `actor`, which becomes runnable and continues as soon as microtasks run. */
  lockHandedTo?(actor: Actor): void
  /**
   * A blocking command (BLPOP, ...) found no data: `actor` waits for a key or its timeout. Called once its lease is
   * released, just before the actor starts waiting.
   */
  blockedOnKeys?(actor: Actor): void
  /**
   * The blocked `actor` was served (`served`: its command ran, under the lease of the command that gave it data), or
   * timed out, was unblocked or disconnected; it continues as soon as microtasks run.
   */
  unblocked?(actor: Actor, served: boolean): void
  /**
   * CLIENT PAUSE holds back `actor`'s command before it took the lock: the actor waits for the pause to end (or for
   * its own disconnect), then its command is processed again from the start.
   */
  postponed?(actor: Actor): void
  /** The pause ended (or the postponed actor disconnected): it continues as soon as microtasks run. */
  resumed?(actor: Actor): void
  /** When present, every keyspace read and write is reported here (simulation only; production pays nothing). */
  readonly recorder?: AccessRecorder
  /**
   * True when `point` never reads its `detail`: callers may then skip building it (the command name of every arriving
   * command is a string allocation, a tenth of a GET's cost). Absent means details are wanted.
   */
  readonly ignoresDetail?: boolean
}

/** Production: every point is a no-op; `point` returns undefined so callers skip their `await`. */
export const productionSeam: SchedulingSeam = {
  point(): void {},
  ignoresDetail: true,
}
