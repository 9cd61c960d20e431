/**
 * Hash commands (Redis 7.0 t_hash.c). Fields are latin1 strings inside the value and go back to clients as Buffers;
 * values are stored Buffers handed out as they are. Every write goes through the Database (set for a new key,
 * modified for a change in place, delete when the hash empties), so WATCH and the simulator's recorder see it.
 */
import type { Database } from '../keyspace/database.ts'
import { stringMatch } from '../keyspace/glob.ts'
import { DEFAULT_HASH_LISTPACK_ENTRIES, DEFAULT_HASH_LISTPACK_VALUE, RedisHash } from '../keyspace/types/hash.ts'
import { Errors, MapReply, OK, type Reply, ReplyError } from '../protocol/reply.ts'
import { bigIntegerArg, intReply, isOption, keyOf, LLONG_MAX, LLONG_MIN, parseInt64 } from './args.ts'
import { HALF_LONG_MAX, randomCountArg, scanCursorArg, scanOptionsArg, scanReply } from './collection-args.ts'
import { addLongDouble, formatLongDouble, type LongDouble, parseLongDouble } from './x87-long-double.ts'
import { sample } from './random-sample.ts'
import { type CommandContext, command, fullName } from './types.ts'
import { NOTIFY_GENERIC, NOTIFY_HASH } from '../keyspace/keyspace-events.ts'

/** The hash at `key` for reading, undefined when absent; WRONGTYPE for another type. */
function readHash(db: Database, key: string): RedisHash | undefined {
  const value = db.get(key)
  if (value === undefined) return undefined
  if (!(value instanceof RedisHash)) throw Errors.wrongType()
  return value
}

/** The hash at `key` for writing, undefined when absent; WRONGTYPE for another type. */
function writableHash(db: Database, key: string): RedisHash | undefined {
  const value = db.getForWrite(key)
  if (value === undefined) return undefined
  if (!(value instanceof RedisHash)) throw Errors.wrongType()
  return value
}

function configNumber(ctx: CommandContext, name: string, fallback: number): number {
  const config = ctx.engine.config
  return config.has(name) ? config.getNumber(name) : fallback
}

/** Redis's listpack limits, read when a listpack hash is about to change (they can be changed by CONFIG SET). */
interface ListpackLimits {
  entries: number
  value: number
}

function listpackLimits(ctx: CommandContext): ListpackLimits {
  return {
    entries: configNumber(ctx, 'hash-max-listpack-entries', DEFAULT_HASH_LISTPACK_ENTRIES),
    value: configNumber(ctx, 'hash-max-listpack-value', DEFAULT_HASH_LISTPACK_VALUE),
  }
}

/** hashTypeTryConversion: any argument in argv[from..to] longer than the value limit turns the hash into a table. */
function convertForArguments(hash: RedisHash, argv: Buffer[], from: number, to: number, limits: ListpackLimits): void {
  if (!hash.isListpack) return
  for (let i = from; i <= to; i++) {
    if (argv[i].length > limits.value) {
      hash.convertToHashtable()
      return
    }
  }
}

/** hashTypeSet's conversions: an over-long field or value before the insertion, too many entries after it. */
function setField(hash: RedisHash, field: string, value: Buffer, limits: ListpackLimits | null): boolean {
  if (limits && hash.isListpack && (field.length > limits.value || value.length > limits.value)) {
    hash.convertToHashtable()
  }
  const created = hash.fields.set(field, value)
  if (limits && created && hash.isListpack && hash.length > limits.entries) hash.convertToHashtable()
  return created
}

/** Stores a hash that `writableHash` found absent, or reports the change of an existing one. */
function commit(db: Database, key: string, hash: RedisHash, isNew: boolean, event: string): void {
  if (isNew) db.set(key, hash)
  else db.modified(key)
  db.notify(NOTIFY_HASH, event, key)
}

function field(name: string): Buffer {
  return Buffer.from(name, 'latin1')
}

function hsetGeneric(ctx: CommandContext): number {
  const { argv, db } = ctx
  if (argv.length % 2 === 1) throw Errors.arity(fullName(ctx.spec))
  const key = keyOf(argv, 1)
  const existing = writableHash(db, key)
  const hash = existing ?? new RedisHash()
  const limits = hash.isListpack ? listpackLimits(ctx) : null
  if (limits) convertForArguments(hash, argv, 2, argv.length - 1, limits)
  let created = 0
  for (let i = 2; i < argv.length; i += 2) {
    if (setField(hash, argv[i].toString('latin1'), argv[i + 1], limits)) created++
  }
  commit(db, key, hash, existing === undefined, 'hset')
  return created
}

function hset(ctx: CommandContext): Reply {
  return hsetGeneric(ctx)
}

function hmset(ctx: CommandContext): Reply {
  hsetGeneric(ctx)
  return OK
}

function hsetnx(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  const key = keyOf(argv, 1)
  const existing = writableHash(db, key)
  const name = argv[2].toString('latin1')
  if (existing?.fields.has(name)) return 0
  const hash = existing ?? new RedisHash()
  const limits = hash.isListpack ? listpackLimits(ctx) : null
  if (limits) convertForArguments(hash, argv, 2, 3, limits)
  setField(hash, name, argv[3], limits)
  commit(db, key, hash, existing === undefined, 'hset')
  return 1
}

function hget(ctx: CommandContext): Reply {
  const hash = readHash(ctx.db, keyOf(ctx.argv, 1))
  return hash?.fields.get(ctx.argv[2].toString('latin1')) ?? null
}

function hmget(ctx: CommandContext): Reply {
  const { argv } = ctx
  const hash = readHash(ctx.db, keyOf(argv, 1))
  const out: Reply[] = new Array(argv.length - 2)
  for (let i = 2; i < argv.length; i++) out[i - 2] = hash?.fields.get(argv[i].toString('latin1')) ?? null
  return out
}

function hdel(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  const key = keyOf(argv, 1)
  const hash = writableHash(db, key)
  if (!hash) return 0
  let deleted = 0
  for (let i = 2; i < argv.length; i++) {
    if (hash.fields.delete(argv[i].toString('latin1'))) {
      deleted++
      if (hash.length === 0) break
    }
  }
  if (deleted > 0) {
    if (hash.length === 0) db.delete(key)
    else db.modified(key)
    db.notify(NOTIFY_HASH, 'hdel', key)
    if (hash.length === 0) db.notify(NOTIFY_GENERIC, 'del', key)
  }
  return deleted
}

function hlen(ctx: CommandContext): Reply {
  return readHash(ctx.db, keyOf(ctx.argv, 1))?.length ?? 0
}

function hstrlen(ctx: CommandContext): Reply {
  return readHash(ctx.db, keyOf(ctx.argv, 1))?.fields.get(ctx.argv[2].toString('latin1'))?.length ?? 0
}

function hexists(ctx: CommandContext): Reply {
  return readHash(ctx.db, keyOf(ctx.argv, 1))?.fields.has(ctx.argv[2].toString('latin1')) ? 1 : 0
}

function hkeys(ctx: CommandContext): Reply {
  const hash = readHash(ctx.db, keyOf(ctx.argv, 1))
  if (!hash) return []
  const out: Buffer[] = new Array(hash.length)
  let n = 0
  hash.fields.forEach((name) => {
    out[n++] = field(name)
  })
  return out
}

function hvals(ctx: CommandContext): Reply {
  const hash = readHash(ctx.db, keyOf(ctx.argv, 1))
  if (!hash) return []
  const out: Buffer[] = new Array(hash.length)
  let n = 0
  hash.fields.forEach((_, value) => {
    out[n++] = value
  })
  return out
}

function hgetall(ctx: CommandContext): Reply {
  const hash = readHash(ctx.db, keyOf(ctx.argv, 1))
  if (!hash) return new MapReply([])
  const entries: Array<[Reply, Reply]> = new Array(hash.length)
  let n = 0
  hash.fields.forEach((name, value) => {
    entries[n++] = [field(name), value]
  })
  return new MapReply(entries)
}

function hincrby(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  const increment = bigIntegerArg(argv[3])
  const key = keyOf(argv, 1)
  const existing = writableHash(db, key)
  const hash = existing ?? new RedisHash()
  const name = argv[2].toString('latin1')
  const current = hash.fields.get(name)
  let value = 0n
  if (current !== undefined) {
    const parsed = parseInt64(current)
    if (parsed === null) throw new ReplyError('ERR hash value is not an integer')
    value = parsed
  }
  if (
    (increment < 0n && value < 0n && increment < LLONG_MIN - value) ||
    (increment > 0n && value > 0n && increment > LLONG_MAX - value)
  ) {
    throw Errors.overflow()
  }
  value += increment
  setField(hash, name, Buffer.from(value.toString()), hash.isListpack ? listpackLimits(ctx) : null)
  commit(db, key, hash, existing === undefined, 'hincrby')
  return intReply(value)
}

function hincrbyfloat(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  const increment = parseLongDouble(argv[3])
  if (increment === null) throw Errors.notFloat()
  if (increment.kind !== 'finite') throw new ReplyError('ERR value is NaN or Infinity')
  const key = keyOf(argv, 1)
  const existing = writableHash(db, key)
  const hash = existing ?? new RedisHash()
  const name = argv[2].toString('latin1')
  const current = hash.fields.get(name)
  let sum: LongDouble | null = increment
  if (current !== undefined) {
    const parsed = parseLongDouble(current)
    if (parsed === null) throw new ReplyError('ERR hash value is not a float')
    sum = addLongDouble(parsed, increment)
  }
  if (sum === null || sum.kind !== 'finite') throw new ReplyError('ERR increment would produce NaN or Infinity')
  const text = Buffer.from(formatLongDouble(sum), 'latin1')
  setField(hash, name, text, hash.isListpack ? listpackLimits(ctx) : null)
  commit(db, key, hash, existing === undefined, 'hincrbyfloat')
  return text
}

function hrandfield(ctx: CommandContext): Reply {
  const { argv } = ctx
  const random = () => ctx.engine.random.next()
  if (argv.length === 2) {
    const hash = readHash(ctx.db, keyOf(argv, 1))
    return hash ? field(hash.fields.randomName(random) as string) : null
  }
  const count = randomCountArg(argv[2])
  let withValues = false
  if (argv.length > 4 || (argv.length === 4 && !isOption(argv[3], 'WITHVALUES'))) throw Errors.syntax()
  if (argv.length === 4) {
    withValues = true
    // LONG_MAX / 2 either way, so that the reply length (count * 2) cannot overflow.
    if (count < -HALF_LONG_MAX || count > HALF_LONG_MAX) throw new ReplyError('ERR value is out of range')
  }
  const hash = readHash(ctx.db, keyOf(argv, 1))
  if (!hash || count === 0n) return []
  const fields = hash.fields
  const resp3 = ctx.client.protocol === 3
  const out: Reply[] = []
  const emit = (name: string) => {
    if (!withValues) out.push(field(name))
    else if (resp3) out.push([field(name), fields.get(name) as Buffer])
    else out.push(field(name), fields.get(name) as Buffer)
  }
  const randomName = () => fields.randomName(random) as string
  sample(
    count,
    hash.length,
    randomName,
    () => fields.namesArray(),
    (emitAll) => fields.forEach(emitAll),
    random,
    emit,
  )
  return out
}

function hscan(ctx: CommandContext): Reply {
  const { argv } = ctx
  const cursor = scanCursorArg(argv[2])
  const hash = readHash(ctx.db, keyOf(argv, 1))
  if (!hash) return scanReply(0, [])
  const { pattern, count } = scanOptionsArg(argv, 3)
  const items: Buffer[] = []
  const visit = (name: string, value: Buffer) => {
    if (pattern !== null && !stringMatch(pattern, name)) return
    items.push(field(name), value)
  }
  // A listpack hash is returned whole, whatever the cursor, as Redis does for compact encodings.
  if (hash.isListpack) {
    hash.fields.forEach(visit)
    return scanReply(0, items)
  }
  return scanReply(hash.fields.scan(cursor, count, visit), items)
}

const WRITE_FAST = ['write', 'hash', 'fast']
const READ_FAST = ['read', 'hash', 'fast']
const READ_SLOW = ['read', 'hash', 'slow']

export const hashCommands = [
  command('hset', -4, ['write', 'denyoom', 'fast'], [1, 1, 1], WRITE_FAST, hset),
  command('hsetnx', 4, ['write', 'denyoom', 'fast'], [1, 1, 1], WRITE_FAST, hsetnx),
  command('hget', 3, ['readonly', 'fast'], [1, 1, 1], READ_FAST, hget),
  command('hmget', -3, ['readonly', 'fast'], [1, 1, 1], READ_FAST, hmget),
  command('hmset', -4, ['write', 'denyoom', 'fast'], [1, 1, 1], WRITE_FAST, hmset),
  command('hdel', -3, ['write', 'fast'], [1, 1, 1], WRITE_FAST, hdel),
  command('hlen', 2, ['readonly', 'fast'], [1, 1, 1], READ_FAST, hlen),
  command('hstrlen', 3, ['readonly', 'fast'], [1, 1, 1], READ_FAST, hstrlen),
  command('hexists', 3, ['readonly', 'fast'], [1, 1, 1], READ_FAST, hexists),
  command('hkeys', 2, ['readonly'], [1, 1, 1], READ_SLOW, hkeys),
  command('hvals', 2, ['readonly'], [1, 1, 1], READ_SLOW, hvals),
  command('hgetall', 2, ['readonly'], [1, 1, 1], READ_SLOW, hgetall),
  command('hincrby', 4, ['write', 'denyoom', 'fast'], [1, 1, 1], WRITE_FAST, hincrby),
  command('hincrbyfloat', 4, ['write', 'denyoom', 'fast'], [1, 1, 1], WRITE_FAST, hincrbyfloat),
  command('hrandfield', -2, ['readonly'], [1, 1, 1], READ_SLOW, hrandfield),
  command('hscan', -3, ['readonly'], [1, 1, 1], READ_SLOW, hscan),
]
