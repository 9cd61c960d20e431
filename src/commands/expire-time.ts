/**
 * Exact key expiry times. Database.expires holds milliseconds as JS numbers, exact up to 2^53 (the year 287396).
 * Redis accepts any int64 (`PEXPIREAT k 9223372036854775807`, then `PEXPIRETIME k` answers that same number), so the
 * rare times beyond 2^53 also keep their exact value in a side table here. The number in Database.expires stays the
 * authority for "is it expired" (rounding cannot matter that far out); the side entry only restores the exact
 * digits, and is trusted only while the stored number still equals it rounded, so a stale entry (the key was
 * deleted or given another expiry elsewhere) is never used.
 */
import type { Clock } from '../engine/clock.ts'
import type { Engine } from '../engine/engine.ts'
import type { Database } from '../keyspace/database.ts'
import { KeyTable } from '../keyspace/key-table.ts'

const exactTimes = new WeakMap<Database, { times: KeyTable<bigint>; pruneAt: number }>()

/** The absolute expiry of an existing key in ms, exact: a number when it fits, else a bigint. Undefined: none. */
export function getExpireAt(db: Database, key: string): number | bigint | undefined {
  const at = db.getExpire(key)
  if (at === undefined || Number.isSafeInteger(at)) return at
  const exact = exactTimes.get(db)?.times.get(key)
  return exact !== undefined && Number(exact) === at ? exact : at
}

/** Sets the absolute expiry (ms) of an existing key, keeping the exact value when it does not fit a double. */
export function setExpireAt(db: Database, key: string, at: bigint | number): void {
  const approx = Number(at)
  db.setExpire(key, approx)
  if (typeof at === 'number' || Number.isSafeInteger(approx)) return
  let side = exactTimes.get(db)
  if (!side) {
    side = { times: new KeyTable(), pruneAt: 64 }
    exactTimes.set(db, side)
  }
  side.times.set(key, at)
  if (side.times.size >= side.pruneAt) {
    // Drop entries that no longer describe their key; amortized O(1) per insertion.
    for (const [k, exact] of side.times) if (db.expires.get(k) !== Number(exact)) side.times.delete(k)
    side.pruneAt = Math.max(64, side.times.size * 2)
  }
}

/** `at - now` exactly, as Redis's long long arithmetic gives it. */
export function msUntil(at: number | bigint, now: number): number | bigint {
  return typeof at === 'number' ? at - now : at - BigInt(now)
}

/** Redis's mstime(): whole milliseconds of the given clock. */
export function nowMs(clock: Clock): number {
  return Math.floor(clock.now())
}

/**
 * The instant a command works at, in whole ms: the keyspace's clock, which stands still inside a script or EXEC, so
 * that TTL, PTTL, relative EXPIRE options and SET's EX/PX see the same instant as expiry does there (Redis 7.2's
 * command-time snapshot; 7.0 read the wall clock for these). The simulator's `ttl-live-clock` mutant reads the live
 * clock instead, as 7.0 did.
 */
export function commandNowMs(engine: Engine): number {
  return nowMs(engine.variant.commandTimeSnapshot ? engine.keyspace.clock : engine.clock)
}
