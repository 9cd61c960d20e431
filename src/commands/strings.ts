/**
 * String commands, as Redis 7.0's t_string.c behaves: same order of checks, same errors, same replies.
 *
 * Values are Buffers that are never modified once stored (see string-growth.ts), so GET replies with the stored
 * Buffer itself and GETRANGE with a view of it: no copies on read. Integers are stored as their decimal text.
 */
import { markStringEncoding } from '../keyspace/encoding.ts'
import { NOTIFY_GENERIC, NOTIFY_STRING } from '../keyspace/keyspace-events.ts'
import { isString } from '../keyspace/values.ts'
import { Errors, OK, type Reply, ReplyError } from '../protocol/reply.ts'
import { intReply, keyOf, LLONG_MAX, LLONG_MIN, parseInt64 } from './args.ts'
import { commandNowMs, setExpireAt } from './expire-time.ts'
import { lcsCommand } from './lcs.ts'
import {
  absoluteExpire,
  EX,
  EXAT,
  KEEPTTL,
  PERSIST,
  PX,
  PXAT,
  parseStringOptions,
  SET_GET,
  SET_NX,
  SET_XX,
} from './set-options.ts'
import { extendString, overwriteString } from './string-growth.ts'
import { type CommandContext, command, fullName } from './types.ts'
import { addLongDouble, formatLongDouble, LONG_DOUBLE_ZERO, parseLongDouble } from './x87-long-double.ts'

const EMPTY = Buffer.alloc(0)

/** The string at `key` for a read (counts a keyspace hit or miss), or undefined; WRONGTYPE for other types. */
function readString(ctx: CommandContext, key: string): Buffer | undefined {
  const value = ctx.db.get(key)
  if (value === undefined || isString(value)) return value
  throw Errors.wrongType()
}

/** The string at `key` for a command about to modify it, or undefined; WRONGTYPE for other types. */
function writableString(ctx: CommandContext, key: string): Buffer | undefined {
  const value = ctx.db.getForWrite(key)
  if (value === undefined || isString(value)) return value
  throw Errors.wrongType()
}

/** Redis's checkStringLength: a string may not grow beyond proto-max-bulk-len. */
function checkStringLength(ctx: CommandContext, size: number, append: number): void {
  if (size + append > ctx.engine.config.getNumber('proto-max-bulk-len')) {
    throw new ReplyError('ERR string exceeds maximum allowed size (proto-max-bulk-len)')
  }
}

// --- GET / SET family --------------------------------------------------------------------------------------------

function get(ctx: CommandContext): Reply {
  return readString(ctx, keyOf(ctx.argv, 1)) ?? null
}

/**
 * Redis's setGenericCommand: the expire argument is validated first, then GET's read, then NX/XX. An NX/XX that
 * prevents the write answers `abortReply` (or the GET reply when GET was given).
 */
function setGeneric(
  ctx: CommandContext,
  flags: number,
  value: Buffer,
  expire: Buffer | null,
  okReply: Reply,
  abortReply: Reply,
): Reply {
  const key = keyOf(ctx.argv, 1)
  const db = ctx.db
  const at = expire ? absoluteExpire(expire, flags, commandNowMs(ctx.engine), fullName(ctx.spec)) : null
  let previous: Reply = null
  if (flags & SET_GET) previous = readString(ctx, key) ?? null
  if (flags & (SET_NX | SET_XX)) {
    const found = db.getForWrite(key) !== undefined
    if ((flags & SET_NX && found) || (flags & SET_XX && !found)) return flags & SET_GET ? previous : abortReply
  } else if (flags & KEEPTTL && db.expires.size > 0) {
    // Without NX/XX the lookup only matters for KEEPTTL: an expired key's old TTL must not carry over.
    db.expireIfNeeded(key)
  }
  db.set(key, value, (flags & KEEPTTL) !== 0)
  db.notify(NOTIFY_STRING, 'set', key)
  // A time already past is stored as is (Redis 7.0 does not delete here): the key expires on its next access.
  if (at !== null) {
    setExpireAt(db, key, at)
    db.notify(NOTIFY_GENERIC, 'expire', key)
  }
  return flags & SET_GET ? previous : okReply
}

function set(ctx: CommandContext): Reply {
  const { flags, expire } = parseStringOptions(ctx.argv, 3, true)
  return setGeneric(ctx, flags, ctx.argv[2], expire, OK, null)
}

function setnx(ctx: CommandContext): Reply {
  return setGeneric(ctx, SET_NX, ctx.argv[2], null, 1, 0)
}

function setex(ctx: CommandContext): Reply {
  return setGeneric(ctx, EX, ctx.argv[3], ctx.argv[2], OK, null)
}

function psetex(ctx: CommandContext): Reply {
  return setGeneric(ctx, PX, ctx.argv[3], ctx.argv[2], OK, null)
}

function getset(ctx: CommandContext): Reply {
  const key = keyOf(ctx.argv, 1)
  const previous = readString(ctx, key) ?? null
  ctx.db.set(key, ctx.argv[2])
  ctx.db.notify(NOTIFY_STRING, 'set', key)
  return previous
}

function getdel(ctx: CommandContext): Reply {
  const key = keyOf(ctx.argv, 1)
  const value = readString(ctx, key)
  if (value === undefined) return null
  ctx.db.delete(key)
  ctx.db.notify(NOTIFY_GENERIC, 'del', key)
  return value
}

/** GETEX: options first (syntax), then the key (missing -> nil, wrong type), then the expire argument's validity. */
function getex(ctx: CommandContext): Reply {
  const { flags, expire } = parseStringOptions(ctx.argv, 2, false)
  const key = keyOf(ctx.argv, 1)
  const value = readString(ctx, key)
  if (value === undefined) return null
  const now = commandNowMs(ctx.engine)
  const at = expire ? absoluteExpire(expire, flags, now, fullName(ctx.spec)) : null
  if (at !== null && flags & (EXAT | PXAT) && at <= BigInt(now)) {
    ctx.db.delete(key)
    ctx.db.notify(NOTIFY_GENERIC, 'del', key)
  } else if (at !== null) {
    setExpireAt(ctx.db, key, at)
    ctx.db.notify(NOTIFY_GENERIC, 'expire', key)
  } else if (flags & PERSIST) {
    if (ctx.db.persist(key)) ctx.db.notify(NOTIFY_GENERIC, 'persist', key)
  }
  return value
}

function mget(ctx: CommandContext): Reply {
  const argv = ctx.argv
  const out: Reply[] = new Array(argv.length - 1)
  for (let i = 1; i < argv.length; i++) {
    const value = ctx.db.get(keyOf(argv, i))
    out[i - 1] = value !== undefined && isString(value) ? value : null
  }
  return out
}

function mset(ctx: CommandContext): Reply {
  const argv = ctx.argv
  if (argv.length % 2 === 0) throw Errors.arity(fullName(ctx.spec))
  ctx.db.reserve(keysAt(argv))
  for (let i = 1; i < argv.length; i += 2) setAndNotify(ctx, keyOf(argv, i), argv[i + 1])
  return OK
}

function msetnx(ctx: CommandContext): Reply {
  const argv = ctx.argv
  if (argv.length % 2 === 0) throw Errors.arity(fullName(ctx.spec))
  for (let i = 1; i < argv.length; i += 2) if (ctx.db.getForWrite(keyOf(argv, i)) !== undefined) return 0
  ctx.db.reserve(keysAt(argv))
  for (let i = 1; i < argv.length; i += 2) setAndNotify(ctx, keyOf(argv, i), argv[i + 1])
  return 1
}

function setAndNotify(ctx: CommandContext, key: string, value: Buffer): void {
  ctx.db.set(key, value)
  ctx.db.notify(NOTIFY_STRING, 'set', key)
}

/**
 * The keys of MSET/MSETNX, for Database.reserve: every key must be known to fit before the first is written, or a
 * failure on a later one would leave the earlier ones set.
 */
function keysAt(argv: Buffer[]): string[] {
  const keys: string[] = []
  for (let i = 1; i < argv.length; i += 2) keys.push(keyOf(argv, i))
  return keys
}

// --- Byte-level access -------------------------------------------------------------------------------------------

function strlen(ctx: CommandContext): Reply {
  return readString(ctx, keyOf(ctx.argv, 1))?.length ?? 0
}

/** APPEND keeps the TTL and grows the value in amortized O(appended bytes) (string-growth.ts). */
function append(ctx: CommandContext): Reply {
  const key = keyOf(ctx.argv, 1)
  const tail = ctx.argv[2]
  const current = writableString(ctx, key)
  if (current === undefined) {
    ctx.db.set(key, tail)
    ctx.db.notify(NOTIFY_STRING, 'append', key)
    return tail.length
  }
  checkStringLength(ctx, current.length, tail.length)
  if (tail.length === 0) {
    ctx.db.modified(key)
    ctx.db.notify(NOTIFY_STRING, 'append', key)
    return current.length
  }
  // Redis appends to an unshared sds: the value is `raw` from now on (OBJECT ENCODING).
  const next = markStringEncoding(extendString(current, 0, tail), 'raw')
  ctx.db.set(key, next, true)
  ctx.db.notify(NOTIFY_STRING, 'append', key)
  return next.length
}

/** GETRANGE / SUBSTR: Redis's index arithmetic on int64 offsets, done in BigInt so huge offsets stay exact. */
function getrange(ctx: CommandContext): Reply {
  let start = parseInt64(ctx.argv[2])
  if (start === null) throw Errors.notInteger()
  let end = parseInt64(ctx.argv[3])
  if (end === null) throw Errors.notInteger()
  const value = readString(ctx, keyOf(ctx.argv, 1))
  if (value === undefined) return EMPTY
  if (start < 0n && end < 0n && start > end) return EMPTY
  const length = BigInt(value.length)
  if (start < 0n) start += length
  if (end < 0n) end += length
  if (start < 0n) start = 0n
  if (end < 0n) end = 0n
  if (end >= length) end = length - 1n
  if (start > end || value.length === 0) return EMPTY
  return value.subarray(Number(start), Number(end) + 1)
}

function setrange(ctx: CommandContext): Reply {
  const offsetArg = parseInt64(ctx.argv[2])
  if (offsetArg === null) throw Errors.notInteger()
  if (offsetArg < 0n) throw new ReplyError('ERR offset is out of range')
  // Any offset beyond 2^53 fails the length check below, so a double is exact wherever it matters.
  const offset = Number(offsetArg)
  const bytes = ctx.argv[3]
  const key = keyOf(ctx.argv, 1)
  const current = writableString(ctx, key)
  if (current === undefined) {
    if (bytes.length === 0) return 0
    checkStringLength(ctx, offset, bytes.length)
    const created = markStringEncoding(Buffer.alloc(offset + bytes.length), 'raw')
    bytes.copy(created, offset)
    ctx.db.set(key, created)
    ctx.db.notify(NOTIFY_STRING, 'setrange', key)
    return created.length
  }
  if (bytes.length === 0) return current.length
  checkStringLength(ctx, offset, bytes.length)
  const next = markStringEncoding(
    offset >= current.length
      ? extendString(current, offset - current.length, bytes)
      : overwriteString(current, offset, bytes),
    'raw',
  )
  ctx.db.set(key, next, true)
  ctx.db.notify(NOTIFY_STRING, 'setrange', key)
  return next.length
}

// --- Counters ----------------------------------------------------------------------------------------------------

/**
 * A stored string as Redis's string2ll reads it, as a number when that is exact (up to 15 digits, checked by hand
 * to avoid a BigInt on the hot path) and a bigint otherwise; null when it is not a strict int64.
 */
function integerValue(buf: Buffer): number | bigint | null {
  const len = buf.length
  if (len === 0 || len > 15) return parseInt64(buf)
  let i = 0
  const negative = buf[0] === 0x2d
  if (negative) {
    if (len === 1) return null
    i = 1
  }
  // No leading zeros, no "-0": only "0" itself may start with 0.
  if (buf[i] === 0x30 && (len > 1 || negative)) return null
  let n = 0
  for (; i < len; i++) {
    const d = buf[i] - 0x30
    if (d < 0 || d > 9) return null
    n = n * 10 + d
  }
  return negative ? -n : n
}

/** Redis's incrDecrCommand: WRONGTYPE, then "not an integer", then the int64 overflow check. Keeps the TTL. */
function incrDecr(ctx: CommandContext, increment: number | bigint): Reply {
  const key = keyOf(ctx.argv, 1)
  const current = writableString(ctx, key)
  const value = current === undefined ? 0 : integerValue(current)
  if (value === null) throw Errors.notInteger()
  let result: number | bigint
  if (typeof value === 'number' && typeof increment === 'number' && Number.isSafeInteger(value + increment)) {
    result = value + increment
  } else {
    const sum = BigInt(value) + BigInt(increment)
    if (sum > LLONG_MAX || sum < LLONG_MIN) throw Errors.overflow()
    result = sum
  }
  ctx.db.set(key, Buffer.from(result.toString(), 'latin1'), true)
  ctx.db.notify(NOTIFY_STRING, 'incrby', key)
  return typeof result === 'number' ? result : intReply(result)
}

function incrementArg(buf: Buffer): number | bigint {
  const value = integerValue(buf)
  if (value === null) throw Errors.notInteger()
  return value
}

function incr(ctx: CommandContext): Reply {
  return incrDecr(ctx, 1)
}

function decr(ctx: CommandContext): Reply {
  return incrDecr(ctx, -1)
}

function incrby(ctx: CommandContext): Reply {
  return incrDecr(ctx, incrementArg(ctx.argv[2]))
}

function decrby(ctx: CommandContext): Reply {
  const decrement = incrementArg(ctx.argv[2])
  // Negating LLONG_MIN would overflow; Redis rejects it with its own message.
  if (decrement === LLONG_MIN) throw new ReplyError('ERR decrement would overflow')
  return incrDecr(ctx, negate(decrement))
}

function negate(value: number | bigint): number | bigint {
  // Each branch narrowed: TypeScript rejects unary minus on the number | bigint union.
  return typeof value === 'number' ? -value : -value
}

/** INCRBYFLOAT in x87 long double arithmetic, formatted as Redis does (x87-long-double.ts). Keeps the TTL. */
function incrbyfloat(ctx: CommandContext): Reply {
  const key = keyOf(ctx.argv, 1)
  const current = writableString(ctx, key)
  const value = current === undefined ? LONG_DOUBLE_ZERO : parseLongDouble(current)
  const increment = value && parseLongDouble(ctx.argv[2])
  if (!value || !increment) throw Errors.notFloat()
  const sum = addLongDouble(value, increment)
  if (!sum || sum.kind === 'infinity') throw new ReplyError('ERR increment would produce NaN or Infinity')
  // Redis stores the printed text with createStringObject: embstr up to 44 bytes (never int), raw beyond.
  const text = Buffer.from(formatLongDouble(sum), 'latin1')
  markStringEncoding(text, text.length <= 44 ? 'embstr' : 'raw')
  ctx.db.set(key, text, true)
  ctx.db.notify(NOTIFY_STRING, 'incrbyfloat', key)
  return text
}

export const stringCommands = [
  command('get', 2, ['readonly', 'fast'], [1, 1, 1], ['read', 'string', 'fast'], get),
  command('set', -3, ['write', 'denyoom'], [1, 1, 1], ['write', 'string', 'slow'], set),
  command('setnx', 3, ['write', 'denyoom', 'fast'], [1, 1, 1], ['write', 'string', 'fast'], setnx),
  command('setex', 4, ['write', 'denyoom'], [1, 1, 1], ['write', 'string', 'slow'], setex),
  command('psetex', 4, ['write', 'denyoom'], [1, 1, 1], ['write', 'string', 'slow'], psetex),
  command('getset', 3, ['write', 'denyoom', 'fast'], [1, 1, 1], ['write', 'string', 'fast'], getset),
  command('getdel', 2, ['write', 'fast'], [1, 1, 1], ['write', 'string', 'fast'], getdel),
  command('getex', -2, ['write', 'fast'], [1, 1, 1], ['write', 'string', 'fast'], getex),
  command('mget', -2, ['readonly', 'fast'], [1, -1, 1], ['read', 'string', 'fast'], mget),
  command('mset', -3, ['write', 'denyoom'], [1, -1, 2], ['write', 'string', 'slow'], mset),
  command('msetnx', -3, ['write', 'denyoom'], [1, -1, 2], ['write', 'string', 'slow'], msetnx),
  command('strlen', 2, ['readonly', 'fast'], [1, 1, 1], ['read', 'string', 'fast'], strlen),
  command('append', 3, ['write', 'denyoom', 'fast'], [1, 1, 1], ['write', 'string', 'fast'], append),
  command('getrange', 4, ['readonly'], [1, 1, 1], ['read', 'string', 'slow'], getrange),
  command('substr', 4, ['readonly'], [1, 1, 1], ['read', 'string', 'slow'], getrange),
  command('setrange', 4, ['write', 'denyoom'], [1, 1, 1], ['write', 'string', 'slow'], setrange),
  command('incr', 2, ['write', 'denyoom', 'fast'], [1, 1, 1], ['write', 'string', 'fast'], incr),
  command('decr', 2, ['write', 'denyoom', 'fast'], [1, 1, 1], ['write', 'string', 'fast'], decr),
  command('incrby', 3, ['write', 'denyoom', 'fast'], [1, 1, 1], ['write', 'string', 'fast'], incrby),
  command('decrby', 3, ['write', 'denyoom', 'fast'], [1, 1, 1], ['write', 'string', 'fast'], decrby),
  command('incrbyfloat', 3, ['write', 'denyoom', 'fast'], [1, 1, 1], ['write', 'string', 'fast'], incrbyfloat),
  lcsCommand,
]
