/**
 * Consumer groups (Redis 7.0 t_stream.c): delivery to a consumer (new entries move the group's last ID and enter
 * the pending entries list, history re-delivers the consumer's own pending entries), XGROUP, XACK, XPENDING, XCLAIM
 * and XAUTOCLAIM. Times are the engine clock's milliseconds. None of them invalidates a WATCH on the key, as in Redis
 * 7.0 (only the stream XGROUP CREATE ... MKSTREAM creates counts as a write to it). A group's PEL and each consumer's PEL share the NACK
 * objects, as Redis's two radix trees do.
 */
import {
  type ConsumerGroup,
  ConsumerGroup as Group,
  INVALID_ENTRIES_READ,
  MAX_STREAM_ID,
  RedisStream,
  type StreamConsumer,
  StreamConsumer as Consumer,
  type StreamId,
  StreamNack,
  ZERO_ID,
} from '../keyspace/types/stream.ts'
import { Errors, NIL_ARRAY as NIL, OK, type Reply, ReplyError, SimpleString as SimpleLine } from '../protocol/reply.ts'
import type { Database } from '../keyspace/database.ts'
import { NOTIFY_STREAM } from '../keyspace/keyspace-events.ts'
import { keyOf } from './args.ts'
import { isCOption } from './c-options.ts'
import {
  entryReply,
  idReply,
  intervalId,
  longLongArg,
  parseStreamId,
  readStream,
  strictId,
  writableStream,
} from './stream-args.ts'
import { type CommandContext, command } from './types.ts'

/**
 * streamLookupConsumer (refreshing its seen time), or streamCreateConsumer, which announces the new consumer
 * (keyspace event xgroup-createconsumer on `key`).
 */
export function findOrCreateConsumer(
  db: Database,
  key: string,
  group: ConsumerGroup,
  name: string,
  now: number,
): StreamConsumer {
  let consumer = group.consumers.get(name)
  if (!consumer) {
    consumer = new Consumer(name, now)
    group.consumers.set(name, consumer)
    db.notify(NOTIFY_STREAM, 'xgroup-createconsumer', key)
  }
  consumer.seenTime = now
  return consumer
}

/**
 * streamReplyWithRange for a group reading new entries (">"): entries from `start`, each moving the group's last ID
 * (and its entries-read counter) and, unless NOACK, entering the PEL as delivered now to `consumer`.
 */
export function deliverNew(
  s: RedisStream,
  group: ConsumerGroup,
  consumer: StreamConsumer,
  start: StreamId,
  count: number,
  noack: boolean,
  now: number,
): Reply[] {
  const out: Reply[] = []
  s.forEachInRange(start, MAX_STREAM_ID, false, (id, fields) => {
    if (id > group.lastId) {
      if (group.entriesRead !== INVALID_ENTRIES_READ && !s.rangeHasTombstones(id, undefined)) {
        group.entriesRead++
      } else if (s.entriesAdded) {
        group.entriesRead = s.estimateDistanceFromFirstEverEntry(id)
      }
      group.lastId = id
    }
    out.push(entryReply(id, fields))
    if (!noack) {
      const existing = group.pel.get(id)
      if (existing) {
        existing.consumer.pel.delete(id)
        existing.consumer = consumer
        existing.deliveryTime = now
        existing.deliveryCount = 1
        consumer.pel.insert(id, existing)
      } else {
        const nack = new StreamNack(consumer, now, 1)
        group.pel.insert(id, nack)
        consumer.pel.insert(id, nack)
      }
    }
    return count === 0 || out.length < count
  })
  return out
}

/**
 * streamReplyWithRangeFromConsumerPEL: the consumer's pending entries from `start`, each re-delivered (delivery time
 * now, count + 1); one deleted from the stream meanwhile is [id, nil].
 */
export function deliverHistory(
  s: RedisStream,
  consumer: StreamConsumer,
  start: StreamId,
  count: number,
  now: number,
): Reply[] {
  const out: Reply[] = []
  for (const [id, nack] of consumer.pel.range(start, MAX_STREAM_ID, count)) {
    const fields = s.get(id)
    if (fields === undefined) {
      out.push([idReply(id), NIL])
      continue
    }
    nack.deliveryTime = now
    nack.deliveryCount++
    out.push(entryReply(id, fields))
  }
  return out
}

function text(arg: Buffer): string {
  return arg.toString('latin1')
}

// --- XGROUP ---

export function subcommandSyntaxError(argv: Buffer[]): ReplyError {
  return new ReplyError(
    `ERR unknown subcommand or wrong number of arguments for '${text(argv[1]).slice(0, 128)}'. Try ${text(argv[0]).toUpperCase()} HELP.`,
  )
}

function entriesReadOptions(argv: Buffer[], mkstreamAllowed: boolean): { mkstream: boolean; entriesRead: number } {
  let mkstream = false
  let entriesRead = INVALID_ENTRIES_READ
  for (let i = 5; i < argv.length; ) {
    if (mkstreamAllowed && isCOption(argv[i], 'MKSTREAM')) {
      mkstream = true
      i++
    } else if (isCOption(argv[i], 'ENTRIESREAD') && i + 1 < argv.length) {
      const n = longLongArg(argv[i + 1])
      if (n < 0n && n !== -1n) throw new ReplyError('ERR value for ENTRIESREAD must be positive or -1')
      entriesRead = Number(n)
      i += 2
    } else {
      throw subcommandSyntaxError(argv)
    }
  }
  return { mkstream, entriesRead }
}

/** The stream and group XGROUP's subcommands work on, with Redis's checks in its order. */
function groupTarget(ctx: CommandContext, mkstream: boolean, needGroup: boolean) {
  const { argv, db } = ctx
  const s = writableStream(db, keyOf(argv, 2))
  const groupName = text(argv[3])
  if (!mkstream && s === undefined) {
    throw new ReplyError(
      'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.',
    )
  }
  const group = s?.groups.get(groupName)
  if (needGroup && !group) {
    throw new ReplyError(`NOGROUP No such consumer group '${groupName}' for key name '${text(argv[2])}'`)
  }
  return { s, group, groupName }
}

function xgroupCreate(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  if (argv.length > 8) throw subcommandSyntaxError(argv)
  const { mkstream, entriesRead } = entriesReadOptions(argv, true)
  let { s, groupName } = groupTarget(ctx, mkstream, false)
  let id: StreamId
  if (argv[4].length === 1 && argv[4][0] === 0x24) id = s ? s.lastId : ZERO_ID
  else id = strictId(argv[4])
  const key = keyOf(argv, 2)
  if (!s) {
    s = new RedisStream()
    db.set(key, s)
  }
  if (s.groups.has(groupName)) throw new ReplyError('BUSYGROUP Consumer Group name already exists')
  s.groups.set(groupName, new Group(groupName, id, entriesRead))
  db.notify(NOTIFY_STREAM, 'xgroup-create', key)
  return OK
}

function xgroupSetid(ctx: CommandContext): Reply {
  const { argv } = ctx
  if (argv.length !== 5 && argv.length !== 7) throw subcommandSyntaxError(argv)
  const { entriesRead } = entriesReadOptions(argv, false)
  const { s, group } = groupTarget(ctx, false, true)
  let id: StreamId
  if (argv[4].length === 1 && argv[4][0] === 0x24) id = (s as RedisStream).lastId
  else id = parseStreamId(argv[4], 0n, false).id
  const g = group as ConsumerGroup
  g.lastId = id
  g.entriesRead = entriesRead
  ctx.db.notify(NOTIFY_STREAM, 'xgroup-setid', keyOf(argv, 2))
  return OK
}

function xgroupDestroy(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  const { s, group, groupName } = groupTarget(ctx, false, false)
  if (!group) return 0
  ;(s as RedisStream).groups.delete(groupName)
  const key = keyOf(argv, 2)
  db.notify(NOTIFY_STREAM, 'xgroup-destroy', key)
  // Clients blocked in XREADGROUP on this group get NOGROUP.
  if (db.blockedKeys.size > 0) db.blockedKeys.get(key)?.valueStored()
  return 1
}

function xgroupCreateConsumer(ctx: CommandContext): Reply {
  const { argv } = ctx
  const { group } = groupTarget(ctx, false, true)
  const g = group as ConsumerGroup
  const name = text(argv[4])
  if (g.consumers.has(name)) return 0
  g.consumers.set(name, new Consumer(name, ctx.engine.clock.now()))
  ctx.db.notify(NOTIFY_STREAM, 'xgroup-createconsumer', keyOf(argv, 2))
  return 1
}

function xgroupDelConsumer(ctx: CommandContext): Reply {
  const { argv } = ctx
  const { group } = groupTarget(ctx, false, true)
  const g = group as ConsumerGroup
  const consumer = g.consumers.get(text(argv[4]))
  if (!consumer) return 0
  const pending = consumer.pel.size
  for (const [id] of consumer.pel.range(ZERO_ID, MAX_STREAM_ID)) g.pel.delete(id)
  g.consumers.delete(consumer.name)
  ctx.db.notify(NOTIFY_STREAM, 'xgroup-delconsumer', keyOf(argv, 2))
  return pending
}

const XGROUP_HELP = [
  'XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
  'HELP',
  '    Prints this help.',
]

// --- XACK / XPENDING ---

function xack(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  const s = readStream(db, keyOf(argv, 1))
  const group = s?.groups.get(text(argv[2]))
  if (!s || !group) return 0
  const ids: StreamId[] = []
  for (let j = 3; j < argv.length; j++) ids.push(strictId(argv[j]))
  let acknowledged = 0
  for (const id of ids) {
    const nack = group.pel.get(id)
    if (!nack) continue
    group.pel.delete(id)
    nack.consumer.pel.delete(id)
    acknowledged++
  }
  return acknowledged
}

function noGroup(argv: Buffer[]): ReplyError {
  return new ReplyError(`NOGROUP No such key '${text(argv[1])}' or consumer group '${text(argv[2])}'`)
}

function xpending(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  const summary = argv.length === 3
  if (argv.length !== 3 && (argv.length < 6 || argv.length > 9)) throw Errors.syntax()
  let start = ZERO_ID
  let end = MAX_STREAM_ID
  let count = 0n
  let minIdle = 0n
  let consumerName: string | null = null
  if (argv.length >= 6) {
    let at = 3
    if (isCOption(argv[3], 'IDLE')) {
      minIdle = longLongArg(argv[4])
      if (argv.length < 8) throw Errors.syntax()
      at += 2
    }
    count = longLongArg(argv[at + 2])
    if (count < 0n) count = 0n
    const s0 = intervalId(argv[at], 0n)
    start = s0.id
    if (s0.exclusive) {
      if (start === MAX_STREAM_ID) throw new ReplyError('ERR invalid start ID for the interval')
      start++
    }
    const e0 = intervalId(argv[at + 1], (1n << 64n) - 1n)
    end = e0.id
    if (e0.exclusive) {
      if (end === ZERO_ID) throw new ReplyError('ERR invalid end ID for the interval')
      end--
    }
    if (at + 3 < argv.length) consumerName = text(argv[at + 3])
  }
  const s = readStream(db, keyOf(argv, 1))
  const group = s?.groups.get(text(argv[2]))
  if (!s || !group) throw noGroup(argv)
  if (summary) {
    if (group.pel.size === 0) return [0, null, null, NIL]
    const consumers: Reply[] = []
    for (const consumer of group.sortedConsumers()) {
      if (consumer.pel.size === 0) continue
      consumers.push([Buffer.from(consumer.name, 'latin1'), String(consumer.pel.size)])
    }
    return [group.pel.size, idReply(group.pel.first() as StreamId), idReply(group.pel.last() as StreamId), consumers]
  }
  let pel = group.pel
  if (consumerName !== null) {
    const consumer = group.consumers.get(consumerName)
    if (!consumer) return []
    pel = consumer.pel
  }
  const now = ctx.engine.clock.now()
  const out: Reply[] = []
  for (let i = pel.lowerBound(start); i < pel.size && count > 0n; i++) {
    const id = pel.keyAt(i)
    if (id > end) break
    const nack = pel.get(id) as StreamNack
    if (minIdle && now - nack.deliveryTime < Number(minIdle)) continue
    count--
    const elapsed = Math.max(0, now - nack.deliveryTime)
    out.push([idReply(id), Buffer.from(nack.consumer.name, 'latin1'), elapsed, nack.deliveryCount])
  }
  return out
}

// --- XCLAIM / XAUTOCLAIM ---

function xclaim(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  const s = readStream(db, keyOf(argv, 1))
  const group = s?.groups.get(text(argv[2]))
  if (!s || !group) throw noGroup(argv)
  let minIdle = longLongArg(argv[4], 'Invalid min-idle-time argument for XCLAIM')
  if (minIdle < 0n) minIdle = 0n
  const ids: StreamId[] = []
  let j = 5
  for (; j < argv.length; j++) {
    try {
      ids.push(strictId(argv[j]))
    } catch {
      break
    }
  }
  const now = ctx.engine.clock.now()
  let force = false
  let justId = false
  let deliveryTime = -1
  let retryCount = -1n
  let lastId = ZERO_ID
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j
    const opt = argv[j]
    if (isCOption(opt, 'FORCE')) force = true
    else if (isCOption(opt, 'JUSTID')) justId = true
    else if (isCOption(opt, 'IDLE') && more > 0) {
      j++
      deliveryTime = now - Number(longLongArg(argv[j], 'Invalid IDLE option argument for XCLAIM'))
    } else if (isCOption(opt, 'TIME') && more > 0) {
      j++
      deliveryTime = Number(longLongArg(argv[j], 'Invalid TIME option argument for XCLAIM'))
    } else if (isCOption(opt, 'RETRYCOUNT') && more > 0) {
      j++
      retryCount = longLongArg(argv[j], 'Invalid RETRYCOUNT option argument for XCLAIM')
    } else if (isCOption(opt, 'LASTID') && more > 0) {
      j++
      lastId = strictId(argv[j])
    } else {
      throw new ReplyError(`ERR Unrecognized XCLAIM option '${text(opt)}'`)
    }
  }
  if (lastId > group.lastId) group.lastId = lastId
  if (deliveryTime !== -1) {
    if (deliveryTime < 0 || deliveryTime > now) deliveryTime = now
  } else {
    deliveryTime = now
  }
  const name = text(argv[3])
  let consumer: StreamConsumer | null = null
  const out: Reply[] = []
  for (const id of ids) {
    let nack = group.pel.get(id)
    const fields = s.get(id)
    if (fields === undefined) {
      if (nack) {
        group.pel.delete(id)
        nack.consumer.pel.delete(id)
      }
      continue
    }
    let created = false
    if (force && !nack) {
      nack = new StreamNack(null as unknown as StreamConsumer, now, 1)
      group.pel.insert(id, nack)
      created = true
    }
    if (!nack) continue
    if (!created && minIdle > 0n && now - nack.deliveryTime < Number(minIdle)) continue
    consumer ??= findOrCreateConsumer(db, keyOf(argv, 1), group, name, now)
    if (nack.consumer !== consumer && !created) nack.consumer.pel.delete(id)
    nack.deliveryTime = deliveryTime
    if (retryCount >= 0n) nack.deliveryCount = Number(retryCount)
    else if (!justId) nack.deliveryCount++
    if (nack.consumer !== consumer) {
      consumer.pel.insert(id, nack)
      nack.consumer = consumer
    }
    out.push(justId ? idReply(id) : entryReply(id, fields))
  }
  return out
}

const AUTOCLAIM_MAX_COUNT = 576460752303423487n

function xautoclaim(ctx: CommandContext): Reply {
  const { argv, db } = ctx
  let minIdle = longLongArg(argv[4], 'Invalid min-idle-time argument for XAUTOCLAIM')
  if (minIdle < 0n) minIdle = 0n
  const startArg = intervalId(argv[5], 0n)
  let start = startArg.id
  if (startArg.exclusive) {
    if (start === MAX_STREAM_ID) throw new ReplyError('ERR invalid start ID for the interval')
    start++
  }
  let count = 100
  let justId = false
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j
    if (isCOption(argv[j], 'COUNT') && more > 0) {
      const n = parseCount(argv[j + 1])
      count = n
      j++
    } else if (isCOption(argv[j], 'JUSTID')) {
      justId = true
    } else {
      throw Errors.syntax()
    }
  }
  const s = readStream(db, keyOf(argv, 1))
  const group = s?.groups.get(text(argv[2]))
  if (!s || !group) throw noGroup(argv)
  let attempts = count * 10
  const now = ctx.engine.clock.now()
  const name = text(argv[3])
  let consumer: StreamConsumer | null = null
  const claimed: Reply[] = []
  const deleted: Reply[] = []
  let index = group.pel.lowerBound(start)
  while (attempts-- > 0 && count > 0 && index < group.pel.size) {
    const id = group.pel.keyAt(index)
    const nack = group.pel.get(id) as StreamNack
    const fields = s.get(id)
    if (fields === undefined) {
      group.pel.delete(id)
      nack.consumer.pel.delete(id)
      deleted.push(idReply(id))
      count--
      continue
    }
    index++
    if (minIdle > 0n && now - nack.deliveryTime < Number(minIdle)) continue
    consumer ??= findOrCreateConsumer(db, keyOf(argv, 1), group, name, now)
    if (nack.consumer !== consumer) nack.consumer.pel.delete(id)
    nack.deliveryTime = now
    if (!justId) nack.deliveryCount++
    if (nack.consumer !== consumer) {
      consumer.pel.insert(id, nack)
      nack.consumer = consumer
    }
    claimed.push(justId ? idReply(id) : entryReply(id, fields))
    count--
  }
  const next = index < group.pel.size ? group.pel.keyAt(index) : ZERO_ID
  return [idReply(next), claimed, deleted]
}

function parseCount(arg: Buffer): number {
  let n: bigint
  try {
    n = longLongArg(arg)
  } catch {
    throw new ReplyError('ERR COUNT must be > 0')
  }
  if (n < 1n || n > AUTOCLAIM_MAX_COUNT) throw new ReplyError('ERR COUNT must be > 0')
  return Number(n)
}

const WRITE_FAST = ['write', 'stream', 'fast']
const WRITE_SLOW = ['write', 'stream', 'slow']

/** Subcommands in the order redis-server 7.0.15 lists them (COMMAND INFO). */
export const groupCommands = [
  command('xgroup', -2, [], null, ['slow'], () => null, {
    subcommands: [
      command('destroy', 4, ['write'], [2, 2, 1], WRITE_SLOW, xgroupDestroy),
      command('delconsumer', 5, ['write'], [2, 2, 1], WRITE_SLOW, xgroupDelConsumer),
      command('setid', -5, ['write'], [2, 2, 1], WRITE_SLOW, xgroupSetid),
      command('createconsumer', 5, ['write', 'denyoom'], [2, 2, 1], WRITE_SLOW, xgroupCreateConsumer),
      command('help', 2, ['loading', 'stale'], null, ['stream', 'slow'], () =>
        XGROUP_HELP.map((l) => new SimpleLine(l)),
      ),
      command('create', -5, ['write', 'denyoom'], [2, 2, 1], WRITE_SLOW, xgroupCreate),
    ],
  }),
  command('xack', -4, ['write', 'fast'], [1, 1, 1], WRITE_FAST, xack),
  command('xpending', -3, ['readonly'], [1, 1, 1], ['read', 'stream', 'slow'], xpending),
  command('xclaim', -6, ['write', 'fast'], [1, 1, 1], WRITE_FAST, xclaim),
  command('xautoclaim', -6, ['write', 'fast'], [1, 1, 1], WRITE_FAST, xautoclaim),
]
