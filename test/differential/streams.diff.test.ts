/**
 * Stream commands against redis-server 7.0.15: generated sequences (RESP2 and RESP3, MULTI/EXEC and key commands
 * mixed in) and blocking episodes must get byte-identical replies, times Redis reports in milliseconds aside.
 * REDSIM_DIFF_RUNS sets the number of sequences (default 100); DIFF_SEED replays a reported seed.
 */
import fc from 'fast-check'
import { it } from 'vitest'
import { eitherProtocol, sequenceOf } from './generators/common.ts'
import { resetThresholds } from './generators/object.ts'
import { streamBlockingEpisode, streamCommands, streamTimes } from './generators/streams.ts'
import { describeDifferential, differentialCases, type StepInput } from './harness.ts'

const runs = Number(process.env.REDSIM_DIFF_RUNS ?? 100)
const seed = process.env.DIFF_SEED === undefined ? undefined : Number(process.env.DIFF_SEED)

/**
 * Entries of mixed sizes and field sets (a fixed linear congruential sequence), so nodes close on their byte limit as
 * well as their entry limit: approximate trimming removes whole nodes, and XINFO's radix-tree counts and MEMORY USAGE
 * depend on exactly where the nodes split.
 */
function nodeBoundaries(): string[][] {
  let state = 7
  const next = (n: number) => {
    state = (state * 1103515245 + 12345) % 2147483648
    return state % n
  }
  const steps: string[][] = []
  for (let i = 1; i < 400; i++) {
    const size = [1, 5, 20, 60, 100, 300][next(6)]
    const fields = [['a'], ['a', 'b'], ['c']][next(3)]
    steps.push([
      'XADD',
      's',
      `${i}-0`,
      ...fields.flatMap((f) => [f, next(5) === 0 ? String(next(100000)) : 'x'.repeat(size)]),
    ])
  }
  steps.push(['XINFO', 'STREAM', 's'], ['MEMORY', 'USAGE', 's'])
  for (const keep of ['390', '300', '250', '120', '10']) {
    steps.push(['XTRIM', 's', 'MAXLEN', '~', keep], ['XLEN', 's'], ['XINFO', 'STREAM', 's'], ['MEMORY', 'USAGE', 's'])
  }
  for (let i = 1; i < 1200; i++) steps.push(['XADD', 'u', `${i * 1000 + (i % 3) * 70000}-${i % 5}`, 'f', 'v'])
  steps.push(
    ['XINFO', 'STREAM', 'u'],
    ['MEMORY', 'USAGE', 'u'],
    ['XTRIM', 'u', 'MINID', '~', '600000'],
    ['XINFO', 'STREAM', 'u'],
  )
  steps.push(
    ['XGROUP', 'CREATE', 'u', 'g', '0'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '300', 'STREAMS', 'u', '>'],
  )
  steps.push(['XGROUP', 'CREATECONSUMER', 'u', 'g', 'd'], ['MEMORY', 'USAGE', 'u'])
  return steps
}

/** Nodes under other limits (CONFIG SET stream-node-max-*), then the defaults restored for the other cases. */
function configuredNodes(): string[][] {
  const steps: string[][] = [
    ['CONFIG', 'GET', 'stream-node-max-bytes'],
    ['CONFIG', 'GET', 'stream-node-max-entries'],
    ['CONFIG', 'SET', 'stream-node-max-entries', '7'],
    ['CONFIG', 'SET', 'stream-node-max-bytes', '300'],
  ]
  for (let i = 1; i < 100; i++) steps.push(['XADD', 's', `${i}-0`, 'f', 'v'.repeat(i % 40)])
  steps.push(['XINFO', 'STREAM', 's'], ['MEMORY', 'USAGE', 's'], ['XTRIM', 's', 'MAXLEN', '~', '50'], ['XLEN', 's'])
  steps.push(['XADD', 's', 'MAXLEN', '~', '10', '200-0', 'a', 'b'], ['XLEN', 's'])
  steps.push(['CONFIG', 'SET', 'stream-node-max-entries', '0'], ['CONFIG', 'SET', 'stream-node-max-bytes', '0'])
  for (let i = 300; i < 500; i++) steps.push(['XADD', 's', `${i}-0`, 'f', 'v'.repeat(i % 40)])
  steps.push(['XINFO', 'STREAM', 's'], ['MEMORY', 'USAGE', 's'], ['XTRIM', 's', 'MAXLEN', '~', '50'], ['XLEN', 's'])
  steps.push(['CONFIG', 'SET', 'stream-node-max-entries', '100'], ['CONFIG', 'SET', 'stream-node-max-bytes', '4096'])
  return steps
}

/** What a PSUBSCRIBE * client receives while `commands` run under notify-keyspace-events `classes`. */
function events(classes: string, commands: StepInput[]): StepInput[] {
  return [
    ['CONFIG', 'SET', 'notify-keyspace-events', classes],
    { args: ['PSUBSCRIBE', '*'], client: 1 },
    ...commands,
    { raw: 'QUIT\r\n', replies: 'close', client: 1 },
    ['CONFIG', 'SET', 'notify-keyspace-events', ''],
  ]
}

describeDifferential('differential: stream commands', (pair) => {
  differentialCases(pair, {
    'keyspace events of every stream command (generic, zset, stream and new-key classes)': events('KEgztn', [
      'XADD s 1-1 a 1',
      'XADD s MAXLEN 0 2-1 a 1',
      'XADD s 3-1 a 1',
      'XDEL s 9-9',
      'XDEL s 3-1',
      'XTRIM s MAXLEN 5',
      'XSETID s 10-0',
      'XGROUP CREATE s g 0',
      'XGROUP CREATE s g 0',
      'XGROUP CREATE s2 g 0 MKSTREAM',
      'XGROUP SETID s g 0',
      'XGROUP CREATECONSUMER s g c1',
      'XGROUP CREATECONSUMER s g c1',
      'XGROUP DELCONSUMER s g nobody',
      'XGROUP DELCONSUMER s g c1',
      'XADD s 11-1 a 1',
      'XREADGROUP GROUP g c2 STREAMS s >',
      'XCLAIM s g c3 0 11-1',
      'XAUTOCLAIM s g c4 0 0',
      'XACK s g 11-1',
      'XGROUP DESTROY s g',
      'XGROUP DESTROY s g',
    ]),
    'node boundaries, approximate trimming, XINFO radix tree and MEMORY USAGE': nodeBoundaries(),
    'stream-node-max-bytes and stream-node-max-entries': configuredNodes(),
    'blocked XREAD served by XADD, FIFO, in MULTI and with $': [
      'XADD s 1-1 a 1',
      { args: ['XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'], client: 1, awaitBlocked: true },
      { args: ['XREAD', 'COUNT', '1', 'BLOCK', '0', 'STREAMS', 'nokey', 's', '$', '0'], client: 2, awaitBlocked: true },
      'MULTI',
      'XADD s 2-1 b 2',
      'XADD s 3-1 c 3',
      'EXEC',
      { collectBlocked: true, client: 1 },
      { collectBlocked: true, client: 2 },
      'XREAD BLOCK 10 STREAMS s 0',
      'MULTI',
      'XREAD BLOCK 0 STREAMS s $',
      'EXEC',
    ],
    'blocked XREADGROUP: served with >, NOACK, group destroyed': [
      'XGROUP CREATE s g $ MKSTREAM',
      { args: ['XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>'], client: 1, awaitBlocked: true },
      {
        args: ['XREADGROUP', 'GROUP', 'g', 'bob', 'NOACK', 'BLOCK', '0', 'STREAMS', 's', '>'],
        client: 2,
        awaitBlocked: true,
      },
      'XADD s 1-1 a 1',
      { collectBlocked: true, client: 1 },
      'XADD s 2-1 b 2',
      { collectBlocked: true, client: 2 },
      { args: ['XPENDING', 's', 'g'], normalize: streamTimes },
      { args: ['XREADGROUP', 'GROUP', 'g', 'carol', 'BLOCK', '0', 'STREAMS', 's', '>'], client: 1, awaitBlocked: true },
      'XGROUP DESTROY s g',
      { collectBlocked: true, client: 1 },
      { args: ['XINFO', 'GROUPS', 's'] },
    ],
    'which stream writes invalidate a WATCH': [
      'XADD s 1-1 a 1',
      'XGROUP CREATE s g 0',
      'WATCH s',
      'XREADGROUP GROUP g c STREAMS s >',
      'MULTI',
      'PING',
      'EXEC',
      'WATCH s',
      'XACK s g 1-1',
      'MULTI',
      'PING',
      'EXEC',
      'WATCH s',
      'XCLAIM s g d 0 1-1 FORCE JUSTID',
      'MULTI',
      'PING',
      'EXEC',
      'WATCH s',
      'XAUTOCLAIM s g e 0 0',
      'MULTI',
      'PING',
      'EXEC',
      'WATCH s',
      'XGROUP CREATECONSUMER s g zz',
      'MULTI',
      'PING',
      'EXEC',
      'WATCH s',
      'XGROUP DELCONSUMER s g zz',
      'MULTI',
      'PING',
      'EXEC',
      'WATCH s',
      'XGROUP SETID s g 0',
      'MULTI',
      'PING',
      'EXEC',
      'WATCH s',
      'XDEL s 9-9',
      'MULTI',
      'PING',
      'EXEC',
      'WATCH s',
      'XTRIM s MAXLEN 5',
      'MULTI',
      'PING',
      'EXEC',
      'WATCH s',
      'XSETID s 5-5',
      'MULTI',
      'PING',
      'EXEC',
      'WATCH s',
      'XGROUP CREATE s g 0',
      'MULTI',
      'PING',
      'EXEC',
      'WATCH s',
      'XGROUP DESTROY s g',
      'MULTI',
      'PING',
      'EXEC',
      'WATCH s2',
      'XGROUP CREATE s2 g 0 MKSTREAM',
      'MULTI',
      'PING',
      'EXEC',
    ],
    'a consumer blocked in XREADGROUP, seen from another client': [
      'XGROUP CREATE s g $ MKSTREAM',
      {
        args: ['XREADGROUP', 'GROUP', 'g', 'newbie', 'BLOCK', '0', 'STREAMS', 's', '>'],
        client: 1,
        awaitBlocked: true,
      },
      { args: ['XINFO', 'CONSUMERS', 's', 'g'], normalize: streamTimes },
      'XADD s 5-1 a 1',
      { collectBlocked: true, client: 1 },
      { args: ['XINFO', 'CONSUMERS', 's', 'g'], normalize: streamTimes },
      { args: ['XREADGROUP', 'GROUP', 'g', 'newbie', 'BLOCK', '0', 'STREAMS', 's', '0'], client: 1 },
      { args: ['XREADGROUP', 'GROUP', 'g', 'other', 'COUNT', '5', 'BLOCK', '0', 'STREAMS', 's', '0'], client: 1 },
      'XDEL s 5-1',
      { args: ['XREADGROUP', 'GROUP', 'g', 'newbie', 'STREAMS', 's', '0'], client: 1 },
      { args: ['XPENDING', 's', 'g', '-', '+', '10'], normalize: streamTimes },
    ],
    'XREAD BLOCK arguments': [
      'XADD s 1-1 a 1',
      'XREAD BLOCK x STREAMS s 0',
      'XREAD BLOCK -1 STREAMS s 0',
      'XREAD BLOCK 0 STREAMS s',
      'XREAD BLOCK 0 COUNT 1 STREAMS s 0',
      "EVAL \"return redis.pcall('XREAD','BLOCK','0','STREAMS','s','$')\" 0",
      "EVAL \"return redis.pcall('XREAD','STREAMS','s','0')\" 0",
    ],
  })

  it(`redsim and redis-server agree on ${runs} generated stream sequences`, async () => {
    const sequences = eitherProtocol(sequenceOf(streamCommands, { prefix: resetThresholds }))
    await fc.assert(
      fc.asyncProperty(sequences, async (steps) => {
        await pair().expectSame(steps)
      }),
      { numRuns: runs, seed, endOnFailure: false },
    )
  }, 600_000)

  it(`redsim and redis-server agree on ${runs} blocking stream episodes`, async () => {
    const sequences = eitherProtocol(
      sequenceOf(streamCommands, { prefix: resetThresholds, maxLength: 12, episodes: streamBlockingEpisode }),
    )
    await fc.assert(
      fc.asyncProperty(sequences, async (steps) => {
        await pair().expectSame(steps)
      }),
      { numRuns: runs, seed, endOnFailure: false },
    )
  }, 600_000)
})
