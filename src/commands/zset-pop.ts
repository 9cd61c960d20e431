/**
 * Popping the lowest or highest members: ZPOPMIN, ZPOPMAX, ZMPOP (Redis 7.0 genericZpopCommand), and the blocking
 * forms BZPOPMIN, BZPOPMAX, BZMPOP, which pop the same way at once when a key has data and otherwise wait through
 * the engine's blocking registry (src/engine/blocking.ts) without holding the database lock.
 */
import { parseBlockingTimeout } from '../engine/blocking.ts'
import { DoubleReply, Errors, NIL_ARRAY, type Reply } from '../protocol/reply.ts'
import { isOption, keyOf } from './args.ts'
import { positiveLongArg, rangeLongArg, LONG_MAX } from './collection-args.ts'
import type { CommandContext } from './types.ts'
import { commitRemoval, memberReply, usesResp3, writableZset } from './zset-common.ts'

export type PopEnd = 'min' | 'max'

/**
 * How the popped elements are laid out:
 * - 'flat':      [member, score, ...]                     ZPOPMIN/ZPOPMAX (RESP2, or RESP3 without COUNT)
 * - 'nested':    [[member, score], ...]                   ZPOPMIN/ZPOPMAX with COUNT in RESP3
 * - 'key-flat':  [key, member, score]                     BZPOPMIN/BZPOPMAX
 * - 'key-nested': [key, [[member, score], ...]]           ZMPOP/BZMPOP
 */
export type PopShape = 'flat' | 'nested' | 'key-flat' | 'key-nested'

/**
 * Pops up to `count` members from the first of `keys` that holds a sorted set (WRONGTYPE if the first existing key
 * holds something else). When none exists: a nil array if `nilWhenEmpty`, else an empty array. Returns the reply and
 * whether anything was popped (the blocking forms wait when not).
 */
export function popFirstNonEmpty(
  ctx: CommandContext,
  keys: string[],
  end: PopEnd,
  count: number,
  shape: PopShape,
  nilWhenEmpty: boolean,
): { reply: Reply; popped: boolean } {
  const { db } = ctx
  for (const key of keys) {
    const z = writableZset(db, key)
    if (!z) continue
    if (count === 0) return { reply: [], popped: false }
    const n = Math.min(count, z.length)
    const items: Reply[] = []
    for (let i = 0; i < n; i++) {
      const c = end === 'min' ? z.head() : z.tail()
      const member = c.member
      const score = c.score
      z.remove(member)
      if (shape === 'nested' || shape === 'key-nested') items.push([memberReply(member), new DoubleReply(score)])
      else items.push(memberReply(member), new DoubleReply(score))
    }
    commitRemoval(db, key, z, end === 'min' ? 'zpopmin' : 'zpopmax')
    const keyReply = Buffer.from(key, 'latin1')
    let reply: Reply = items
    if (shape === 'key-flat') reply = [keyReply, ...items]
    else if (shape === 'key-nested') reply = [keyReply, items]
    return { reply, popped: true }
  }
  return { reply: nilWhenEmpty ? NIL_ARRAY : [], popped: false }
}

function zpopMinMax(ctx: CommandContext, end: PopEnd): Reply {
  const { argv } = ctx
  if (argv.length > 3) throw Errors.syntax()
  const count = argv.length === 3 ? positiveLongArg(argv[2]) : -1
  const shape: PopShape = usesResp3(ctx) && count !== -1 ? 'nested' : 'flat'
  return popFirstNonEmpty(ctx, [keyOf(argv, 1)], end, count === -1 ? 1 : count, shape, false).reply
}

export function zpopmin(ctx: CommandContext): Reply {
  return zpopMinMax(ctx, 'min')
}

export function zpopmax(ctx: CommandContext): Reply {
  return zpopMinMax(ctx, 'max')
}

export interface MpopArgs {
  keys: string[]
  end: PopEnd
  count: number
}

/** ZMPOP/BZMPOP's `numkeys key... MIN|MAX [COUNT count]` starting at argv[numkeysIndex]. */
export function parseMpopArgs(argv: Buffer[], numkeysIndex: number): MpopArgs {
  const numkeys = rangeLongArg(argv[numkeysIndex], 1n, LONG_MAX, 'numkeys should be greater than 0')
  const whereIndex = numkeysIndex + numkeys + 1
  if (whereIndex >= argv.length) throw Errors.syntax()
  let end: PopEnd
  if (isOption(argv[whereIndex], 'MIN')) end = 'min'
  else if (isOption(argv[whereIndex], 'MAX')) end = 'max'
  else throw Errors.syntax()
  let count = -1
  for (let j = whereIndex + 1; j < argv.length; j++) {
    const more = argv.length - 1 - j
    if (count === -1 && more > 0 && isOption(argv[j], 'COUNT')) {
      count = rangeLongArg(argv[++j], 1n, LONG_MAX, 'count should be greater than 0')
    } else {
      throw Errors.syntax()
    }
  }
  const keys: string[] = []
  for (let i = numkeysIndex + 1; i < whereIndex; i++) keys.push(keyOf(argv, i))
  return { keys, end, count: count === -1 ? 1 : count }
}

export function zmpop(ctx: CommandContext): Reply {
  const { keys, end, count } = parseMpopArgs(ctx.argv, 1)
  return popFirstNonEmpty(ctx, keys, end, count, 'key-nested', true).reply
}

/** Key positions of ZMPOP (`numkeys` at argv[1]) and BZMPOP (at argv[2]), for COMMAND GETKEYS and the recorder. */
export function mpopKeys(numkeysIndex: number): (argv: Buffer[]) => number[] {
  return (argv) => {
    const n = Number(argv[numkeysIndex]?.toString('latin1'))
    const out: number[] = []
    if (!Number.isInteger(n) || n < 1) return out
    for (let i = 0; i < n && numkeysIndex + 1 + i < argv.length; i++) out.push(numkeysIndex + 1 + i)
    return out
  }
}

/**
 * blockingGenericZpopCommand: pop from the first of `keys` holding a sorted set (WRONGTYPE if the first existing key
 * is not one); otherwise block until one of them gets one, or answer a nil array where blocking is not allowed
 * (MULTI, scripts). The deadline is parsed before any key is looked at.
 */
function blockingPop(
  ctx: CommandContext,
  keys: string[],
  end: PopEnd,
  count: number,
  shape: PopShape,
  nilWhenEmpty: boolean,
  timeoutArg: Buffer,
): Reply {
  const { engine } = ctx
  const deadline = parseBlockingTimeout(timeoutArg, engine.clock.now())
  const now = popFirstNonEmpty(ctx, keys, end, count, shape, nilWhenEmpty)
  if (now.popped) return now.reply
  if (!engine.blocking.canBlock(ctx)) return NIL_ARRAY
  return engine.blocking.block(ctx, {
    keys,
    type: 'zset',
    deadline,
    // Served from the key that became ready, as Redis 7.0 does (not from the first of the client's keys).
    serve: (served, key) => {
      const result = popFirstNonEmpty(served, [key], end, count, shape, nilWhenEmpty)
      return result.popped ? result.reply : undefined
    },
  })
}

function bzpopMinMax(ctx: CommandContext, end: PopEnd): Reply {
  const { argv } = ctx
  const keys: string[] = []
  for (let i = 1; i < argv.length - 1; i++) keys.push(keyOf(argv, i))
  return blockingPop(ctx, keys, end, 1, 'key-flat', false, argv[argv.length - 1])
}

export function bzpopmin(ctx: CommandContext): Reply {
  return bzpopMinMax(ctx, 'min')
}

export function bzpopmax(ctx: CommandContext): Reply {
  return bzpopMinMax(ctx, 'max')
}

/** BZMPOP timeout numkeys key... MIN|MAX [COUNT count]: the arguments are checked before the timeout. */
export function bzmpop(ctx: CommandContext): Reply {
  const { keys, end, count } = parseMpopArgs(ctx.argv, 2)
  return blockingPop(ctx, keys, end, count, 'key-nested', true, ctx.argv[1])
}
