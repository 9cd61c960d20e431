/**
 * Executor variants: the few mechanisms that make scripts and EXEC atomic, spelled as flags so that the simulator can
 * run the real executor with one of them deliberately broken (a *mutant*) and prove that its checkers notice.
 *
 * The server only ever uses `CORRECT_EXECUTOR`: `EngineOptions.variant` is not reachable from the server's command
 * line or from any client command. Broken variants are assembled in one place, `sim/mutants.ts`.
 *
 * Each flag reads "the correct mechanism is in place" when true, so a mutant is `{ ...CORRECT_EXECUTOR, flag: false }`.
 */
export interface ExecutorVariant {
  /** Shown in traces and reports: `correct`, or the mutant's name. */
  readonly name: string
  /**
   * A script (EVAL, EVAL_RO, EVALSHA, EVALSHA_RO from a client) holds its lease from its first instruction to its
   * reply. False is the seed's pre-fix behaviour (`per-call-lock`): the script releases the lease as it starts and each
   * `redis.call` acquires and releases the lock by itself.
   */
  readonly scriptsHoldLease: boolean
  /** Like `scriptsHoldLease`, for EVALSHA and EVALSHA_RO only (`evalsha-unlocked`: EVAL was fixed, EVALSHA forgotten). */
  readonly evalshaHoldsLease: boolean
  /**
   * EXEC holds its lease across all its queued commands. False (`exec-unlocked`): EXEC releases the lease and each
   * queued command acquires and releases the lock by itself, so other clients can run in between.
   */
  readonly execHoldsLease: boolean
  /** Writes made by a script invalidate WATCH like any other write. False: `watch-blind-to-scripts`. */
  readonly scriptWritesTouchWatch: boolean
  /** A script that raises an error still releases its lease. False: `lock-leak-on-error`. */
  readonly scriptErrorReleasesLease: boolean
  /**
   * The periodic expiry pass takes the lock like any actor and is skipped while someone holds it. False
   * (`cron-ignores-lease`): it runs whenever its timer fires, deleting expired keys in the middle of a script or EXEC.
   */
  readonly cronTakesLease: boolean
  /**
   * TTL, PTTL, relative EXPIRE options and SET EX/PX inside a script or EXEC use the instant the script or EXEC
   * started, as expiry does. False (`ttl-live-clock`): they read the live clock, so a TTL read after time moved
   * disagrees with the value read before it in the same atomic block.
   */
  readonly commandTimeSnapshot: boolean
  /**
   * A client blocked on keys (BLPOP & co.) that stops waiting (timed out, unblocked, disconnected) leaves its keys'
   * queues, and a push serves only clients still waiting, checked again after the 'serve' scheduling point. False
   * (`serve-left-waiter`): it stays queued and is never re-checked, so a later push serves it anyway: an element is
   * popped for a client that no longer waits, and its reply goes nowhere.
   */
  readonly serveRechecksWaiter: boolean
  /**
   * A release that hands the lock to a queued waiter keeps it reserved for that waiter until the waiter resumes: the
   * fast path (Lock.tryAcquire) grants nobody meanwhile. False (`handoff-overtaken`): the fast path only looks for a
   * live lease, so a newcomer (or the cron) arriving between the release and the waiter's resumption takes the lock,
   * and the waiter, once it resumes, runs alongside it.
   */
  readonly lockReservedForHandOver: boolean
  /**
   * EXEC runs every queued command, a failing one included, and puts each error in its place in the reply array
   * (Redis has no rollback). False (`exec-stops-at-error`): EXEC stops at the first command that fails at run time.
   */
  readonly execRunsPastErrors: boolean
  /**
   * Deleting an expired key (lazily on access, or by active expiry) invalidates the WATCHes on it, as Redis 7.0's
   * deleteExpiredKeyAndPropagate touches the key. False (`expiry-blind-watch`): the deletion leaves WATCH intact.
   */
  readonly expiryTouchesWatch: boolean
  /**
   * redis.pcall returns a command's error reply to the script as an error table, as it does for the failures found
   * before the command runs. False (`pcall-raises-reply-errors`): a command that ran and failed raises from redis.pcall
   * as from redis.call, ending the script that meant to carry on.
   */
  readonly pcallReturnsReplyErrors: boolean
  /**
   * A connection runs its commands one at a time, in the order they arrived: one blocked on keys (BLPOP & co.) holds
   * up everything pipelined behind it until it is served or times out, as in Redis. False
   * (`pipeline-overtakes-blocked`): bytes arriving while a command is blocked start the next command at once, so it
   * runs, and replies, ahead of the blocked one.
   */
  readonly connectionWaitsForBlocked: boolean
}

/** The executor as it must be; the default everywhere. */
export const CORRECT_EXECUTOR: ExecutorVariant = Object.freeze({
  name: 'correct',
  scriptsHoldLease: true,
  evalshaHoldsLease: true,
  execHoldsLease: true,
  scriptWritesTouchWatch: true,
  scriptErrorReleasesLease: true,
  cronTakesLease: true,
  commandTimeSnapshot: true,
  serveRechecksWaiter: true,
  lockReservedForHandOver: true,
  execRunsPastErrors: true,
  expiryTouchesWatch: true,
  pcallReturnsReplyErrors: true,
  connectionWaitsForBlocked: true,
})

/** The script commands a variant's script flags apply to (lower-case command names). */
const SCRIPT_COMMANDS = new Set(['eval', 'eval_ro', 'evalsha', 'evalsha_ro', 'fcall', 'fcall_ro'])
const EVALSHA_COMMANDS = new Set(['evalsha', 'evalsha_ro'])

export function isScriptCommand(name: string): boolean {
  return SCRIPT_COMMANDS.has(name)
}

/**
 * Whether a script started by command `name` keeps its lease for its whole run under `variant`. Only consulted for a
 * script a client called directly: a script inside EXEC always runs under EXEC's lease.
 */
export function scriptHoldsLease(variant: ExecutorVariant, name: string): boolean {
  if (!SCRIPT_COMMANDS.has(name)) return true
  if (!variant.scriptsHoldLease) return false
  return variant.evalshaHoldsLease || !EVALSHA_COMMANDS.has(name)
}
