/**
 * Set commands (Redis 7.0 t_set.c). Members are latin1 strings inside the value and go back to clients as Buffers.
 * Every write goes through the Database (set for a new or replaced key, modified for a change in place, delete when
 * the set empties), so WATCH and the simulator's recorder see it.
 *
 * Reply order follows Redis where Redis has one: a set Redis would keep as an intset iterates in ascending numeric
 * order (see src/keyspace/types/set.ts), and SUNION/SDIFF (and SPOP of a whole set) list the result set they build,
 * which is an intset again when it can be.
 */
import type { Database } from '../keyspace/database.ts'
import { stringMatch } from '../keyspace/glob.ts'
import { DEFAULT_SET_MAX_INTSET_ENTRIES, RedisSet } from '../keyspace/types/set.ts'
import { Errors, type Reply, ReplyError, SetReply } from '../protocol/reply.ts'
import { isOption, keyOf } from './args.ts'
import {
  LONG_MAX,
  positiveLongArg,
  randomCountArg,
  rangeLongArg,
  scanCursorArg,
  scanOptionsArg,
  scanReply,
} from './collection-args.ts'
import { sample } from './random-sample.ts'
import { type CommandContext, command } from './types.ts'
import { NOTIFY_GENERIC, NOTIFY_SET } from '../keyspace/keyspace-events.ts'

/** The set at `key` for reading, undefined when absent; WRONGTYPE for another type. */
function readSet(db: Database, key: string): RedisSet | undefined {
  const value = db.get(key)
  if (value === undefined) return undefined
  if (!(value instanceof RedisSet)) throw Errors.wrongType()
  return value
}

/** The set at `key` for writing, undefined when absent; WRONGTYPE for another type. */
function writableSet(db: Database, key: string): RedisSet | undefined {
  const value = db.getForWrite(key)
  if (value === undefined) return undefined
  if (!(value instanceof RedisSet)) throw Errors.wrongType()
  return value
}

/** The current `set-max-intset-entries`. */
function maxIntset(ctx: CommandContext): number {
  const config = ctx.engine.config
  return config.has('set-max-intset-entries')
    ? config.getNumber('set-max-intset-entries')
    : DEFAULT_SET_MAX_INTSET_ENTRIES
}

function member(name: string): Buffer {
  return Buffer.from(name, 'latin1')
}

function membersReply(set: RedisSet): Buffer[] {
  const out: Buffer[] = new Array(set.length)
  let n = 0
  set.forEach((m) => {
    out[n++] = member(m)
  })
  return out
}

function sadd(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  const key = keyOf(argv, 1)
  const existing = writableSet(db, key)
  const set = existing ?? new RedisSet()
  const limit = maxIntset(ctx)
  let added = 0
  for (let i = 2; i < argv.length; i++) if (set.add(argv[i].toString('latin1'), limit)) added++
  if (!existing) db.set(key, set)
  else if (added > 0) db.modified(key)
  if (added > 0) db.notify(NOTIFY_SET, 'sadd', key)
  return added
}

function srem(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  const key = keyOf(argv, 1)
  const set = writableSet(db, key)
  if (!set) return 0
  let removed = 0
  for (let i = 2; i < argv.length; i++) {
    if (set.remove(argv[i].toString('latin1'))) {
      removed++
      if (set.length === 0) break
    }
  }
  if (removed > 0) {
    if (set.length === 0) db.delete(key)
    else db.modified(key)
    db.notify(NOTIFY_SET, 'srem', key)
    if (set.length === 0) db.notify(NOTIFY_GENERIC, 'del', key)
  }
  return removed
}

function scard(ctx: CommandContext): Reply {
  return readSet(ctx.db, keyOf(ctx.argv, 1))?.length ?? 0
}

function sismember(ctx: CommandContext): Reply {
  return readSet(ctx.db, keyOf(ctx.argv, 1))?.has(ctx.argv[2].toString('latin1')) ? 1 : 0
}

function smismember(ctx: CommandContext): Reply {
  const { argv } = ctx
  const set = readSet(ctx.db, keyOf(argv, 1))
  const out: number[] = new Array(argv.length - 2)
  for (let i = 2; i < argv.length; i++) out[i - 2] = set?.has(argv[i].toString('latin1')) ? 1 : 0
  return out
}

function smembers(ctx: CommandContext): Reply {
  const set = readSet(ctx.db, keyOf(ctx.argv, 1))
  return new SetReply(set ? membersReply(set) : [])
}

function spop(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  if (argv.length > 3) throw Errors.syntax()
  const key = keyOf(argv, 1)
  const random = () => ctx.engine.random.next()
  if (argv.length === 2) {
    const set = writableSet(db, key)
    if (!set) return null
    const popped = set.randomMember(random)
    set.remove(popped)
    if (set.length === 0) db.delete(key)
    else db.modified(key)
    db.notify(NOTIFY_SET, 'spop', key)
    if (set.length === 0) db.notify(NOTIFY_GENERIC, 'del', key)
    return member(popped)
  }
  const count = positiveLongArg(argv[2])
  const set = writableSet(db, key)
  if (!set || count === 0) return new SetReply([])
  db.notify(NOTIFY_SET, 'spop', key)
  if (count >= set.length) {
    // Redis answers with SUNION of the one set, whose result it builds as a new set, then deletes the key.
    const whole = union([set], maxIntset(ctx))
    db.delete(key)
    db.notify(NOTIFY_GENERIC, 'del', key)
    return new SetReply(membersReply(whole))
  }
  const out: Buffer[] = new Array(count)
  for (let i = 0; i < count; i++) {
    const popped = set.randomMember(random)
    set.remove(popped)
    out[i] = member(popped)
  }
  db.modified(key)
  return new SetReply(out)
}

function srandmember(ctx: CommandContext): Reply {
  const { argv } = ctx
  if (argv.length > 3) throw Errors.syntax()
  const random = () => ctx.engine.random.next()
  if (argv.length === 2) {
    const set = readSet(ctx.db, keyOf(argv, 1))
    return set ? member(set.randomMember(random)) : null
  }
  const count = randomCountArg(argv[2])
  const set = readSet(ctx.db, keyOf(argv, 1))
  if (!set || count === 0n) return []
  const out: Buffer[] = []
  sample(
    count,
    set.length,
    () => set.randomMember(random),
    () => set.members(),
    (visit) => set.forEach(visit),
    random,
    (name) => out.push(member(name)),
  )
  return out
}

function smove(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  const sourceKey = keyOf(argv, 1)
  const destinationKey = keyOf(argv, 2)
  const sourceValue = db.getForWrite(sourceKey)
  const destinationValue = db.getForWrite(destinationKey)
  if (sourceValue === undefined) return 0
  if (!(sourceValue instanceof RedisSet)) throw Errors.wrongType()
  if (destinationValue !== undefined && !(destinationValue instanceof RedisSet)) throw Errors.wrongType()
  const name = argv[3].toString('latin1')
  if (sourceValue === destinationValue) return sourceValue.has(name) ? 1 : 0
  if (!sourceValue.has(name)) return 0
  // Every check before the first write: a destination that could not be created must not cost the source a member.
  if (destinationValue === undefined) db.reserve([destinationKey])
  sourceValue.remove(name)
  if (sourceValue.length === 0) db.delete(sourceKey)
  else db.modified(sourceKey)
  db.notify(NOTIFY_SET, 'srem', sourceKey)
  if (sourceValue.length === 0) db.notify(NOTIFY_GENERIC, 'del', sourceKey)
  if (destinationValue) {
    if (!destinationValue.add(name, maxIntset(ctx))) return 1
    db.modified(destinationKey)
  } else {
    const created = new RedisSet()
    created.add(name, maxIntset(ctx))
    db.set(destinationKey, created)
  }
  db.notify(NOTIFY_SET, 'sadd', destinationKey)
  return 1
}

/**
 * The sets at `keys` (undefined for a missing key), every key type-checked first as Redis does, so a WRONGTYPE
 * anywhere wins over an empty result. `forWrite` is for the STORE forms (Redis looks their sources up for writing).
 */
function sourceSets(db: Database, keys: Buffer[], forWrite: boolean): Array<RedisSet | undefined> {
  const sets: Array<RedisSet | undefined> = new Array(keys.length)
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i].toString('latin1')
    const value = forWrite ? db.getForWrite(key) : db.get(key)
    if (value !== undefined && !(value instanceof RedisSet)) throw Errors.wrongType()
    sets[i] = value
  }
  return sets
}

/**
 * SINTER's walk: the members of the smallest set that are in every other one, in the smallest set's order, stopping
 * after `limit` (0 = all). O(N * M) with N the smallest cardinality and M the number of sets, as in Redis.
 */
function intersect(sets: RedisSet[], limit: number, visit: (m: string) => void): void {
  const bySize = sets.slice().sort((a, b) => a.length - b.length)
  const smallest = bySize[0]
  let found = 0
  // forEach cannot stop early; members() copies references only, and only when a limit asks to stop.
  const candidates = limit > 0 ? smallest.members() : null
  const consider = (m: string): boolean => {
    for (let j = 1; j < bySize.length; j++) {
      if (bySize[j] !== smallest && !bySize[j].has(m)) return false
    }
    visit(m)
    found++
    return limit > 0 && found >= limit
  }
  if (candidates) {
    for (const m of candidates) if (consider(m)) return
  } else {
    smallest.forEach((m) => {
      consider(m)
    })
  }
}

/** SUNION: a new set of every member, built as Redis builds it (starting as an intset). O(total). */
function union(sets: Array<RedisSet | undefined>, limit: number): RedisSet {
  const result = new RedisSet()
  const add = (m: string) => {
    result.add(m, limit)
  }
  for (const set of sets) set?.forEach(add)
  return result
}

/**
 * SDIFF: the members of the first set in none of the others, with Redis's choice between walking the first set
 * (O(N * M)) and copying it then removing the others' members (O(total)), whichever it estimates cheaper.
 */
function difference(sets: Array<RedisSet | undefined>, limit: number): RedisSet {
  const result = new RedisSet()
  const first = sets[0]
  if (!first) return result
  let walkWork = 0
  let copyWork = 0
  for (const set of sets) {
    if (!set) continue
    walkWork += first.length
    copyWork += set.length
  }
  if (walkWork / 2 <= copyWork) {
    const others = sets.slice(1).filter((s): s is RedisSet => s !== undefined)
    others.sort((a, b) => b.length - a.length)
    first.forEach((m) => {
      for (const other of others) if (other === first || other.has(m)) return
      result.add(m, limit)
    })
  } else {
    first.forEach((m) => {
      result.add(m, limit)
    })
    for (let i = 1; i < sets.length; i++) {
      sets[i]?.forEach((m) => {
        result.remove(m)
      })
    }
  }
  return result
}

/**
 * Stores a computed set at `key` (keyspace event `event`), or deletes `key` when the result is empty (`del`, if it
 * existed); replies with the cardinality.
 */
function store(db: Database, key: string, result: RedisSet, event: string): number {
  if (result.length === 0) {
    if (db.delete(key)) db.notify(NOTIFY_GENERIC, 'del', key)
    return 0
  }
  db.set(key, result)
  db.notify(NOTIFY_SET, event, key)
  return result.length
}

function sinter(ctx: CommandContext): Reply {
  const sets = sourceSets(ctx.db, ctx.argv.slice(1), false)
  if (sets.some((s) => s === undefined)) return new SetReply([])
  const out: Buffer[] = []
  intersect(sets as RedisSet[], 0, (m) => out.push(member(m)))
  return new SetReply(out)
}

function sinterstore(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  const sets = sourceSets(db, argv.slice(2), true)
  const result = new RedisSet()
  if (!sets.some((s) => s === undefined)) {
    const limit = maxIntset(ctx)
    intersect(sets as RedisSet[], 0, (m) => result.add(m, limit))
  }
  return store(db, keyOf(argv, 1), result, 'sinterstore')
}

function sintercard(ctx: CommandContext): Reply {
  const { argv } = ctx
  const numkeys = rangeLongArg(argv[1], 1n, LONG_MAX, 'numkeys should be greater than 0')
  if (numkeys > argv.length - 2) throw new ReplyError("ERR Number of keys can't be greater than number of args")
  let limit = 0
  for (let i = 2 + numkeys; i < argv.length; i++) {
    if (isOption(argv[i], 'LIMIT') && i + 1 < argv.length) {
      limit = rangeLongArg(argv[++i], 0n, LONG_MAX, "LIMIT can't be negative")
    } else {
      throw Errors.syntax()
    }
  }
  const sets = sourceSets(ctx.db, argv.slice(2, 2 + numkeys), false)
  if (sets.some((s) => s === undefined)) return 0
  let cardinality = 0
  intersect(sets as RedisSet[], limit, () => {
    cardinality++
  })
  return cardinality
}

function sunion(ctx: CommandContext): Reply {
  const sets = sourceSets(ctx.db, ctx.argv.slice(1), false)
  return new SetReply(membersReply(union(sets, maxIntset(ctx))))
}

function sunionstore(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  const sets = sourceSets(db, argv.slice(2), true)
  return store(db, keyOf(argv, 1), union(sets, maxIntset(ctx)), 'sunionstore')
}

function sdiff(ctx: CommandContext): Reply {
  const sets = sourceSets(ctx.db, ctx.argv.slice(1), false)
  return new SetReply(membersReply(difference(sets, maxIntset(ctx))))
}

function sdiffstore(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  const sets = sourceSets(db, argv.slice(2), true)
  return store(db, keyOf(argv, 1), difference(sets, maxIntset(ctx)), 'sdiffstore')
}

function sscan(ctx: CommandContext): Reply {
  const { argv } = ctx
  const cursor = scanCursorArg(argv[2])
  const set = readSet(ctx.db, keyOf(argv, 1))
  if (!set) return scanReply(0, [])
  const { pattern, count } = scanOptionsArg(argv, 3)
  const items: Buffer[] = []
  const next = set.scan(cursor, count, (m) => {
    if (pattern === null || stringMatch(pattern, m)) items.push(member(m))
  })
  return scanReply(next, items)
}

/** SINTERCARD's keys: numkeys at argv[1], then the keys. */
function numkeysKeys(argv: Buffer[]): number[] {
  const n = Number(argv[1]?.toString('latin1'))
  if (!Number.isInteger(n) || n < 1 || n > argv.length - 2) return []
  return Array.from({ length: n }, (_, i) => i + 2)
}

const WRITE_FAST = ['write', 'set', 'fast']
const READ_FAST = ['read', 'set', 'fast']
const READ_SLOW = ['read', 'set', 'slow']
const WRITE_SLOW = ['write', 'set', 'slow']

export const setCommands = [
  command('sadd', -3, ['write', 'denyoom', 'fast'], [1, 1, 1], WRITE_FAST, sadd),
  command('srem', -3, ['write', 'fast'], [1, 1, 1], WRITE_FAST, srem),
  command('scard', 2, ['readonly', 'fast'], [1, 1, 1], READ_FAST, scard),
  command('sismember', 3, ['readonly', 'fast'], [1, 1, 1], READ_FAST, sismember),
  command('smismember', -3, ['readonly', 'fast'], [1, 1, 1], READ_FAST, smismember),
  command('smembers', 2, ['readonly'], [1, 1, 1], READ_SLOW, smembers),
  command('spop', -2, ['write', 'fast'], [1, 1, 1], WRITE_FAST, spop),
  command('srandmember', -2, ['readonly'], [1, 1, 1], READ_SLOW, srandmember),
  command('smove', 4, ['write', 'fast'], [1, 2, 1], WRITE_FAST, smove),
  command('sinter', -2, ['readonly'], [1, -1, 1], READ_SLOW, sinter),
  command('sintercard', -3, ['readonly', 'movablekeys'], null, READ_SLOW, sintercard, { getKeys: numkeysKeys }),
  command('sinterstore', -3, ['write', 'denyoom'], [1, -1, 1], WRITE_SLOW, sinterstore),
  command('sunion', -2, ['readonly'], [1, -1, 1], READ_SLOW, sunion),
  command('sunionstore', -3, ['write', 'denyoom'], [1, -1, 1], WRITE_SLOW, sunionstore),
  command('sdiff', -2, ['readonly'], [1, -1, 1], READ_SLOW, sdiff),
  command('sdiffstore', -3, ['write', 'denyoom'], [1, -1, 1], WRITE_SLOW, sdiffstore),
  command('sscan', -3, ['readonly'], [1, 1, 1], READ_SLOW, sscan),
]
