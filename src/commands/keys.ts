/**
 * Generic key commands, as Redis 7.0's db.c and expire.c behave: same order of checks, same errors, same replies.
 * (DBSIZE, FLUSHDB and FLUSHALL live with the server commands.)
 */
import type { Database } from '../keyspace/database.ts'
import { stringMatch } from '../keyspace/glob.ts'
import { markStringEncoding, stringEncoding } from '../keyspace/encoding.ts'
import { type AggregateValue, isString, type RedisValue, typeName } from '../keyspace/values.ts'
import { Errors, OK, type Reply, ReplyError, SimpleString } from '../protocol/reply.ts'
import { intReply, keyBytes, keyOf, LLONG_MAX, LLONG_MIN, parseInt64 } from './args.ts'
import { cText, isCOption } from './c-options.ts'
import { expireAllowed, parseExpireOptions } from './expire-options.ts'
import { commandNowMs, getExpireAt, msUntil, setExpireAt } from './expire-time.ts'
import { type CommandContext, command, fullName } from './types.ts'
import { NOTIFY_GENERIC } from '../keyspace/keyspace-events.ts'

// --- Existence and deletion --------------------------------------------------------------------------------------

function del(ctx: CommandContext): Reply {
  let n = 0
  for (let i = 1; i < ctx.argv.length; i++) {
    const key = keyOf(ctx.argv, i)
    if (!ctx.db.delete(key)) continue
    ctx.db.notify(NOTIFY_GENERIC, 'del', key)
    n++
  }
  return n
}

/**
 * EXISTS and TOUCH count every argument that names a live key, repeats included; both count keyspace hits. Only TOUCH
 * is an access: EXISTS looks keys up with LOOKUP_NOTOUCH, as Redis does (OBJECT IDLETIME, LRU eviction).
 */
function countExisting(ctx: CommandContext, touch: boolean): Reply {
  let n = 0
  const db = ctx.db
  for (let i = 1; i < ctx.argv.length; i++) {
    const key = keyOf(ctx.argv, i)
    if ((touch ? db.get(key) : db.getNoTouch(key)) !== undefined) n++
  }
  return n
}

const TYPE_REPLIES = new Map<string, SimpleString>()
function typeReply(name: string): SimpleString {
  let reply = TYPE_REPLIES.get(name)
  if (!reply) {
    reply = new SimpleString(name)
    TYPE_REPLIES.set(name, reply)
  }
  return reply
}

function type(ctx: CommandContext): Reply {
  // LOOKUP_NOTOUCH, as Redis's typeCommand: asking for the type is not an access (OBJECT IDLETIME, LRU eviction).
  const value = ctx.db.getNoTouch(keyOf(ctx.argv, 1))
  return typeReply(value === undefined ? 'none' : typeName(value))
}

// --- Expiry ------------------------------------------------------------------------------------------------------

/**
 * Redis's ttlGenericCommand: -2 for a missing key, -1 without a TTL, else the remaining time (never below 0), in ms
 * or rounded to seconds; `absolute` gives the expiry timestamp instead (EXPIRETIME, PEXPIRETIME).
 */
function ttlGeneric(ctx: CommandContext, milliseconds: boolean, absolute: boolean): Reply {
  const key = keyOf(ctx.argv, 1)
  // LOOKUP_NOTOUCH, as Redis's ttlGenericCommand: reading a TTL does not make the key recently used.
  if (ctx.db.getNoTouch(key) === undefined) return -2
  const at = getExpireAt(ctx.db, key)
  if (at === undefined) return -1
  let ttl = absolute ? at : msUntil(at, commandNowMs(ctx.engine))
  if (ttl < 0) ttl = 0
  if (milliseconds) return typeof ttl === 'number' ? ttl : intReply(ttl)
  return typeof ttl === 'number' ? Math.floor((ttl + 500) / 1000) : intReply((ttl + 500n) / 1000n)
}

/**
 * Redis's expireGenericCommand. Options first, then the time argument (`basetime` is now for relative forms, 0 for
 * absolute ones), with int64 overflow -> `ERR invalid expire time`. A missing key answers 0; a time already past
 * deletes the key (and answers 1).
 */
function expireGeneric(ctx: CommandContext, relative: boolean, seconds: boolean): Reply {
  const flags = parseExpireOptions(ctx.argv, 3)
  let when = parseInt64(ctx.argv[2])
  if (when === null) throw Errors.notInteger()
  if (seconds) {
    // C's LLONG_MIN / 1000 truncates toward zero, as BigInt division does.
    if (when > LLONG_MAX / 1000n || when < LLONG_MIN / 1000n) throw Errors.invalidExpire(fullName(ctx.spec))
    when *= 1000n
  }
  const now = commandNowMs(ctx.engine)
  const base = relative ? BigInt(now) : 0n
  if (when > LLONG_MAX - base) throw Errors.invalidExpire(fullName(ctx.spec))
  when += base

  const key = keyOf(ctx.argv, 1)
  const db = ctx.db
  if (db.getForWrite(key) === undefined) return 0
  if (flags !== 0 && !expireAllowed(flags, getExpireAt(db, key), when)) return 0
  if (when <= BigInt(now)) {
    db.delete(key)
    db.notify(NOTIFY_GENERIC, 'del', key)
  } else {
    setExpireAt(db, key, when)
    db.notify(NOTIFY_GENERIC, 'expire', key)
  }
  return 1
}

function persist(ctx: CommandContext): Reply {
  const key = keyOf(ctx.argv, 1)
  if (ctx.db.getForWrite(key) === undefined) return 0
  if (!ctx.db.persist(key)) return 0
  ctx.db.notify(NOTIFY_GENERIC, 'persist', key)
  return 1
}

// --- Iteration ---------------------------------------------------------------------------------------------------

/** KEYS: every live key matching the pattern. Expired keys are skipped, not deleted (as Redis does). */
function keys(ctx: CommandContext): Reply {
  const db = ctx.db
  const pattern = ctx.argv[1].toString('latin1')
  const all = pattern === '*'
  const checkExpiry = db.expires.size > 0
  const out: Reply[] = []
  for (const [key] of db.table.entries()) {
    if ((all || stringMatch(pattern, key)) && !(checkExpiry && db.isLogicallyExpired(key))) out.push(keyBytes(key))
  }
  return out
}

/** C's isspace in the "C" locale. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d)
}

const ULONG_MAX = (1n << 64n) - 1n

/**
 * Redis's parseScanCursorOrReply, i.e. strtoul(arg, 10) up to the first NUL: an optional sign ("-1" wraps to
 * 2^64-1), digits, nothing after; an empty argument is cursor 0. Null for `ERR invalid cursor`.
 */
function parseCursor(buf: Buffer): bigint | null {
  const text = cText(buf)
  if (text.length === 0) return 0n
  if (isSpace(text.charCodeAt(0))) return null
  let i = 0
  const negative = text[0] === '-'
  if (negative || text[0] === '+') i = 1
  const digits = text.slice(i)
  if (!/^[0-9]+$/.test(digits)) return null
  const value = BigInt(digits)
  if (value > ULONG_MAX) return null
  return negative ? (ULONG_MAX + 1n - value) & ULONG_MAX : value
}

/**
 * SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]. The cursor walks KeyTable's sequence numbers, so every key
 * present for the whole scan is returned at least once. Filtering happens after the walk, as in Redis: pattern, then
 * type (looked up, so an expired key reads as type "none"), then expiry (an expired key is deleted and dropped).
 */
function scan(ctx: CommandContext): Reply {
  const argv = ctx.argv
  const cursor = parseCursor(argv[1])
  if (cursor === null) throw new ReplyError('ERR invalid cursor')
  let count = 10
  let pattern: string | null = null
  let typeFilter: string | null = null
  for (let i = 2; i < argv.length; i += 2) {
    const hasValue = argv.length - i >= 2
    if (isCOption(argv[i], 'COUNT') && hasValue) {
      const n = parseInt64(argv[i + 1])
      if (n === null) throw Errors.notInteger()
      if (n < 1n) throw Errors.syntax()
      count = n > 2147483647n ? 2147483647 : Number(n)
    } else if (isCOption(argv[i], 'MATCH') && hasValue) {
      const text = argv[i + 1].toString('latin1')
      pattern = text === '*' ? null : text
    } else if (isCOption(argv[i], 'TYPE') && hasValue) {
      typeFilter = cText(argv[i + 1]).toLowerCase()
    } else {
      throw Errors.syntax()
    }
  }

  const db = ctx.db
  const found: string[] = []
  // Cursors beyond every sequence number (including ones past 2^53) simply end the scan.
  const start = cursor > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(cursor)
  const next = db.table.scan(start, count, (key) => {
    found.push(key)
  })
  const out: Reply[] = []
  for (const key of found) {
    if (pattern !== null && !stringMatch(pattern, key)) continue
    if (typeFilter !== null) {
      const value = db.get(key)
      if ((value === undefined ? 'none' : typeName(value)) !== typeFilter) continue
    }
    if (db.expires.size > 0 && db.expireIfNeeded(key)) continue
    out.push(keyBytes(key))
  }
  return [String(next), out]
}

/** RANDOMKEY: a uniformly drawn key from the injected random source; expired draws are deleted and redrawn. */
function randomkey(ctx: CommandContext): Reply {
  const db = ctx.db
  const random = ctx.engine.random
  const draw = () => random.next()
  for (;;) {
    const key = db.table.randomKey(draw)
    if (key === undefined) return null
    if (db.expires.size > 0 && db.expireIfNeeded(key)) continue
    return keyBytes(key)
  }
}

// --- Renaming, copying, moving -----------------------------------------------------------------------------------

/**
 * RENAME / RENAMENX: the value and its TTL move to the new name; an existing destination is replaced (RENAME) or
 * blocks the rename (RENAMENX). Renaming a key to itself checks only that it exists.
 */
function renameGeneric(ctx: CommandContext, nx: boolean): Reply {
  const source = keyOf(ctx.argv, 1)
  const destination = keyOf(ctx.argv, 2)
  const db = ctx.db
  const value = db.getForWrite(source)
  if (value === undefined) throw Errors.noSuchKey()
  if (source === destination) return nx ? 0 : OK
  const expire = getExpireAt(db, source)
  // Looked up for writing either way, as Redis's lookupKeyWrite: an expired destination is deleted and counted.
  if (db.getForWrite(destination) !== undefined && nx) return 0
  // The destination's insertion is the one write that can fail, so it comes first (after reserve), and an existing
  // destination is overwritten in place rather than deleted first: a failure then leaves both keys as they were.
  db.reserve([destination])
  db.set(destination, value)
  if (expire !== undefined) setExpireAt(db, destination, expire)
  db.delete(source)
  db.notify(NOTIFY_GENERIC, 'rename_from', source)
  db.notify(NOTIFY_GENERIC, 'rename_to', destination)
  return nx ? 1 : OK
}

function rename(ctx: CommandContext): Reply {
  return renameGeneric(ctx, false)
}

function renamenx(ctx: CommandContext): Reply {
  return renameGeneric(ctx, true)
}

/** Redis's getIntFromObjectOrReply then selectDb: the database a DB argument names. */
function databaseArg(ctx: CommandContext, buf: Buffer): Database {
  const index = parseInt64(buf)
  if (index === null) throw Errors.notInteger()
  if (index < -2147483648n || index > 2147483647n) {
    throw new ReplyError('ERR value is out of range, value must between -2147483648 and 2147483647')
  }
  const dbs = ctx.engine.keyspace.dbs
  if (index < 0n || index >= BigInt(dbs.length)) throw Errors.dbIndex()
  return dbs[Number(index)]
}

function sameObject(): ReplyError {
  return new ReplyError('ERR source and destination objects are the same')
}

function move(ctx: CommandContext): Reply {
  const source = ctx.db
  const target = databaseArg(ctx, ctx.argv[2])
  if (target === source) throw sameObject()
  const key = keyOf(ctx.argv, 1)
  const value = source.getForWrite(key)
  if (value === undefined) return 0
  const expire = getExpireAt(source, key)
  if (target.getForWrite(key) !== undefined) return 0
  target.reserve([key])
  target.set(key, value)
  if (expire !== undefined) setExpireAt(target, key, expire)
  source.delete(key)
  source.notify(NOTIFY_GENERIC, 'move_from', key)
  target.notify(NOTIFY_GENERIC, 'move_to', key)
  return 1
}

/**
 * An independent copy of a value for COPY. Strings are shared: stored Buffers are never modified in place
 * (string-growth.ts), so two keys can hold the same one. Aggregates are mutable and deep-copied by their `clone`.
 */
function duplicate(value: RedisValue): RedisValue | null {
  // dupStringObject gives an int-encoded string its own object: the copy is not one of the shared integers.
  if (isString(value)) return stringEncoding(value) === 'int' ? markStringEncoding(Buffer.from(value), 'int') : value
  const cloneable = value as AggregateValue & { clone?: () => AggregateValue }
  return typeof cloneable.clone === 'function' ? cloneable.clone() : null
}

/** COPY source destination [DB index] [REPLACE]: options first, then the same-object check, then the copy. */
function copy(ctx: CommandContext): Reply {
  const argv = ctx.argv
  const source = ctx.db
  let target = source
  let replace = false
  for (let j = 3; j < argv.length; j++) {
    if (isCOption(argv[j], 'REPLACE')) {
      replace = true
    } else if (isCOption(argv[j], 'DB') && j + 1 < argv.length) {
      target = databaseArg(ctx, argv[++j])
    } else {
      throw Errors.syntax()
    }
  }
  const key = keyOf(argv, 1)
  const newKey = keyOf(argv, 2)
  if (target === source && key === newKey) throw sameObject()
  const value = source.get(key)
  if (value === undefined) return 0
  const expire = getExpireAt(source, key)
  const exists = target.getForWrite(newKey) !== undefined
  if (exists && !replace) return 0
  const copied = duplicate(value)
  if (copied === null) throw new ReplyError('ERR unknown type object')
  // Overwritten in place, not deleted first: a destination that fails to be stored keeps its old value.
  target.reserve([newKey])
  target.set(newKey, copied)
  if (expire !== undefined) setExpireAt(target, newKey, expire)
  target.notify(NOTIFY_GENERIC, 'copy_to', newKey)
  return 1
}

export const keyCommands = [
  command('del', -2, ['write'], [1, -1, 1], ['keyspace', 'write', 'slow'], del),
  command('unlink', -2, ['write', 'fast'], [1, -1, 1], ['keyspace', 'write', 'fast'], del),
  command('exists', -2, ['readonly', 'fast'], [1, -1, 1], ['keyspace', 'read', 'fast'], (ctx) =>
    countExisting(ctx, false),
  ),
  command('touch', -2, ['readonly', 'fast'], [1, -1, 1], ['keyspace', 'read', 'fast'], (ctx) =>
    countExisting(ctx, true),
  ),
  command('type', 2, ['readonly', 'fast'], [1, 1, 1], ['keyspace', 'read', 'fast'], type),
  command('ttl', 2, ['readonly', 'fast'], [1, 1, 1], ['keyspace', 'read', 'fast'], (ctx) =>
    ttlGeneric(ctx, false, false),
  ),
  command('pttl', 2, ['readonly', 'fast'], [1, 1, 1], ['keyspace', 'read', 'fast'], (ctx) =>
    ttlGeneric(ctx, true, false),
  ),
  command('expiretime', 2, ['readonly', 'fast'], [1, 1, 1], ['keyspace', 'read', 'fast'], (ctx) =>
    ttlGeneric(ctx, false, true),
  ),
  command('pexpiretime', 2, ['readonly', 'fast'], [1, 1, 1], ['keyspace', 'read', 'fast'], (ctx) =>
    ttlGeneric(ctx, true, true),
  ),
  command('expire', -3, ['write', 'fast'], [1, 1, 1], ['keyspace', 'write', 'fast'], (ctx) =>
    expireGeneric(ctx, true, true),
  ),
  command('pexpire', -3, ['write', 'fast'], [1, 1, 1], ['keyspace', 'write', 'fast'], (ctx) =>
    expireGeneric(ctx, true, false),
  ),
  command('expireat', -3, ['write', 'fast'], [1, 1, 1], ['keyspace', 'write', 'fast'], (ctx) =>
    expireGeneric(ctx, false, true),
  ),
  command('pexpireat', -3, ['write', 'fast'], [1, 1, 1], ['keyspace', 'write', 'fast'], (ctx) =>
    expireGeneric(ctx, false, false),
  ),
  command('persist', 2, ['write', 'fast'], [1, 1, 1], ['keyspace', 'write', 'fast'], persist),
  command('keys', 2, ['readonly'], null, ['keyspace', 'read', 'slow', 'dangerous'], keys),
  command('scan', -2, ['readonly'], null, ['keyspace', 'read', 'slow'], scan),
  command('randomkey', 1, ['readonly'], null, ['keyspace', 'read', 'slow'], randomkey),
  command('rename', 3, ['write'], [1, 2, 1], ['keyspace', 'write', 'slow'], rename),
  command('renamenx', 3, ['write', 'fast'], [1, 2, 1], ['keyspace', 'write', 'fast'], renamenx),
  command('copy', -3, ['write', 'denyoom'], [1, 2, 1], ['keyspace', 'write', 'slow'], copy),
  command('move', 3, ['write', 'fast'], [1, 1, 1], ['keyspace', 'write', 'fast'], move),
]
