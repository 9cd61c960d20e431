/**
 * Pub/Sub commands (Redis 7.0 pubsub.c): SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, the shard
 * variants SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH (a separate channel space, as on a single node), and PUBSUB.
 *
 * A (un)subscribe command answers with one confirmation per channel. A handler returns one reply, so every
 * confirmation but the last goes out through the client's push sink first, and the last is the command's reply:
 * on the wire they appear in order, as Redis writes them. Confirmations are pushes in RESP3 and arrays in RESP2.
 */
import type { SubscriptionKind } from '../engine/pubsub.ts'
import { PushReply, type Reply, ReplyError, SimpleString } from '../protocol/reply.ts'
import { keyOf } from './args.ts'
import { type CommandContext, command } from './types.ts'

const NAMES = {
  channel: { subscribe: Buffer.from('subscribe'), unsubscribe: Buffer.from('unsubscribe') },
  pattern: { subscribe: Buffer.from('psubscribe'), unsubscribe: Buffer.from('punsubscribe') },
  shard: { subscribe: Buffer.from('ssubscribe'), unsubscribe: Buffer.from('sunsubscribe') },
} as const

function countFor(ctx: CommandContext, kind: SubscriptionKind): number {
  const pubsub = ctx.engine.pubsub
  return kind === 'shard' ? pubsub.shardCount(ctx.client) : pubsub.count(ctx.client)
}

/**
 * Sends all confirmations but the last through the push sink and returns the last. Under CLIENT REPLY OFF or SKIP
 * the command's reply is dropped while pushes are not (Redis writes confirmations as pushes), so then all of them go
 * through the push sink.
 */
function confirmations(ctx: CommandContext, replies: PushReply[]): Reply {
  const pushed = ctx.client.repliesSilenced ? replies.length : replies.length - 1
  for (let i = 0; i < pushed; i++) ctx.client.push(replies[i])
  return replies[replies.length - 1]
}

function subscribeGeneric(ctx: CommandContext, kind: SubscriptionKind): Reply {
  const { argv, client, engine } = ctx
  const replies: PushReply[] = []
  for (let i = 1; i < argv.length; i++) {
    engine.pubsub.subscribe(client, kind, keyOf(argv, i))
    replies.push(new PushReply([NAMES[kind].subscribe, argv[i], countFor(ctx, kind)]))
  }
  return confirmations(ctx, replies)
}

function unsubscribeGeneric(ctx: CommandContext, kind: SubscriptionKind): Reply {
  const { argv, client, engine } = ctx
  const names =
    argv.length > 1 ? argv.slice(1).map((a) => a.toString('latin1')) : engine.pubsub.subscriptionsOf(client, kind)
  const replies: PushReply[] = []
  for (const name of names) {
    engine.pubsub.unsubscribe(client, kind, name)
    replies.push(new PushReply([NAMES[kind].unsubscribe, Buffer.from(name, 'latin1'), countFor(ctx, kind)]))
  }
  // Unsubscribing from everything while subscribed to nothing still gets one answer.
  if (replies.length === 0) replies.push(new PushReply([NAMES[kind].unsubscribe, null, countFor(ctx, kind)]))
  return confirmations(ctx, replies)
}

function publish(ctx: CommandContext): Reply {
  return ctx.engine.pubsub.publish(keyOf(ctx.argv, 1), ctx.argv[2])
}

function spublish(ctx: CommandContext): Reply {
  return ctx.engine.pubsub.publishShard(keyOf(ctx.argv, 1), ctx.argv[2])
}

function channelsGeneric(ctx: CommandContext, kind: 'channel' | 'shard'): Reply {
  if (ctx.argv.length > 3) {
    const sub = ctx.argv[1].toString('latin1')
    throw new ReplyError(`ERR unknown subcommand or wrong number of arguments for '${sub}'. Try PUBSUB HELP.`)
  }
  const pattern = ctx.argv.length > 2 ? keyOf(ctx.argv, 2) : null
  return ctx.engine.pubsub.activeChannels(kind, pattern).map((name) => Buffer.from(name, 'latin1'))
}

function numsubGeneric(ctx: CommandContext, kind: 'channel' | 'shard'): Reply {
  const out: Reply[] = []
  for (let i = 2; i < ctx.argv.length; i++) {
    out.push(ctx.argv[i], ctx.engine.pubsub.subscriberCount(kind, keyOf(ctx.argv, i)))
  }
  return out
}

const HELP = [
  'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
  'HELP',
  '    Prints this help.',
].map((line) => new SimpleString(line))

const SUB_FLAGS = ['pubsub', 'noscript', 'loading', 'stale'] as const
const CATEGORIES = ['pubsub', 'slow']
const INSPECT = ['pubsub', 'loading', 'stale'] as const

export const pubsubCommands = [
  command('subscribe', -2, SUB_FLAGS, null, CATEGORIES, (ctx) => subscribeGeneric(ctx, 'channel')),
  command('unsubscribe', -1, SUB_FLAGS, null, CATEGORIES, (ctx) => unsubscribeGeneric(ctx, 'channel')),
  command('psubscribe', -2, SUB_FLAGS, null, CATEGORIES, (ctx) => subscribeGeneric(ctx, 'pattern')),
  command('punsubscribe', -1, SUB_FLAGS, null, CATEGORIES, (ctx) => unsubscribeGeneric(ctx, 'pattern')),
  command('ssubscribe', -2, SUB_FLAGS, [1, -1, 1], CATEGORIES, (ctx) => subscribeGeneric(ctx, 'shard')),
  command('sunsubscribe', -1, SUB_FLAGS, [1, -1, 1], CATEGORIES, (ctx) => unsubscribeGeneric(ctx, 'shard')),
  command('publish', 3, ['pubsub', 'loading', 'stale', 'fast', 'may_replicate'], null, ['pubsub', 'fast'], publish),
  command(
    'spublish',
    3,
    ['pubsub', 'loading', 'stale', 'fast', 'may_replicate'],
    [1, 1, 1],
    ['pubsub', 'fast'],
    spublish,
  ),
  command('pubsub', -2, [], null, ['slow'], () => null, {
    // In the order Redis lists them (COMMAND INFO).
    subcommands: [
      command('numsub', -2, INSPECT, null, CATEGORIES, (ctx) => numsubGeneric(ctx, 'channel')),
      command('numpat', 2, INSPECT, null, CATEGORIES, (ctx) => ctx.engine.pubsub.patternCount()),
      command('channels', -2, INSPECT, null, CATEGORIES, (ctx) => channelsGeneric(ctx, 'channel')),
      command('help', 2, ['loading', 'stale'], null, ['slow'], () => HELP),
      command('shardnumsub', -2, INSPECT, null, CATEGORIES, (ctx) => numsubGeneric(ctx, 'shard')),
      command('shardchannels', -2, INSPECT, null, CATEGORIES, (ctx) => channelsGeneric(ctx, 'shard')),
    ],
  }),
]
