/**
 * List commands (Redis 7.0 t_list.c), including the blocking forms. Elements are stored Buffers handed out as they
 * are (never mutated in place). Every write goes through the Database (set for a new key, modified for a change in
 * place, delete when the list empties), so WATCH, the simulator's recorder and blocked clients see it.
 *
 * Blocking commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP) first try their non-blocking form; finding nothing, a
 * client's own command blocks (src/engine/blocking.ts) with a serve step that pops from whichever key becomes ready,
 * while inside MULTI or a script they answer at once as Redis's CLIENT_DENY_BLOCKING makes them.
 */
import { type BlockRequest, parseBlockingTimeout } from '../engine/blocking.ts'
import type { Database } from '../keyspace/database.ts'
import { RedisList } from '../keyspace/types/list.ts'
import { Errors, NIL_ARRAY, OK, type Reply, ReplyError } from '../protocol/reply.ts'
import { bigIntegerArg, integerArg, isOption, keyOf, LLONG_MIN } from './args.ts'
import { LONG_MAX, positiveLongArg, rangeLongArg } from './collection-args.ts'
import { type CommandContext, command } from './types.ts'
import { NOTIFY_GENERIC, NOTIFY_LIST } from '../keyspace/keyspace-events.ts'

/** The list at `key` for reading, undefined when absent; WRONGTYPE for another type. */
function readList(db: Database, key: string): RedisList | undefined {
  const value = db.get(key)
  if (value === undefined) return undefined
  if (!(value instanceof RedisList)) throw Errors.wrongType()
  return value
}

/** The list at `key` for writing, undefined when absent; WRONGTYPE for another type. */
function writableList(db: Database, key: string): RedisList | undefined {
  const value = db.getForWrite(key)
  if (value === undefined) return undefined
  if (!(value instanceof RedisList)) throw Errors.wrongType()
  return value
}

/**
 * After removing elements: delete the key if the list is now empty, else report the change; the command's keyspace
 * event (`lpop`, `lrem`, ...) comes first, then `del` for an emptied list, as in Redis.
 */
function afterRemoval(db: Database, key: string, list: RedisList, event: string): void {
  if (list.length === 0) db.delete(key)
  else db.modified(key)
  db.notify(NOTIFY_LIST, event, key)
  if (list.length === 0) db.notify(NOTIFY_GENERIC, 'del', key)
}

function popEvent(front: boolean): string {
  return front ? 'lpop' : 'rpop'
}

/** LEFT or RIGHT (getListPositionFromObjectOrReply); true for LEFT (the head). */
function sideArg(buf: Buffer): boolean {
  if (isOption(buf, 'LEFT')) return true
  if (isOption(buf, 'RIGHT')) return false
  throw Errors.syntax()
}

function keyBuffer(key: string): Buffer {
  return Buffer.from(key, 'latin1')
}

// --- push and pop ---

function push(ctx: CommandContext, front: boolean, onlyIfExists: boolean): Reply {
  const { argv, db } = ctx
  const key = keyOf(argv, 1)
  const existing = writableList(db, key)
  if (!existing && onlyIfExists) return 0
  const list = existing ?? new RedisList()
  for (let i = 2; i < argv.length; i++) {
    if (front) list.pushFront(argv[i])
    else list.pushBack(argv[i])
  }
  // A new key goes in last, once it holds its elements: storing it is what wakes clients blocked on it.
  if (existing) db.modified(key)
  else db.set(key, list)
  db.notify(NOTIFY_LIST, front ? 'lpush' : 'rpush', key)
  return list.length
}

/** Pops up to `count` elements from one end into a new array; deletes the key when the list empties. */
function popRange(db: Database, key: string, list: RedisList, front: boolean, count: number): Buffer[] {
  const n = Math.min(count, list.length)
  const out: Buffer[] = new Array(n)
  for (let i = 0; i < n; i++) out[i] = (front ? list.popFront() : list.popBack()) as Buffer
  afterRemoval(db, key, list, popEvent(front))
  return out
}

function pop(ctx: CommandContext, front: boolean): Reply {
  const { argv, db } = ctx
  if (argv.length > 3) throw Errors.arity(ctx.spec.name)
  const withCount = argv.length === 3
  const count = withCount ? positiveLongArg(argv[2]) : 1
  const key = keyOf(argv, 1)
  const list = writableList(db, key)
  if (!list) return withCount ? NIL_ARRAY : null
  if (withCount && count === 0) return []
  if (!withCount) {
    const value = (front ? list.popFront() : list.popBack()) as Buffer
    afterRemoval(db, key, list, popEvent(front))
    return value
  }
  return popRange(db, key, list, front, count)
}

// --- reading and editing ---

function llen(ctx: CommandContext): Reply {
  return readList(ctx.db, keyOf(ctx.argv, 1))?.length ?? 0
}

function lrange(ctx: CommandContext): Reply {
  const { argv } = ctx
  let start = integerArg(argv[2])
  let end = integerArg(argv[3])
  const list = readList(ctx.db, keyOf(argv, 1))
  if (!list) return []
  const length = list.length
  if (start < 0) start += length
  if (end < 0) end += length
  if (start < 0) start = 0
  if (start > end || start >= length) return []
  if (end >= length) end = length - 1
  return list.range(start, end)
}

function lindex(ctx: CommandContext): Reply {
  const { argv } = ctx
  const list = readList(ctx.db, keyOf(argv, 1))
  if (!list) return null
  let index = integerArg(argv[2])
  if (index < 0) index += list.length
  return index >= 0 && index < list.length ? list.at(index) : null
}

function lset(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  const key = keyOf(argv, 1)
  const list = writableList(db, key)
  if (!list) throw Errors.noSuchKey()
  let index = integerArg(argv[2])
  if (index < 0) index += list.length
  if (index < 0 || index >= list.length) throw new ReplyError('ERR index out of range')
  list.setAt(index, argv[3])
  db.modified(key)
  db.notify(NOTIFY_LIST, 'lset', key)
  return OK
}

function linsert(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  let after: boolean
  if (isOption(argv[2], 'AFTER')) after = true
  else if (isOption(argv[2], 'BEFORE')) after = false
  else throw Errors.syntax()
  const key = keyOf(argv, 1)
  const list = writableList(db, key)
  if (!list) return 0
  const pivot = argv[3]
  for (let i = 0; i < list.length; i++) {
    if (list.at(i).equals(pivot)) {
      list.insertAt(after ? i + 1 : i, argv[4])
      db.modified(key)
      db.notify(NOTIFY_LIST, 'linsert', key)
      return list.length
    }
  }
  return -1
}

function lrem(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  const count = integerArg(argv[2])
  const key = keyOf(argv, 1)
  const list = writableList(db, key)
  if (!list) return 0
  const element = argv[3]
  const removed = list.removeWhere((value) => value.equals(element), Math.abs(count), count < 0)
  if (removed > 0) afterRemoval(db, key, list, 'lrem')
  return removed
}

function ltrim(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  let start = integerArg(argv[2])
  let end = integerArg(argv[3])
  const key = keyOf(argv, 1)
  const list = writableList(db, key)
  if (!list) return OK
  const length = list.length
  if (start < 0) start += length
  if (end < 0) end += length
  if (start < 0) start = 0
  if (start > end || start >= length) {
    db.delete(key)
    db.notify(NOTIFY_LIST, 'ltrim', key)
    db.notify(NOTIFY_GENERIC, 'del', key)
    return OK
  }
  if (end >= length) end = length - 1
  list.trim(start, end)
  // Redis signals the key even when nothing was trimmed.
  db.modified(key)
  db.notify(NOTIFY_LIST, 'ltrim', key)
  return OK
}

function lpos(ctx: CommandContext): Reply {
  const { argv } = ctx
  let rank = 1
  let count = -1
  let maxlen = 0
  for (let i = 3; i < argv.length; i++) {
    const more = i + 1 < argv.length
    if (more && isOption(argv[i], 'RANK')) {
      const value = bigIntegerArg(argv[++i])
      // Redis negates the rank in a C long, so LONG_MIN stays negative: from the tail, every match qualifies.
      rank = value === LLONG_MIN ? -1 : Number(value)
      if (rank === 0) {
        throw new ReplyError(
          "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
        )
      }
    } else if (more && isOption(argv[i], 'COUNT')) {
      count = rangeLongArg(argv[++i], 0n, LONG_MAX, "COUNT can't be negative")
    } else if (more && isOption(argv[i], 'MAXLEN')) {
      maxlen = rangeLongArg(argv[++i], 0n, LONG_MAX, "MAXLEN can't be negative")
    } else {
      throw Errors.syntax()
    }
  }
  const fromTail = rank < 0
  if (fromTail) rank = -rank
  const list = readList(ctx.db, keyOf(argv, 1))
  if (!list) return count !== -1 ? [] : null
  const element = argv[2]
  const length = list.length
  const limit = maxlen === 0 ? length : Math.min(maxlen, length)
  const found: number[] = []
  let matches = 0
  for (let step = 0; step < limit; step++) {
    const index = fromTail ? length - 1 - step : step
    if (!list.at(index).equals(element)) continue
    matches++
    if (matches < rank) continue
    if (count === -1) return index
    found.push(index)
    if (count !== 0 && found.length >= count) break
  }
  return count === -1 ? null : found
}

// --- moving between lists ---

/**
 * LMOVE from `source` to `destination` (both already type-checked by the caller or here), Redis's lmoveGenericCommand:
 * nil when the source is missing, WRONGTYPE for a non-list destination, otherwise the moved element.
 */
function move(db: Database, sourceKey: string, destinationKey: string, fromFront: boolean, toFront: boolean): Reply {
  const source = writableList(db, sourceKey)
  if (!source) return null
  const destination = writableList(db, destinationKey)
  // All checks before the pop: a destination that could not be created must not cost the source its element.
  if (!destination) db.reserve([destinationKey])
  const value = (fromFront ? source.popFront() : source.popBack()) as Buffer
  const target = destination ?? new RedisList()
  if (toFront) target.pushFront(value)
  else target.pushBack(value)
  if (destination) db.modified(destinationKey)
  else db.set(destinationKey, target)
  db.notify(NOTIFY_LIST, toFront ? 'lpush' : 'rpush', destinationKey)
  // The source may be the destination: only delete it if the move left it empty.
  if (source !== destination) afterRemoval(db, sourceKey, source, popEvent(fromFront))
  else db.notify(NOTIFY_LIST, popEvent(fromFront), sourceKey)
  return value
}

function rpoplpush(ctx: CommandContext): Reply {
  return move(ctx.db, keyOf(ctx.argv, 1), keyOf(ctx.argv, 2), false, true)
}

function lmove(ctx: CommandContext): Reply {
  const { argv } = ctx
  const fromFront = sideArg(argv[3])
  const toFront = sideArg(argv[4])
  return move(ctx.db, keyOf(argv, 1), keyOf(argv, 2), fromFront, toFront)
}

// --- LMPOP and the blocking commands ---

interface MpopArgs {
  keys: Buffer[]
  front: boolean
  count: number
}

/** LMPOP/BLMPOP arguments after the timeout: numkeys key... LEFT|RIGHT [COUNT count] (lmpopGenericCommand). */
function mpopArgs(argv: Buffer[], numkeysIndex: number): MpopArgs {
  const numkeys = rangeLongArg(argv[numkeysIndex], 1n, LONG_MAX, 'numkeys should be greater than 0')
  const whereIndex = numkeysIndex + numkeys + 1
  if (whereIndex >= argv.length) throw Errors.syntax()
  const front = sideArg(argv[whereIndex])
  let count = -1
  for (let i = whereIndex + 1; i < argv.length; i++) {
    if (count === -1 && isOption(argv[i], 'COUNT') && i + 1 < argv.length) {
      count = rangeLongArg(argv[++i], 1n, LONG_MAX, 'count should be greater than 0')
    } else {
      throw Errors.syntax()
    }
  }
  return { keys: argv.slice(numkeysIndex + 1, whereIndex), front, count: count === -1 ? 1 : count }
}

/** The first non-empty list among `keys` popped as [key, [elements]], or undefined when all are missing. */
function mpop(db: Database, keys: Buffer[], front: boolean, count: number): Reply | undefined {
  for (const keyBuf of keys) {
    const key = keyBuf.toString('latin1')
    const list = writableList(db, key)
    if (!list) continue
    return [keyBuf, popRange(db, key, list, front, count)]
  }
  return undefined
}

function lmpop(ctx: CommandContext): Reply {
  const { keys, front, count } = mpopArgs(ctx.argv, 1)
  return mpop(ctx.db, keys, front, count) ?? NIL_ARRAY
}

/** Blocks the client on `keys` until one holds a list (callers checked that none does and that it may block). */
function blockOnLists(ctx: CommandContext, keys: Buffer[], deadline: number, serve: BlockRequest['serve']): Reply {
  return ctx.engine.blocking.block(ctx, { keys: keys.map((k) => k.toString('latin1')), type: 'list', deadline, serve })
}

/** BLPOP/BRPOP key... timeout: [key, element] from the first non-empty list, else block. */
function blockingPop(ctx: CommandContext, front: boolean): Reply {
  const { argv, db } = ctx
  const deadline = parseBlockingTimeout(argv[argv.length - 1], ctx.engine.clock.now())
  const keys = argv.slice(1, -1)
  for (const keyBuf of keys) {
    const key = keyBuf.toString('latin1')
    const list = writableList(db, key)
    if (!list) continue
    const value = (front ? list.popFront() : list.popBack()) as Buffer
    afterRemoval(db, key, list, popEvent(front))
    return [keyBuf, value]
  }
  if (!ctx.engine.blocking.canBlock(ctx)) return NIL_ARRAY
  return blockOnLists(ctx, keys, deadline, (served, key) => {
    const list = writableList(served.db, key)
    if (!list) return undefined
    const value = (front ? list.popFront() : list.popBack()) as Buffer
    afterRemoval(served.db, key, list, popEvent(front))
    return [keyBuffer(key), value]
  })
}

function blmpop(ctx: CommandContext): Reply {
  const { keys, front, count } = mpopArgs(ctx.argv, 2)
  const deadline = parseBlockingTimeout(ctx.argv[1], ctx.engine.clock.now())
  const popped = mpop(ctx.db, keys, front, count)
  if (popped !== undefined) return popped
  if (!ctx.engine.blocking.canBlock(ctx)) return NIL_ARRAY
  return blockOnLists(ctx, keys, deadline, (served, key) => {
    const list = writableList(served.db, key)
    if (!list) return undefined
    return [keyBuffer(key), popRange(served.db, key, list, front, count)]
  })
}

/** BLMOVE/BRPOPLPUSH: LMOVE when the source exists, else block (nil bulk inside MULTI or a script). */
function blockingMove(ctx: CommandContext, fromFront: boolean, toFront: boolean, timeoutArg: Buffer): Reply {
  const { argv, db } = ctx
  const deadline = parseBlockingTimeout(timeoutArg, ctx.engine.clock.now())
  const sourceKey = keyOf(argv, 1)
  const destinationKey = keyOf(argv, 2)
  if (writableList(db, sourceKey)) return move(db, sourceKey, destinationKey, fromFront, toFront)
  if (!ctx.engine.blocking.canBlock(ctx)) return null
  return blockOnLists(ctx, [argv[1]], deadline, (served) =>
    // A destination of another type makes the served client get WRONGTYPE (thrown from move), as in Redis 7.0.
    move(served.db, sourceKey, destinationKey, fromFront, toFront),
  )
}

function blmove(ctx: CommandContext): Reply {
  const { argv } = ctx
  const fromFront = sideArg(argv[3])
  const toFront = sideArg(argv[4])
  return blockingMove(ctx, fromFront, toFront, argv[5])
}

function brpoplpush(ctx: CommandContext): Reply {
  return blockingMove(ctx, false, true, ctx.argv[3])
}

/** Keys of LMPOP (numkeys at argv[1]) and BLMPOP (numkeys at argv[2]) for COMMAND GETKEYS and the recorder. */
function numkeysAt(index: number): (argv: Buffer[]) => number[] {
  return (argv) => {
    const n = Number(argv[index]?.toString('latin1'))
    if (!Number.isInteger(n) || n < 1 || index + n >= argv.length) return []
    return Array.from({ length: n }, (_, i) => index + 1 + i)
  }
}

const WRITE_FAST = ['write', 'list', 'fast']
const WRITE_SLOW = ['write', 'list', 'slow']
const READ_SLOW = ['read', 'list', 'slow']
const BLOCKING = ['write', 'list', 'slow', 'blocking']

export const listCommands = [
  command('lpush', -3, ['write', 'denyoom', 'fast'], [1, 1, 1], WRITE_FAST, (ctx) => push(ctx, true, false)),
  command('rpush', -3, ['write', 'denyoom', 'fast'], [1, 1, 1], WRITE_FAST, (ctx) => push(ctx, false, false)),
  command('lpushx', -3, ['write', 'denyoom', 'fast'], [1, 1, 1], WRITE_FAST, (ctx) => push(ctx, true, true)),
  command('rpushx', -3, ['write', 'denyoom', 'fast'], [1, 1, 1], WRITE_FAST, (ctx) => push(ctx, false, true)),
  command('lpop', -2, ['write', 'fast'], [1, 1, 1], WRITE_FAST, (ctx) => pop(ctx, true)),
  command('rpop', -2, ['write', 'fast'], [1, 1, 1], WRITE_FAST, (ctx) => pop(ctx, false)),
  command('llen', 2, ['readonly', 'fast'], [1, 1, 1], ['read', 'list', 'fast'], llen),
  command('lrange', 4, ['readonly'], [1, 1, 1], READ_SLOW, lrange),
  command('lindex', 3, ['readonly'], [1, 1, 1], READ_SLOW, lindex),
  command('lset', 4, ['write', 'denyoom'], [1, 1, 1], WRITE_SLOW, lset),
  command('linsert', 5, ['write', 'denyoom'], [1, 1, 1], WRITE_SLOW, linsert),
  command('lrem', 4, ['write'], [1, 1, 1], WRITE_SLOW, lrem),
  command('ltrim', 4, ['write'], [1, 1, 1], WRITE_SLOW, ltrim),
  command('lpos', -3, ['readonly'], [1, 1, 1], READ_SLOW, lpos),
  command('rpoplpush', 3, ['write', 'denyoom'], [1, 2, 1], WRITE_SLOW, rpoplpush),
  command('lmove', 5, ['write', 'denyoom'], [1, 2, 1], WRITE_SLOW, lmove),
  command('lmpop', -4, ['write', 'movablekeys'], null, WRITE_SLOW, lmpop, { getKeys: numkeysAt(1) }),
  command('blpop', -3, ['write', 'noscript', 'blocking'], [1, -2, 1], BLOCKING, (ctx) => blockingPop(ctx, true)),
  command('brpop', -3, ['write', 'noscript', 'blocking'], [1, -2, 1], BLOCKING, (ctx) => blockingPop(ctx, false)),
  command('blmove', 6, ['write', 'denyoom', 'noscript', 'blocking'], [1, 2, 1], BLOCKING, blmove),
  command('brpoplpush', 4, ['write', 'denyoom', 'noscript', 'blocking'], [1, 2, 1], BLOCKING, brpoplpush),
  command('blmpop', -5, ['write', 'blocking', 'movablekeys'], null, BLOCKING, blmpop, { getKeys: numkeysAt(2) }),
]
