/**
 * Stream commands with valid and invalid arguments over the shared tiny keyspace, and blocking episodes (XREAD and
 * XREADGROUP with BLOCK, served by later XADDs). IDs are explicit (`*` takes the server's clock, which differs between
 * the two servers); times Redis reports (idle, delivery time) are replaced by a placeholder before comparing.
 */
import fc from 'fast-check'
import { type Args, controlCommands, type GenStep, key, keyCommands, single, step, weighted } from './common.ts'

const ms = fc.constantFrom('1', '2', '3', '5', '8', '13')
const id = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(ms, fc.constantFrom('0', '1', '2')).map(([m, s]) => `${m}-${s}`) },
  { weight: 2, arbitrary: ms },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '0-0',
      '0',
      '-',
      '+',
      'x',
      '1-x',
      '18446744073709551615-18446744073709551615',
      '(1',
      '(2-1',
    ),
  },
)
const addId = fc.oneof({ weight: 6, arbitrary: id }, { weight: 2, arbitrary: ms.map((m) => `${m}-*`) })
const bound = fc.oneof(id, fc.constantFrom('-', '+', '-', '+'))
const field = fc.constantFrom('f', 'g', 'h', '1', '')
const val = fc.constantFrom('v', 'w', '1', '-5', '', 'L'.repeat(70))
const group = fc.constantFrom('g1', 'g2', 'nog')
const consumer = fc.constantFrom('alice', 'bob', 'carol')
const count = fc.constantFrom('0', '1', '2', '10', '-1', 'x')

const trimSpec = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('MAXLEN', 'maxlen'),
      fc.constantFrom([], ['='], ['~']),
      fc.constantFrom('0', '1', '2', '5', '-1', 'x'),
    )
    .map(([o, a, n]) => [o, ...a, n]),
  fc.tuple(fc.constantFrom('MINID'), fc.constantFrom([], ['='], ['~']), id).map(([o, a, i]) => [o, ...a, i]),
)
const limit = fc.constantFrom<Args>([], [], ['LIMIT', '1'], ['LIMIT', '0'], ['LIMIT', '-1'])

const xadd = fc
  .tuple(
    key,
    fc.constantFrom<Args>([], [], ['NOMKSTREAM']),
    fc.option(trimSpec, { nil: undefined }),
    limit,
    addId,
    fc.array(fc.tuple(field, val), { minLength: 1, maxLength: 3 }),
    fc.boolean(),
  )
  .map(([k, mk, t, l, i, pairs, odd]) => {
    const args = ['XADD', k, ...mk, ...(t ?? []), ...(t ? l : []), i, ...pairs.flat()]
    if (odd) args.pop()
    return args
  })

/** XPENDING's extended form and XINFO report idle times in milliseconds, which differ by a tick between servers. */
export function streamTimes(reply: string): string {
  return reply
    .replace(/(\*4\r\n\$\d+\r\n[^\r]*\r\n\$\d+\r\n[^\r]*\r\n):\d+\r\n/g, '$1:<ms>\r\n')
    .replace(/(idle|seen-time)\r\n:\d+/g, '$1\r\n:<ms>')
}

const readIds = (n: number) => fc.array(fc.oneof(id, fc.constantFrom('$', '>', '0')), { minLength: n, maxLength: n })

const xread = fc
  .tuple(
    fc.constantFrom<Args>([], ['COUNT', '1'], ['COUNT', '2'], ['COUNT', 'x']),
    fc.array(key, { minLength: 1, maxLength: 2 }),
    fc.boolean(),
  )
  .chain(([c, ks, odd]) =>
    readIds(ks.length).map((ids) => ['XREAD', ...c, 'STREAMS', ...ks, ...(odd ? ids.slice(1) : ids)]),
  )

const xreadgroup = fc
  .tuple(
    group,
    consumer,
    fc.constantFrom<Args>([], ['COUNT', '1'], ['COUNT', '2']),
    fc.constantFrom<Args>([], [], ['NOACK']),
    fc.array(key, { minLength: 1, maxLength: 2 }),
  )
  .chain(([g, c, n, noack, ks]) =>
    fc
      .array(
        fc.oneof(
          { weight: 3, arbitrary: fc.constant('>') },
          { weight: 1, arbitrary: fc.constantFrom('0', '1-1', '$') },
        ),
        { minLength: ks.length, maxLength: ks.length },
      )
      .map((ids) => ['XREADGROUP', 'GROUP', g, c, ...n, ...noack, 'STREAMS', ...ks, ...ids]),
  )

const xgroup = fc.oneof(
  fc
    .tuple(
      key,
      group,
      fc.constantFrom('$', '0', '1-1', 'x'),
      fc.constantFrom<Args>(
        [],
        ['MKSTREAM'],
        ['ENTRIESREAD', '2'],
        ['MKSTREAM', 'ENTRIESREAD', '-1'],
        ['ENTRIESREAD', '-3'],
        ['BOGUS'],
      ),
    )
    .map(([k, g, i, o]) => ['XGROUP', 'CREATE', k, g, i, ...o]),
  fc
    .tuple(key, group, fc.constantFrom('$', '0', '2-1', 'x'), fc.constantFrom<Args>([], ['ENTRIESREAD', '1']))
    .map(([k, g, i, o]) => ['XGROUP', 'SETID', k, g, i, ...o]),
  fc.tuple(key, group).map(([k, g]) => ['XGROUP', 'DESTROY', k, g]),
  fc.tuple(key, group, consumer).map(([k, g, c]) => ['XGROUP', 'CREATECONSUMER', k, g, c]),
  fc.tuple(key, group, consumer).map(([k, g, c]) => ['XGROUP', 'DELCONSUMER', k, g, c]),
)

const xpending = fc.oneof(
  fc.tuple(key, group).map(([k, g]) => ['XPENDING', k, g]),
  fc
    .tuple(
      key,
      group,
      fc.constantFrom<Args>([], [], ['IDLE', '0'], ['IDLE', '100000'], ['IDLE', 'x']),
      bound,
      bound,
      count,
      fc.constantFrom<Args>([], [], ['alice'], ['nobody']),
    )
    .map(([k, g, idle, s, e, n, c]) => ['XPENDING', k, g, ...idle, s, e, n, ...c]),
)

const claimOptions = fc
  .subarray(['JUSTID', 'FORCE', 'RETRYCOUNT 3', 'IDLE 5', 'LASTID 9-9', 'BOGUS'], { maxLength: 2 })
  .map((os) => os.flatMap((o) => o.split(' ')))
const xclaim = fc
  .tuple(
    key,
    group,
    consumer,
    fc.constantFrom('0', '0', '100000', 'x', '-5'),
    fc.array(id, { minLength: 1, maxLength: 3 }),
    claimOptions,
  )
  .map(([k, g, c, idle, ids, o]) => ['XCLAIM', k, g, c, idle, ...ids, ...o])
const xautoclaim = fc
  .tuple(
    key,
    group,
    consumer,
    fc.constantFrom('0', '0', '100000', 'x'),
    fc.constantFrom('0', '-', '(1-1', '2-0', 'x'),
    fc.constantFrom<Args>(
      [],
      ['COUNT', '1'],
      ['COUNT', '2'],
      ['COUNT', '0'],
      ['JUSTID'],
      ['COUNT', '1', 'JUSTID'],
      ['BOGUS'],
    ),
  )
  .map(([k, g, c, idle, s, o]) => ['XAUTOCLAIM', k, g, c, idle, s, ...o])

export const streamCommands: fc.Arbitrary<GenStep[]> = weighted(
  [10, single(xadd)],
  [
    3,
    single(
      fc
        .tuple(
          fc.constantFrom('XRANGE', 'XREVRANGE'),
          key,
          bound,
          bound,
          fc.constantFrom<Args>([], [], ['COUNT', '1'], ['COUNT', '0'], ['COUNT', '-1'], ['COUNT'], ['FOO']),
        )
        .map(([c, k, a, b, n]) => [c, k, a, b, ...n]),
    ),
  ],
  [1, single(key.map((k): Args => ['XLEN', k]))],
  [2, single(fc.tuple(key, fc.array(id, { minLength: 1, maxLength: 3 })).map(([k, ids]): Args => ['XDEL', k, ...ids]))],
  [2, single(fc.tuple(key, trimSpec, limit).map(([k, t, l]): Args => ['XTRIM', k, ...t, ...l]))],
  [
    1,
    single(
      fc
        .tuple(
          key,
          id,
          fc.constantFrom<Args>([], [], ['ENTRIESADDED', '10'], ['MAXDELETEDID', '1-1'], ['ENTRIESADDED', '-1']),
        )
        .map(([k, i, o]): Args => ['XSETID', k, i, ...o]),
    ),
  ],
  [3, single(xread)],
  [4, single(xgroup)],
  [4, single(xreadgroup, { normalize: streamTimes })],
  [
    2,
    single(
      fc
        .tuple(key, group, fc.array(id, { minLength: 1, maxLength: 3 }))
        .map(([k, g, ids]): Args => ['XACK', k, g, ...ids]),
    ),
  ],
  [3, single(xpending, { normalize: streamTimes })],
  [2, single(xclaim)],
  [2, single(xautoclaim)],
  [2, single(key.map((k): Args => ['XINFO', 'STREAM', k]))],
  [2, single(key.map((k): Args => ['XINFO', 'GROUPS', k]))],
  [
    1,
    single(
      fc.tuple(key, group).map(([k, g]): Args => ['XINFO', 'CONSUMERS', k, g]),
      { normalize: streamTimes },
    ),
  ],
)

type Group = { client: number; steps: GenStep[] }

/** A reader that blocks (forever; CLIENT UNBLOCK ends it if nobody serves it). */
const blockingRead: fc.Arbitrary<Args> = fc.oneof(
  fc
    .tuple(fc.array(key, { minLength: 1, maxLength: 2 }), fc.constantFrom<Args>([], ['COUNT', '1']))
    .map(([ks, c]) => ['XREAD', ...c, 'BLOCK', '0', 'STREAMS', ...ks, ...ks.map(() => '$')]),
  fc
    .tuple(group, consumer, key, fc.constantFrom<Args>([], ['NOACK'], ['COUNT', '1']))
    .map(([g, c, k, o]) => ['XREADGROUP', 'GROUP', g, c, ...o, 'BLOCK', '0', 'STREAMS', k, '>']),
)

/** Writes that may serve a blocked reader, or change the key under it. */
const feeder: fc.Arbitrary<GenStep[]> = weighted(
  [
    6,
    single(
      fc
        .tuple(key, fc.constantFrom('20-*', '21-*', '30-1', '1-1'), field, val)
        .map(([k, i, f, v]): Args => ['XADD', k, i, f, v]),
    ),
  ],
  [2, single(xgroup)],
  [1, single(fc.tuple(key, group).map(([k, g]): Args => ['XGROUP', 'DESTROY', k, g]))],
  [2, keyCommands],
  [2, controlCommands],
)

export const streamBlockingEpisode: fc.Arbitrary<Group[]> = fc
  .tuple(
    fc.array(blockingRead, { minLength: 1, maxLength: 2 }),
    fc.array(fc.tuple(feeder, fc.constantFrom(0, 0, 1)), { minLength: 1, maxLength: 5 }),
  )
  .map(([readers, feeders]) => {
    const groups: Group[] = readers.map((args, i) => ({ client: 2 + i, steps: [step(args, { awaitBlocked: true })] }))
    for (const [steps, client] of feeders) groups.push({ client, steps })
    groups.push(
      ...readers.map((_, i) => ({
        client: 2 + i,
        steps: [step([], { collectBlocked: true, normalize: streamTimes })],
      })),
    )
    return groups
  })
