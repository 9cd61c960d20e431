/**
 * Stream commands (Redis 7.0 t_stream.c): XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XSETID, XREAD and XREADGROUP
 * here; consumer groups (XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM) in stream-groups.ts, XINFO in stream-info.ts.
 *
 * Arguments are checked in Redis's order (options, then IDs, then the key). Generated IDs take the engine clock's
 * milliseconds. A stream is not deleted when it empties. XADD marks its key ready for blocked readers even though
 * the key existed (the list commands only wake readers of empty keys, a stream's readers wait on existing keys);
 * blocked XREAD / XREADGROUP are served like BLPOP, under the lease of the command that added, FIFO per key.
 */
import {
  type ConsumerGroup,
  MAX_STREAM_ID,
  type NodeLimits,
  RedisStream,
  type StreamId,
  UINT64_MAX,
  ZERO_ID,
  idMs,
  idSeq,
  streamId,
} from '../keyspace/types/stream.ts'
import { NOTIFY_STREAM } from '../keyspace/keyspace-events.ts'
import { Errors, NIL_ARRAY, OK, type Reply, ReplyError } from '../protocol/reply.ts'
import { keyOf } from './args.ts'
import { isCOption } from './c-options.ts'
import {
  entryReply,
  idReply,
  intervalId,
  keyedReply,
  longLongArg,
  type ParsedId,
  parseStreamId,
  readStream,
  strictId,
  writableStream,
} from './stream-args.ts'
import { deliverHistory, deliverNew, findOrCreateConsumer, groupCommands } from './stream-groups.ts'
import { xinfoCommand } from './stream-info.ts'
import { type CommandContext, command } from './types.ts'

/** XREAD's COUNT when it blocks without one (XREAD_BLOCKED_DEFAULT_COUNT). */
const BLOCKED_DEFAULT_COUNT = 1000

// --- XADD / XTRIM argument parsing ---

interface TrimArgs {
  strategy: 'none' | 'maxlen' | 'minid'
  maxlen: number
  minId: StreamId
  approx: boolean
  limit: number
}

interface AddArgs extends TrimArgs {
  /** Index of the ID argument (argv.length when none was found). */
  idIndex: number
  id: ParsedId | null
  noMkStream: boolean
}

const MIXED_STRATEGIES = 'ERR syntax error, MAXLEN and MINID options at the same time are not compatible'

/** The node limits CONFIG sets (stream-node-max-bytes, stream-node-max-entries). */
function nodeLimits(ctx: CommandContext): NodeLimits {
  const config = ctx.engine.config
  return {
    maxBytes: config.getNumber('stream-node-max-bytes'),
    maxEntries: config.getNumber('stream-node-max-entries'),
  }
}

/** streamParseAddOrTrimArgsOrReply. */
function parseAddOrTrim(argv: Buffer[], xadd: boolean, limits: NodeLimits): AddArgs {
  const args: AddArgs = {
    strategy: 'none',
    maxlen: -1,
    minId: ZERO_ID,
    approx: false,
    limit: 0,
    idIndex: argv.length,
    id: null,
    noMkStream: false,
  }
  let limitGiven = false
  let i = 2
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i
    const opt = argv[i]
    if (xadd && opt.length === 1 && opt[0] === 0x2a) {
      break
    } else if (isCOption(opt, 'MAXLEN') && more > 0) {
      if (args.strategy !== 'none') throw new ReplyError(MIXED_STRATEGIES)
      args.approx = false
      const next = argv[i + 1]
      if (more >= 2 && next.length === 1 && next[0] === 0x7e) {
        args.approx = true
        i++
      } else if (more >= 2 && next.length === 1 && next[0] === 0x3d) {
        i++
      }
      const maxlen = longLongArg(argv[i + 1])
      if (maxlen < 0n) throw new ReplyError('ERR The MAXLEN argument must be >= 0.')
      args.maxlen = maxlen > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(maxlen)
      i++
      args.strategy = 'maxlen'
    } else if (isCOption(opt, 'MINID') && more > 0) {
      if (args.strategy !== 'none') throw new ReplyError(MIXED_STRATEGIES)
      args.approx = false
      const next = argv[i + 1]
      if (more >= 2 && next.length === 1 && next[0] === 0x7e) {
        args.approx = true
        i++
      } else if (more >= 2 && next.length === 1 && next[0] === 0x3d) {
        i++
      }
      args.minId = strictId(argv[i + 1])
      i++
      args.strategy = 'minid'
    } else if (isCOption(opt, 'LIMIT') && more > 0) {
      const limit = longLongArg(argv[i + 1])
      if (limit < 0n) throw new ReplyError('ERR The LIMIT argument must be >= 0.')
      args.limit = limit > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(limit)
      limitGiven = true
      i++
    } else if (xadd && isCOption(opt, 'NOMKSTREAM')) {
      args.noMkStream = true
    } else if (xadd) {
      args.id = parseStreamId(opt, 0n, true, true)
      break
    } else {
      throw Errors.syntax()
    }
  }
  args.idIndex = i
  if (args.limit && args.strategy === 'none') {
    throw new ReplyError('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy')
  }
  if (!xadd && args.strategy === 'none') {
    throw new ReplyError('ERR syntax error, XTRIM must be called with a trimming strategy')
  }
  if (limitGiven) {
    if (!args.approx) throw new ReplyError('ERR syntax error, LIMIT cannot be used without the special ~ option')
  } else {
    // 100 * stream-node-max-entries when approximate (10000 when that is 0 or above a million), else unlimited.
    const limit = 100 * limits.maxEntries
    args.limit = args.approx ? (limit <= 0 || limit > 1000000 ? 10000 : limit) : 0
  }
  return args
}

function trim(s: RedisStream, args: TrimArgs): number {
  if (args.strategy === 'none') return 0
  return s.trim(args.strategy, args.maxlen, args.minId, args.approx, args.limit)
}

// --- XADD ---

function xadd(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  const limits = nodeLimits(ctx)
  const args = parseAddOrTrim(argv, true, limits)
  const fieldPos = args.idIndex + 1
  if (argv.length - fieldPos < 2 || (argv.length - fieldPos) % 2 === 1) throw Errors.arity('xadd')
  if (args.id?.seqGiven && args.id.id === ZERO_ID) {
    throw new ReplyError('ERR The ID specified in XADD must be greater than 0-0')
  }
  const key = keyOf(argv, 1)
  let s = writableStream(db, key)
  if (!s) {
    if (args.noMkStream) return null
    s = new RedisStream()
    db.set(key, s)
  }
  if (s.lastId === MAX_STREAM_ID) {
    throw new ReplyError('ERR The stream has exhausted the last possible ID, unable to add more items')
  }
  const id = nextId(s, args.id, ctx.engine.clock.now())
  if (id === null || id <= s.lastId) {
    throw new ReplyError('ERR The ID specified in XADD is equal or smaller than the target stream top item')
  }
  const pairs: string[] = new Array(argv.length - fieldPos)
  let bytes = 0
  for (let i = fieldPos; i < argv.length; i++) {
    pairs[i - fieldPos] = argv[i].toString('latin1')
    bytes += argv[i].length
  }
  s.append(id, pairs, bytes, limits)
  db.notify(NOTIFY_STREAM, 'xadd', key)
  if (trim(s, args) > 0) db.notify(NOTIFY_STREAM, 'xtrim', key)
  db.modified(key)
  markReadyForReaders(ctx, key)
  return idReply(id)
}

/** The ID streamAppendItem would use, or null for "equal or smaller than the top item". */
function nextId(s: RedisStream, given: ParsedId | null, now: number): StreamId | null {
  const last = s.lastId
  if (given === null) {
    const ms = BigInt(Math.max(0, Math.floor(now)))
    if (ms > idMs(last)) return streamId(ms, 0n)
    return incrementId(last)
  }
  if (given.seqGiven) return given.id
  if (idMs(given.id) === idMs(last)) {
    if (idSeq(last) === UINT64_MAX) return null
    return last + 1n
  }
  return given.id
}

/** streamIncrID: the next ID (null past the largest). */
export function incrementId(id: StreamId): StreamId | null {
  return id === MAX_STREAM_ID ? null : id + 1n
}

/** signalKeyAsReady for a stream that changed in place: blocked readers of `key` get a chance to be served. */
export function markReadyForReaders(ctx: CommandContext, key: string): void {
  const db = ctx.db
  if (db.blockedKeys.size > 0) db.blockedKeys.get(key)?.valueStored()
}

// --- XRANGE / XREVRANGE / XLEN ---

function rangeGeneric(ctx: CommandContext, reverse: boolean): Reply {
  const { argv } = ctx
  const startArg = reverse ? argv[3] : argv[2]
  const endArg = reverse ? argv[2] : argv[3]
  const start = intervalId(startArg, 0n)
  let startId = start.id
  if (start.exclusive) {
    const next = incrementId(startId)
    if (next === null) throw new ReplyError('ERR invalid start ID for the interval')
    startId = next
  }
  const end = intervalId(endArg, UINT64_MAX)
  let endId = end.id
  if (end.exclusive) {
    if (endId === ZERO_ID) throw new ReplyError('ERR invalid end ID for the interval')
    endId = endId - 1n
  }
  let count = -1n
  for (let j = 4; j < argv.length; j++) {
    if (isCOption(argv[j], 'COUNT') && j + 1 < argv.length) {
      count = longLongArg(argv[j + 1])
      if (count < 0n) count = 0n
      j++
    } else {
      throw Errors.syntax()
    }
  }
  const s = readStream(ctx.db, keyOf(argv, 1))
  if (!s) return []
  if (count === 0n) return NIL_ARRAY
  const limit = count === -1n ? 0 : count > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(count)
  const out: Reply[] = []
  s.forEachInRange(startId, endId, reverse, (id, fields) => {
    out.push(entryReply(id, fields))
    return limit === 0 || out.length < limit
  })
  return out
}

function xlen(ctx: CommandContext): Reply {
  return readStream(ctx.db, keyOf(ctx.argv, 1))?.length ?? 0
}

// --- XDEL / XTRIM / XSETID ---

function xdel(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  const key = keyOf(argv, 1)
  const s = writableStream(db, key)
  if (!s) return 0
  const ids: StreamId[] = []
  for (let j = 2; j < argv.length; j++) ids.push(strictId(argv[j]))
  let deleted = 0
  let firstEntry = false
  for (const id of ids) {
    if (!s.delete(id)) continue
    if (id === s.firstId) firstEntry = true
    if (id > s.maxDeletedId) s.maxDeletedId = id
    deleted++
  }
  if (deleted > 0) {
    if (s.length === 0) s.firstId = ZERO_ID
    else if (firstEntry) s.firstId = s.edgeId(true) ?? ZERO_ID
    db.modified(key)
    db.notify(NOTIFY_STREAM, 'xdel', key)
  }
  return deleted
}

function xtrim(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  const args = parseAddOrTrim(argv, false, nodeLimits(ctx))
  const key = keyOf(argv, 1)
  const s = writableStream(db, key)
  if (!s) return 0
  const deleted = trim(s, args)
  if (deleted > 0) {
    db.notify(NOTIFY_STREAM, 'xtrim', key)
    db.modified(key)
  }
  return deleted
}

function xsetid(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  const id = strictId(argv[2])
  let entriesAdded = -1n
  let maxDeleted = ZERO_ID
  for (let i = 3; i < argv.length; i += 2) {
    const more = argv.length - 1 - i
    if (isCOption(argv[i], 'ENTRIESADDED') && more > 0) {
      entriesAdded = longLongArg(argv[i + 1])
      if (entriesAdded < 0n) throw new ReplyError('ERR entries_added must be positive')
    } else if (isCOption(argv[i], 'MAXDELETEDID') && more > 0) {
      maxDeleted = strictId(argv[i + 1])
      if (id < maxDeleted) {
        throw new ReplyError('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id')
      }
    } else {
      throw Errors.syntax()
    }
  }
  const key = keyOf(argv, 1)
  const s = writableStream(db, key)
  if (!s) throw Errors.noSuchKey()
  if (s.length > 0) {
    if (id < s.lastValidId()) {
      throw new ReplyError('ERR The ID specified in XSETID is smaller than the target stream top item')
    }
    if (entriesAdded !== -1n && BigInt(s.length) > entriesAdded) {
      throw new ReplyError('ERR The entries_added specified in XSETID is smaller than the target stream length')
    }
  }
  s.lastId = id
  if (entriesAdded !== -1n) s.entriesAdded = Number(entriesAdded)
  if (maxDeleted !== ZERO_ID) s.maxDeletedId = maxDeleted
  // Redis 7.0 does not signal XSETID as a modification: a WATCH on the key survives it.
  db.notify(NOTIFY_STREAM, 'xsetid', key)
  return OK
}

// --- XREAD / XREADGROUP ---

/** The ">" ID of XREADGROUP: the largest ID, as Redis marks it. */
const NEW_ENTRIES = MAX_STREAM_ID

interface ReadArgs {
  timeout: number
  count: number
  streamsArg: number
  streamsCount: number
  noack: boolean
  group: Buffer | null
  consumer: Buffer | null
}

function parseRead(ctx: CommandContext, groupForm: boolean): ReadArgs {
  const { argv } = ctx
  const name = argv[0].toString('latin1')
  const args: ReadArgs = {
    timeout: -1,
    count: 0,
    streamsArg: 0,
    streamsCount: 0,
    noack: false,
    group: null,
    consumer: null,
  }
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - i - 1
    const o = argv[i]
    if (isCOption(o, 'BLOCK') && more > 0) {
      if (ctx.origin === 'script') {
        throw new ReplyError(`ERR ${name} command is not allowed with BLOCK option from scripts`)
      }
      i++
      const ms = longLongArg(argv[i], 'timeout is not an integer or out of range')
      if (ms < 0n) throw new ReplyError('ERR timeout is negative')
      args.timeout = Number(ms)
    } else if (isCOption(o, 'COUNT') && more > 0) {
      i++
      const count = longLongArg(argv[i])
      args.count = count < 0n ? 0 : count > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(count)
    } else if (isCOption(o, 'STREAMS') && more > 0) {
      args.streamsArg = i + 1
      const n = argv.length - args.streamsArg
      if (n % 2 !== 0) {
        const symbol = groupForm ? '>' : '$'
        throw new ReplyError(
          `ERR Unbalanced ${groupForm ? 'XREADGROUP' : 'XREAD'} list of streams: for each stream key an ID or '${symbol}' must be specified.`,
        )
      }
      args.streamsCount = n / 2
      break
    } else if (isCOption(o, 'GROUP') && more >= 2) {
      if (!groupForm) {
        throw new ReplyError('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.')
      }
      args.group = argv[i + 1]
      args.consumer = argv[i + 2]
      i += 2
    } else if (isCOption(o, 'NOACK')) {
      if (!groupForm) {
        throw new ReplyError('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.')
      }
      args.noack = true
    } else {
      throw Errors.syntax()
    }
  }
  if (args.streamsArg === 0) throw Errors.syntax()
  if (groupForm && args.group === null) throw new ReplyError('ERR Missing GROUP option for XREADGROUP')
  return args
}

function readGeneric(ctx: CommandContext, groupForm: boolean): Reply {
  const { argv, db } = ctx
  const args = parseRead(ctx, groupForm)
  const { streamsArg, streamsCount } = args
  const ids: StreamId[] = new Array(streamsCount)
  const groups: ConsumerGroup[] = []
  for (let i = streamsArg + streamsCount; i < argv.length; i++) {
    const index = i - streamsArg - streamsCount
    const keyArg = argv[i - streamsCount]
    const s = readStream(db, keyArg.toString('latin1'))
    if (args.group) {
      const group = s?.groups.get(args.group.toString('latin1'))
      if (!group) {
        throw new ReplyError(
          `NOGROUP No such key '${keyArg.toString('latin1')}' or consumer group '${args.group.toString('latin1')}' in XREADGROUP with GROUP option`,
        )
      }
      groups[index] = group
    }
    const text = argv[i]
    if (text.length === 1 && text[0] === 0x24) {
      if (groupForm) {
        throw new ReplyError(
          'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.',
        )
      }
      ids[index] = s ? s.lastId : ZERO_ID
      continue
    }
    if (text.length === 1 && text[0] === 0x3e) {
      if (!groupForm) {
        throw new ReplyError(
          'ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.',
        )
      }
      ids[index] = NEW_ENTRIES
      continue
    }
    ids[index] = strictId(text)
  }

  const now = ctx.engine.clock.now()
  const served: Array<[Buffer, Reply]> = []
  for (let i = 0; i < streamsCount; i++) {
    const keyArg = argv[streamsArg + i]
    const s = readStream(db, keyArg.toString('latin1'))
    if (!s) continue
    let gt = ids[i]
    let serve = false
    let history = false
    const group = groups[i]
    if (group) {
      if (gt !== NEW_ENTRIES) {
        serve = true
        history = true
      } else if (s.length > 0 && s.lastValidId() > group.lastId) {
        serve = true
        gt = group.lastId
      }
    } else if (s.length > 0 && s.lastValidId() > gt) {
      serve = true
    }
    if (!serve) continue
    const start = incrementId(gt) ?? MAX_STREAM_ID
    if (group) {
      const consumer = findOrCreateConsumer(
        db,
        keyArg.toString('latin1'),
        group,
        (args.consumer as Buffer).toString('latin1'),
        now,
      )
      const entries = history
        ? deliverHistory(s, consumer, start, args.count, now)
        : deliverNew(s, group, consumer, start, args.count, args.noack, now)
      served.push([keyArg, entries])
    } else {
      const entries: Reply[] = []
      s.forEachInRange(start, MAX_STREAM_ID, false, (id, fields) => {
        entries.push(entryReply(id, fields))
        return args.count === 0 || entries.length < args.count
      })
      served.push([keyArg, entries])
    }
  }
  if (served.length > 0) return keyedReply(ctx, served)
  if (args.timeout === -1) return NIL_ARRAY
  if (!ctx.engine.blocking.canBlock(ctx)) return NIL_ARRAY

  const keys = argv.slice(streamsArg, streamsArg + streamsCount).map((k) => k.toString('latin1'))
  const awaited = new Map<string, StreamId>()
  keys.forEach((k, i) => {
    if (!awaited.has(k)) awaited.set(k, ids[i])
  })
  const count = args.count || BLOCKED_DEFAULT_COUNT
  const groupName = args.group?.toString('latin1') ?? null
  const consumerName = args.consumer?.toString('latin1') ?? null
  const noack = args.noack
  const deadline = args.timeout === 0 ? 0 : ctx.engine.clock.now() + args.timeout
  return ctx.engine.blocking.block(ctx, {
    keys,
    type: 'stream',
    deadline,
    serve: (servedCtx, key) => serveBlockedRead(servedCtx, key, awaited, count, groupName, consumerName, noack),
  })
}

/** serveClientsBlockedOnStreamKey for one blocked reader: its reply, or undefined to keep it waiting. */
function serveBlockedRead(
  ctx: CommandContext,
  key: string,
  awaited: Map<string, StreamId>,
  count: number,
  groupName: string | null,
  consumerName: string | null,
  noack: boolean,
): Reply | undefined {
  const s = readStream(ctx.db, key)
  if (!s) return undefined
  let gt = awaited.get(key) ?? ZERO_ID
  let group: ConsumerGroup | undefined
  if (groupName !== null) {
    group = s.groups.get(groupName)
    if (!group) return new ReplyError('NOGROUP the consumer group this client was blocked on no longer exists')
    gt = group.lastId
  }
  if (!(s.lastId > gt)) return undefined
  const start = incrementId(gt) ?? MAX_STREAM_ID
  const now = ctx.engine.clock.now()
  let entries: Reply[]
  if (group) {
    const consumer = findOrCreateConsumer(ctx.db, key, group, consumerName as string, now)
    entries = deliverNew(s, group, consumer, start, count, noack, now)
  } else {
    entries = []
    s.forEachInRange(start, MAX_STREAM_ID, false, (id, fields) => {
      entries.push(entryReply(id, fields))
      return entries.length < count
    })
  }
  return keyedReply(ctx, [[Buffer.from(key, 'latin1'), entries]])
}

/** The keys of XREAD / XREADGROUP: the first half of the arguments after STREAMS. */
function readKeys(argv: Buffer[]): number[] {
  for (let i = 1; i < argv.length; i++) {
    if (isCOption(argv[i], 'STREAMS')) {
      const first = i + 1
      const n = (argv.length - first) / 2
      if (!Number.isInteger(n)) return []
      return Array.from({ length: n }, (_, j) => first + j)
    }
    if (isCOption(argv[i], 'GROUP')) i += 2
    else if (isCOption(argv[i], 'COUNT') || isCOption(argv[i], 'BLOCK')) i++
  }
  return []
}

const WRITE_FAST = ['write', 'stream', 'fast']
const READ_SLOW = ['read', 'stream', 'slow']

export const streamCommands = [
  command('xadd', -5, ['write', 'denyoom', 'fast'], [1, 1, 1], WRITE_FAST, xadd),
  command('xrange', -4, ['readonly'], [1, 1, 1], READ_SLOW, (ctx) => rangeGeneric(ctx, false)),
  command('xrevrange', -4, ['readonly'], [1, 1, 1], READ_SLOW, (ctx) => rangeGeneric(ctx, true)),
  command('xlen', 2, ['readonly', 'fast'], [1, 1, 1], ['read', 'stream', 'fast'], xlen),
  command('xdel', -3, ['write', 'fast'], [1, 1, 1], WRITE_FAST, xdel),
  command('xtrim', -4, ['write'], [1, 1, 1], ['write', 'stream', 'slow'], xtrim),
  command('xsetid', -3, ['write', 'denyoom', 'fast'], [1, 1, 1], WRITE_FAST, xsetid),
  command(
    'xread',
    -4,
    ['readonly', 'blocking', 'movablekeys'],
    [0, 0, 0],
    ['read', 'stream', 'slow', 'blocking'],
    (ctx) => readGeneric(ctx, false),
    {
      getKeys: readKeys,
    },
  ),
  command(
    'xreadgroup',
    -7,
    ['write', 'blocking', 'movablekeys'],
    [0, 0, 0],
    ['write', 'stream', 'slow', 'blocking'],
    (ctx) => readGeneric(ctx, true),
    { getKeys: readKeys },
  ),
  ...groupCommands,
  xinfoCommand,
]
