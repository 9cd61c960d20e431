/**
 * MEMORY USAGE / STATS / DOCTOR / MALLOC-STATS / PURGE / HELP (Redis 7.0 object.c memoryCommand), answered from the
 * memory model that maxmemory is enforced against (src/keyspace/memory-size.ts, src/engine/used-memory.ts).
 *
 * MEMORY USAGE finds the key as Redis's dictFind does: no lazy expiry, no access-stamp update, no hit or miss counted.
 * Its SAMPLES option is parsed and checked as Redis does, but redsim needs no sampling: every value keeps the running
 * sums of its elements' sizes, so the figure is the model's whole-value size whatever the count.
 */
import { STARTUP_BYTES } from '../engine/used-memory.ts'
import { DICT_ENTRY, dictTableBytes } from '../keyspace/memory-size.ts'
import { DoubleReply, Errors, MapReply, OK, type Reply, SimpleString, VerbatimReply } from '../protocol/reply.ts'
import { isOption, keyOf, parseInt64 } from './args.ts'
import { type CommandContext, type CommandSpec, command } from './types.ts'

const HELP = [
  'MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
  'HELP',
  '    Prints this help.',
]

/** Below this much used memory MEMORY DOCTOR declines to judge (getMemoryDoctorReport's 5 MB). */
const DOCTOR_MINIMUM = 5 * 1024 * 1024

const DOCTOR_EMPTY =
  "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these " +
  'conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back ' +
  'to our programming as soon as I finished rebooting.\n'
const DOCTOR_FINE =
  "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n"

function usage(ctx: CommandContext): Reply {
  const { argv } = ctx
  for (let j = 3; j < argv.length; j++) {
    if (isOption(argv[j], 'SAMPLES') && j + 1 < argv.length) {
      const samples = parseInt64(argv[j + 1])
      if (samples === null) return Errors.notInteger()
      if (samples < 0n) return Errors.syntax()
      j++
    } else {
      return Errors.syntax()
    }
  }
  const key = keyOf(argv, 2)
  ctx.engine.keyspace.record('read', ctx.db.index, key)
  return ctx.db.memoryUsage(key) ?? null
}

function stats(ctx: CommandContext): Reply {
  const engine = ctx.engine
  const meter = engine.memory
  meter.refreshClients()
  const used = meter.used()
  const peak = Math.max(meter.peak, used)
  const clients = meter.clients()
  const entries: Array<[Reply, Reply]> = [
    ['peak.allocated', peak],
    ['total.allocated', used],
    ['startup.allocated', STARTUP_BYTES],
    ['replication.backlog', 0],
    ['clients.slaves', 0],
    ['clients.normal', clients],
    ['cluster.links', 0],
    ['aof.buffer', 0],
    ['lua.caches', 0],
    ['functions.caches', 200],
  ]
  let overhead = STARTUP_BYTES + clients + 200
  let keys = 0
  for (const db of engine.keyspace.dbs) {
    if (db.size === 0) continue
    const main = db.size * DICT_ENTRY + dictTableBytes(db.size)
    const expires = db.expires.size * DICT_ENTRY + dictTableBytes(db.expires.size)
    entries.push([
      `db.${db.index}`,
      new MapReply([
        ['overhead.hashtable.main', main],
        ['overhead.hashtable.expires', expires],
        ['overhead.hashtable.slot-to-keys', 0],
      ]),
    ])
    overhead += main + expires
    keys += db.size
  }
  const dataset = Math.max(used - overhead, 0)
  const net = used - STARTUP_BYTES
  entries.push(
    ['overhead.total', overhead],
    ['keys.count', keys],
    ['keys.bytes-per-key', keys === 0 ? 0 : Math.floor(net / keys)],
    ['dataset.bytes', dataset],
    ['dataset.percentage', new DoubleReply(net > 0 ? (dataset * 100) / net : 0)],
    ['peak.percentage', new DoubleReply((used * 100) / peak)],
    ['allocator.allocated', used],
    ['allocator.active', used],
    ['allocator.resident', used],
    ['allocator-fragmentation.ratio', new DoubleReply(1)],
    ['allocator-fragmentation.bytes', 0],
    ['allocator.rss-ratio', new DoubleReply(1)],
    ['allocator.rss-bytes', 0],
    ['rss-overhead.ratio', new DoubleReply(1)],
    ['rss-overhead.bytes', 0],
    ['fragmentation', new DoubleReply(1)],
    ['fragmentation.bytes', 0],
  )
  return new MapReply(entries)
}

function doctor(ctx: CommandContext): Reply {
  const used = ctx.engine.memory.used()
  return new VerbatimReply('txt', used < DOCTOR_MINIMUM ? DOCTOR_EMPTY : DOCTOR_FINE)
}

function mallocStats(): Reply {
  // What Redis answers when built without jemalloc: redsim has no allocator statistics to show.
  return new VerbatimReply('txt', 'Stats not supported for the current allocator')
}

function help(): Reply {
  return HELP.map((line) => new SimpleString(line))
}

// In the order Redis lists them (COMMAND INFO).
const subcommands: CommandSpec[] = [
  command('usage', -3, ['readonly'], [2, 2, 1], ['read', 'slow'], usage),
  command('help', 2, ['loading', 'stale'], null, ['slow'], help),
  command('purge', 2, [], null, ['slow'], () => OK),
  command('doctor', 2, [], null, ['slow'], doctor),
  command('malloc-stats', 2, [], null, ['slow'], mallocStats),
  command('stats', 2, [], null, ['slow'], stats),
]

export const memoryCommands = [command('memory', -2, [], null, ['slow'], () => null, { subcommands })]
