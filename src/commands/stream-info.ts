/**
 * XINFO STREAM [FULL [COUNT n]] | GROUPS | CONSUMERS (Redis 7.0): maps in RESP3, flat arrays in RESP2, fields in
 * Redis's order. `radix-tree-nodes` is the node count of the radix tree Redis would build over the nodes' first IDs
 * (radixTreeNodes in the stream type).
 */
import {
  type ConsumerGroup,
  INVALID_ENTRIES_READ,
  MAX_STREAM_ID,
  type RedisStream,
  radixTreeNodes,
  streamIdKey,
  ZERO_ID,
} from '../keyspace/types/stream.ts'
import { Errors, MapReply, type Reply, ReplyError, SimpleString as SimpleLine } from '../protocol/reply.ts'
import { keyOf } from './args.ts'
import { isCOption } from './c-options.ts'
import { subcommandSyntaxError } from './stream-groups.ts'
import { entryReply, idReply, longLongArg, readStream } from './stream-args.ts'
import { type CommandContext, command } from './types.ts'
import { usesResp3 } from './zset-common.ts'

function map(ctx: CommandContext, entries: Array<[string, Reply]>): Reply {
  const pairs: Array<[Reply, Reply]> = entries.map(([k, v]) => [Buffer.from(k, 'latin1'), v])
  if (usesResp3(ctx)) return new MapReply(pairs)
  return pairs.flat()
}

function streamFor(ctx: CommandContext): RedisStream {
  const s = readStream(ctx.db, keyOf(ctx.argv, 2))
  if (!s) throw Errors.noSuchKey()
  return s
}

/** streamReplyWithCGLag. */
function lag(s: RedisStream, group: ConsumerGroup): Reply {
  if (!s.entriesAdded) return 0
  if (group.entriesRead !== INVALID_ENTRIES_READ && !s.rangeHasTombstones(group.lastId, undefined)) {
    return s.entriesAdded - group.entriesRead
  }
  const read = s.estimateDistanceFromFirstEverEntry(group.lastId)
  return read === INVALID_ENTRIES_READ ? null : s.entriesAdded - read
}

function entriesRead(group: ConsumerGroup): Reply {
  return group.entriesRead === INVALID_ENTRIES_READ ? null : group.entriesRead
}

function xinfoStream(ctx: CommandContext): Reply {
  const { argv } = ctx
  let full = false
  let count = 10n
  if (argv.length > 3) {
    if (!isCOption(argv[3], 'FULL') || (argv.length !== 4 && argv.length !== 6)) throw subcommandSyntaxError(argv)
    full = true
    if (argv.length === 6) {
      if (!isCOption(argv[4], 'COUNT')) throw subcommandSyntaxError(argv)
      count = longLongArg(argv[5])
      if (count < 0n) count = 0n
    }
  }
  const s = streamFor(ctx)
  const firstIds = s.nodeFirstIds().map(streamIdKey)
  const head: Array<[string, Reply]> = [
    ['length', s.length],
    ['radix-tree-keys', firstIds.length],
    ['radix-tree-nodes', radixTreeNodes(firstIds)],
    ['last-generated-id', idReply(s.lastId)],
    ['max-deleted-entry-id', idReply(s.maxDeletedId)],
    ['entries-added', s.entriesAdded],
    ['recorded-first-entry-id', idReply(s.firstId)],
  ]
  if (!full) {
    let first: Reply = null
    let last: Reply = null
    s.forEachInRange(ZERO_ID, MAX_STREAM_ID, false, (id, fields) => {
      first = entryReply(id, fields)
      return false
    })
    s.forEachInRange(ZERO_ID, MAX_STREAM_ID, true, (id, fields) => {
      last = entryReply(id, fields)
      return false
    })
    return map(ctx, [...head, ['groups', s.groups.size], ['first-entry', first], ['last-entry', last]])
  }
  const limit = count > BigInt(Number.MAX_SAFE_INTEGER) ? 0 : Number(count)
  const entries: Reply[] = []
  s.forEachInRange(ZERO_ID, MAX_STREAM_ID, false, (id, fields) => {
    entries.push(entryReply(id, fields))
    return limit === 0 || entries.length < limit
  })
  const groups = s.sortedGroups().map((group) => {
    const pending = group.pel
      .range(ZERO_ID, MAX_STREAM_ID, limit)
      .map(
        ([id, nack]): Reply => [
          idReply(id),
          Buffer.from(nack.consumer.name, 'latin1'),
          nack.deliveryTime,
          nack.deliveryCount,
        ],
      )
    const consumers = group.sortedConsumers().map((consumer) =>
      map(ctx, [
        ['name', Buffer.from(consumer.name, 'latin1')],
        ['seen-time', consumer.seenTime],
        ['pel-count', consumer.pel.size],
        [
          'pending',
          consumer.pel
            .range(ZERO_ID, MAX_STREAM_ID, limit)
            .map(([id, nack]): Reply => [idReply(id), nack.deliveryTime, nack.deliveryCount]),
        ],
      ]),
    )
    return map(ctx, [
      ['name', Buffer.from(group.name, 'latin1')],
      ['last-delivered-id', idReply(group.lastId)],
      ['entries-read', entriesRead(group)],
      ['lag', lag(s, group)],
      ['pel-count', group.pel.size],
      ['pending', pending],
      ['consumers', consumers],
    ])
  })
  return map(ctx, [...head, ['entries', entries], ['groups', groups]])
}

function xinfoGroups(ctx: CommandContext): Reply {
  const s = streamFor(ctx)
  return s.sortedGroups().map((group) =>
    map(ctx, [
      ['name', Buffer.from(group.name, 'latin1')],
      ['consumers', group.consumers.size],
      ['pending', group.pel.size],
      ['last-delivered-id', idReply(group.lastId)],
      ['entries-read', entriesRead(group)],
      ['lag', lag(s, group)],
    ]),
  )
}

function xinfoConsumers(ctx: CommandContext): Reply {
  const { argv } = ctx
  const s = streamFor(ctx)
  const group = s.groups.get(argv[3].toString('latin1'))
  if (!group) {
    throw new ReplyError(
      `NOGROUP No such consumer group '${argv[3].toString('latin1')}' for key name '${argv[2].toString('latin1')}'`,
    )
  }
  const now = ctx.engine.clock.now()
  return group.sortedConsumers().map((consumer) =>
    map(ctx, [
      ['name', Buffer.from(consumer.name, 'latin1')],
      ['pending', consumer.pel.size],
      ['idle', Math.max(0, now - consumer.seenTime)],
    ]),
  )
}

const XINFO_HELP = [
  'XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
  'HELP',
  '    Prints this help.',
]

const READ_SLOW = ['read', 'stream', 'slow']

export const xinfoCommand = command('xinfo', -2, [], null, ['slow'], () => null, {
  subcommands: [
    command('help', 2, ['loading', 'stale'], null, ['stream', 'slow'], () => XINFO_HELP.map((l) => new SimpleLine(l))),
    command('groups', 3, ['readonly'], [2, 2, 1], READ_SLOW, xinfoGroups),
    command('stream', -3, ['readonly'], [2, 2, 1], READ_SLOW, xinfoStream),
    command('consumers', 4, ['readonly'], [2, 2, 1], READ_SLOW, xinfoConsumers),
  ],
})
