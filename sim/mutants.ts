/**
 * Mutants: the executor with one atomicity mechanism deliberately broken, to prove the harness sees real bugs. This is
 * the only place broken variants are constructed; the server cannot reach them.
 */
import { CORRECT_EXECUTOR, type ExecutorVariant } from '../src/engine/variant.ts'

function mutant(
  name: string,
  broken: Partial<ExecutorVariant>,
  summary: string,
): ExecutorVariant & { summary: string } {
  return Object.freeze({ ...CORRECT_EXECUTOR, ...broken, name, summary })
}

export const MUTANTS: ReadonlyMap<string, ExecutorVariant & { summary: string }> = new Map(
  [
    mutant(
      'per-call-lock',
      { scriptsHoldLease: false },
      "the seed's pre-fix behaviour: each redis.call acquires and releases the lock itself, the script holds none",
    ),
    mutant(
      'exec-unlocked',
      { execHoldsLease: false },
      'EXEC runs its queued commands without holding the lock across them',
    ),
    mutant('evalsha-unlocked', { evalshaHoldsLease: false }, 'EVALSHA skips the script-wide lock (EVAL keeps it)'),
    mutant(
      'watch-blind-to-scripts',
      { scriptWritesTouchWatch: false },
      'writes made by scripts do not invalidate WATCH',
    ),
    mutant('lock-leak-on-error', { scriptErrorReleasesLease: false }, 'a script that raises never releases the lock'),
    mutant(
      'cron-ignores-lease',
      { cronTakesLease: false },
      'the periodic expiry pass runs whenever its timer fires, even inside a script or EXEC',
    ),
    mutant(
      'ttl-live-clock',
      { commandTimeSnapshot: false },
      'TTL and PTTL inside a script or EXEC read the live clock, not the instant the block started',
    ),
    mutant(
      'exec-stops-at-error',
      { execRunsPastErrors: false },
      'EXEC stops at the first queued command that fails at run time instead of running the rest',
    ),
    mutant(
      'expiry-blind-watch',
      { expiryTouchesWatch: false },
      'deleting an expired key (lazily or by active expiry) does not invalidate the WATCHes on it',
    ),
    mutant(
      'pcall-raises-reply-errors',
      { pcallReturnsReplyErrors: false },
      "redis.pcall raises a command's error reply like redis.call instead of returning it to the script",
    ),
    mutant(
      'serve-left-waiter',
      { serveRechecksWaiter: false },
      "a blocked client that timed out, was unblocked or disconnected stays in its keys' queues and the next push serves it: an element popped for nobody",
    ),
    mutant(
      'handoff-overtaken',
      { lockReservedForHandOver: false },
      "the lock's fast path grants a newcomer the lock while a release hands it to a queued waiter, which then runs alongside",
    ),
    mutant(
      'pipeline-overtakes-blocked',
      { connectionWaitsForBlocked: false },
      'bytes arriving while a command is blocked on keys start the next pipelined command of that connection at once, ahead of the blocked one',
    ),
  ].map((m) => [m.name, m]),
)

export const MUTANT_NAMES = [...MUTANTS.keys()]

/** 'correct' (or undefined) is the correct executor; anything else must be a known mutant. */
export function variantNamed(name: string | undefined): ExecutorVariant {
  if (name === undefined || name === 'correct' || name === 'none') return CORRECT_EXECUTOR
  const found = MUTANTS.get(name)
  if (!found) throw new Error(`unknown mutant '${name}' (known: ${MUTANT_NAMES.join(', ')})`)
  return found
}
