import { type CommandSpec, firstKey, integerArg } from './command-spec.ts'
import type { KeyspaceDraft } from './keyspace-state.ts'
import { ModelErrors, type ModelReply } from './reply.ts'

/**
 * Key expiry on the virtual clock. The model's clock only moves when the history announces it (a `{ clock }`
 * operation, one per timer event of the simulator), so every operation between two announcements sees the same
 * time, exactly as on the simulated server. A key is expired when now > its expiry time (Redis's `keyIsExpired`).
 */

const INT64_MAX = 2n ** 63n - 1n

/** Absolute expiry (ms) of an EX/PX/EXAT/PXAT amount at `now`, or undefined when it overflows. */
export function expiryTime(option: string, amount: bigint, now: number): number | undefined {
  const seconds = option === 'EX' || option === 'EXAT'
  if (seconds && (amount > INT64_MAX / 1000n || amount < -INT64_MAX / 1000n)) return undefined
  const ms = seconds ? amount * 1000n : amount
  const at = option === 'EX' || option === 'PX' ? ms + BigInt(Math.floor(now)) : ms
  return at > INT64_MAX ? undefined : Number(at)
}

/** EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT without the 7.0 NX/XX/GT/LT options. */
function expire(option: 'EX' | 'PX' | 'EXAT' | 'PXAT', name: string) {
  return (db: KeyspaceDraft, argv: readonly string[]): ModelReply => {
    if (argv.length > 3) throw new Error(`model: ${name} options (${argv.slice(3).join(' ')}) are not modelled`)
    const at = expiryTime(option, integerArg(argv[2]), db.now)
    if (at === undefined) throw ModelErrors.invalidExpire(name)
    const key = argv[1]
    if (db.get(key) === undefined) return 0
    // A time already past deletes the key at once (Redis's checkAlreadyExpired: when <= now).
    if (at <= db.now) db.delete(key)
    else db.setExpiry(key, at)
    return 1
  }
}

function ttl(db: KeyspaceDraft, key: string, unitMs: number): ModelReply {
  if (db.get(key) === undefined) return -2
  const at = db.expiresAt(key)
  if (at === undefined) return -1
  const remaining = Math.max(0, at - db.now)
  return unitMs === 1 ? remaining : Math.floor((remaining + 500) / 1000)
}

export const expiryCommands: CommandSpec[] = [
  { name: 'EXPIRE', arity: -3, keys: firstKey, run: expire('EX', 'expire') },
  { name: 'PEXPIRE', arity: -3, keys: firstKey, run: expire('PX', 'pexpire') },
  { name: 'EXPIREAT', arity: -3, keys: firstKey, run: expire('EXAT', 'expireat') },
  { name: 'PEXPIREAT', arity: -3, keys: firstKey, run: expire('PXAT', 'pexpireat') },
  { name: 'TTL', arity: 2, keys: firstKey, run: (db, argv) => ttl(db, argv[1], 1000) },
  { name: 'PTTL', arity: 2, keys: firstKey, run: (db, argv) => ttl(db, argv[1], 1) },
  {
    name: 'PERSIST',
    arity: 2,
    keys: firstKey,
    run: (db, argv) => {
      if (db.get(argv[1]) === undefined || db.expiresAt(argv[1]) === undefined) return 0
      db.setExpiry(argv[1], undefined)
      return 1
    },
  },
]

/** Moves the clock to `now` and expires what has passed (touching WATCHes, as Redis 7.0 does). */
export function advanceClock(db: KeyspaceDraft, now: number): void {
  db.now = now
  for (const key of db.expiredKeys()) db.delete(key)
}
