/**
 * OBJECT ENCODING / REFCOUNT / IDLETIME / FREQ / HELP (Redis 7.0 object.c).
 *
 * IDLETIME and FREQ read the key's access stamp (src/keyspace/access-clock.ts): seconds since the last access on the
 * LRU clock, or the LFU counter after its decay. Like Redis, OBJECT itself does not count as an access.
 */
import { objectEncoding, objectRefcount } from '../keyspace/encoding.ts'
import type { RedisValue } from '../keyspace/values.ts'
import { type Reply, ReplyError, SimpleString } from '../protocol/reply.ts'
import { keyOf } from './args.ts'
import { type CommandContext, type CommandSpec, command } from './types.ts'

const POLICY_NOTE =
  'Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.'

const HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Prints this help.',
]

/** The value at argv[2], looked up as Redis does with LOOKUP_NOTOUCH: no access-stamp update. */
function lookup(ctx: CommandContext): RedisValue | undefined {
  return ctx.db.getNoTouch(keyOf(ctx.argv, 2))
}

/** The access stamp of the key at argv[2] (present: the caller looked it up). */
function stampOf(ctx: CommandContext): number {
  return ctx.db.table.stampOf(keyOf(ctx.argv, 2)) ?? 0
}

function usesLfu(ctx: CommandContext): boolean {
  return ctx.engine.config.get('maxmemory-policy').endsWith('-lfu')
}

function encoding(ctx: CommandContext): Reply {
  const value = lookup(ctx)
  return value === undefined ? null : objectEncoding(value)
}

function refcount(ctx: CommandContext): Reply {
  const value = lookup(ctx)
  return value === undefined ? null : objectRefcount(value, ctx.engine.config)
}

function idletime(ctx: CommandContext): Reply {
  const value = lookup(ctx)
  if (value === undefined) return null
  if (usesLfu(ctx)) {
    throw new ReplyError(`ERR An LFU maxmemory policy is selected, idle time not tracked. ${POLICY_NOTE}`)
  }
  return Math.floor(ctx.engine.keyspace.access.idleMs(stampOf(ctx)) / 1000)
}

function freq(ctx: CommandContext): Reply {
  const value = lookup(ctx)
  if (value === undefined) return null
  if (!usesLfu(ctx)) {
    throw new ReplyError(`ERR An LFU maxmemory policy is not selected, access frequency not tracked. ${POLICY_NOTE}`)
  }
  return ctx.engine.keyspace.access.frequency(stampOf(ctx))
}

function help(): Reply {
  return HELP.map((line) => new SimpleString(line))
}

// In the order Redis lists them (COMMAND INFO).
const subcommands: CommandSpec[] = [
  command('freq', 3, ['readonly'], [2, 2, 1], ['keyspace', 'read', 'slow'], freq),
  command('idletime', 3, ['readonly'], [2, 2, 1], ['keyspace', 'read', 'slow'], idletime),
  command('encoding', 3, ['readonly'], [2, 2, 1], ['keyspace', 'read', 'slow'], encoding),
  command('help', 2, ['loading', 'stale'], null, ['keyspace', 'slow'], help),
  command('refcount', 3, ['readonly'], [2, 2, 1], ['keyspace', 'read', 'slow'], refcount),
]

export const objectCommands = [command('object', -2, [], null, ['slow'], () => null, { subcommands })]
