/**
 * Active expiry, as Redis 7.0's activeExpireCycle does it: keys with a TTL are deleted by a periodic pass even when
 * nobody reads them. Each database is walked from a cursor that persists across passes (Redis's expires_cursor), 20
 * keys at a time; a database is walked again at once while more than 10% of the keys just looked at had expired, so a
 * mass of expired keys is cleared in one pass instead of 20 keys per tick. A pass stops at its time budget (25% of the
 * cron period for the slow cycle, 1 ms for the fast one, checked every 16 loops as Redis does) and never walks a
 * database more than twice, so its work is bounded even on a clock that does not move (the simulator's).
 *
 * Time comes from the engine clock only, so the simulator runs exactly this pass on virtual time.
 */
import type { Database } from '../keyspace/database.ts'
import type { Clock } from './clock.ts'

/** Keys looked at per loop (ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP). */
export const KEYS_PER_LOOP = 20
/** Walk again while more than this percentage of the sampled keys had expired (ACTIVE_EXPIRE_CYCLE_ACCEPTABLE_STALE). */
export const ACCEPTABLE_STALE_PERCENT = 10
/** The slow cycle may use this share of each cron period (ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC). */
const SLOW_CYCLE_PERCENT = 25
/** The fast cycle's budget in µs (ACTIVE_EXPIRE_CYCLE_FAST_DURATION). */
export const FAST_CYCLE_MICROS = 1000
/** Loops between two looks at the clock. */
const LOOPS_PER_CLOCK_CHECK = 16

export type ExpireCycleKind = 'slow' | 'fast'

export interface ExpireCycleResult {
  expired: number
  sampled: number
  /** The pass stopped at its time budget with work left. */
  timedOut: boolean
  /** Percentage of expired keys among those sampled (Redis's expired_stale_perc estimate for this pass). */
  stalePercent: number
}

/** The slow cycle's budget in µs for a server running its cron `hz` times a second. */
export function slowCycleMicros(hz: number): number {
  return Math.floor((1_000_000 * SLOW_CYCLE_PERCENT) / Math.max(1, hz) / 100)
}

/** One pass over every database. Deletes through `Database.expireStep`, so the caller must hold the lease. */
export function activeExpireCycle(dbs: readonly Database[], clock: Clock, budgetMicros: number): ExpireCycleResult {
  const start = Number(clock.nowMicros())
  let expired = 0
  let sampled = 0
  let loops = 0
  let timedOut = false
  for (const db of dbs) {
    if (timedOut) break
    let laps = 0
    for (;;) {
      if (db.expires.size === 0) break
      const step = db.expireStep(KEYS_PER_LOOP)
      expired += step.expired
      sampled += step.sampled
      if (step.wrapped) laps++
      if (++loops % LOOPS_PER_CLOCK_CHECK === 0 && Number(clock.nowMicros()) - start > budgetMicros) {
        timedOut = true
        break
      }
      const stale = step.sampled > 0 && step.expired * 100 > step.sampled * ACCEPTABLE_STALE_PERCENT
      if (!stale || laps >= 2) break
    }
  }
  return { expired, sampled, timedOut, stalePercent: sampled === 0 ? 0 : (100 * expired) / sampled }
}
