import { describe, expect, it } from 'vitest'
import { RespParser } from '../../src/protocol/resp-parser.ts'
import { ReplyWriter } from '../../src/protocol/resp-encoder.ts'
import { NIL_ARRAY, ReplyError, SimpleString, type Reply } from '../../src/protocol/reply.ts'
import { LocalConnection } from '../../src/server/local-connection.ts'
import { Engine } from '../../src/engine/engine.ts'
import { encodeCommand, replyFrameEnd } from '../../sim/connections.ts'
import { DEFAULT_CONFIG, runSeed } from '../../sim/run.ts'
import { RandomWalk } from '../../sim/strategies/random.ts'
import { fixtureScripts, type Operation } from '../../sim/workloads.ts'
import { cmd, run, scenario } from './helpers.ts'

const piped = (op: Operation): Operation => ({ ...op, pipelined: true })

function encoded(reply: Reply, protocol: 2 | 3): Buffer {
  const writer = new ReplyWriter()
  writer.write(reply, protocol)
  return writer.take()
}

describe('the simulated wire', () => {
  it('finds where each RESP2 and RESP3 reply ends, and waits for the rest of one that is split', () => {
    const replies: Reply[] = [
      new SimpleString('OK'),
      new ReplyError('ERR no'),
      42,
      null,
      Buffer.from('hello\r\nworld'),
      [1, Buffer.from('x'), [null, new SimpleString('a')]],
      NIL_ARRAY,
      [],
    ]
    for (const protocol of [2, 3] as const) {
      const bytes = Buffer.concat(replies.map((r) => encoded(r, protocol)))
      const ends: number[] = []
      for (let at = 0; at < bytes.length; ) {
        const end = replyFrameEnd(bytes, at)
        expect(end).toBeGreaterThan(at)
        ends.push(end)
        at = end
      }
      expect(ends.length).toBe(replies.length)
      // Every proper prefix of a reply is incomplete.
      const one = encoded(replies[5], protocol)
      for (let cut = 0; cut < one.length; cut++) expect(replyFrameEnd(one.subarray(0, cut), 0)).toBe(-1)
    }
  })

  it("encodes a command as the server's parser reads it back", () => {
    const parser = new RespParser({ maxBulkLen: () => 512 * 1024 * 1024, authenticated: () => true })
    parser.append(Buffer.concat([encodeCommand(['SET', 'k', 'a b\r\nc']), encodeCommand(['GET', 'é'])]))
    const first = parser.next() as Buffer[]
    const second = parser.next() as Buffer[]
    expect(first.map((b) => b.toString())).toEqual(['SET', 'k', 'a b\r\nc'])
    expect(second.map((b) => b.toString())).toEqual(['GET', 'é'])
    expect(parser.next()).toBeNull()
  })
})

describe('simulated clients on connections', () => {
  const counter = fixtureScripts().get('counter')!.source
  const programs = (): Operation[][] => [
    [
      cmd('SET', 'k', '1'),
      piped(cmd('INCR', 'k')),
      piped({
        kind: 'multi',
        commands: [
          ['INCR', 'k'],
          ['GET', 'k'],
        ],
      }),
      piped({ kind: 'script', script: 'counter', keys: ['k'], args: ['1'], via: 'evalsha' }),
      { kind: 'watch', key: 'k' },
      cmd('GET', 'k'),
    ],
    [cmd('INCR', 'k'), piped(cmd('GET', 'k')), piped(cmd('RPUSH', 'l', 'x'))],
    [cmd('INCR', 'k'), { kind: 'script', script: 'counter', keys: ['k'], args: ['2'], via: 'eval' }],
  ]

  it('pipelines over RESP bytes and over LocalConnection run in order and answer in order, under many schedules', async () => {
    let deliveries = 0
    let splitCommands = 0
    for (let seed = 1; seed <= 40; seed++) {
      const sc = scenario(programs(), { scripts: { counter }, connections: ['resp', 'local', 'direct'], seed })
      const e = await run(sc, { strategy: new RandomWalk(seed) })
      expect(e.outcome.kind).toBe('done')
      expect(e.violations, e.violations[0]?.message).toEqual([])
      deliveries += e.trace!.filter((t) => t.site === 'deliver').length
      // Each client's commands ran in the order its program sends them.
      for (const [index, id] of e.clientIds.entries()) {
        const ran = e.recorder.calls.filter((c) => c.client === id).map((c) => c.argv[0])
        const ops = e.recorder.history.filter((op) => op.client === id)
        expect(ran).toEqual(ops.flatMap((op) => op.calls.map((c) => c.argv[0])))
        expect(ops.every((op) => op.return !== null)).toBe(true)
        if (index === 0) expect(ran.slice(0, 7)).toEqual(['SET', 'INCR', 'MULTI', 'INCR', 'GET', 'EXEC', 'EVALSHA'])
      }
      // Every INCR and script increment counted: the end value is what the replies say.
      const increments = e.recorder.history.filter((op) => 'argv' in op.input && op.input.argv[0] === 'INCR').length
      expect(Number(e.engine.keyspace.db(0).get('k')?.toString())).toBeGreaterThanOrEqual(increments)
      if (e.trace!.some((t) => t.site === 'deliver' && t.detail?.endsWith('mid-command'))) splitCommands++
    }
    expect(deliveries).toBeGreaterThan(0)
    // Some schedules delivered a command in more than one piece.
    expect(splitCommands).toBeGreaterThan(0)
  }, 120_000)

  it('a blocked command holds up what is pipelined behind it; a connection that lets it through is caught', async () => {
    const sc = (seed: number) =>
      scenario(
        [
          [cmd('BLPOP', 'q', '0.05'), piped(cmd('SET', 'after', '1'))],
          [cmd('GET', 'after'), cmd('RPUSH', 'q', 'v'), cmd('GET', 'after')],
        ],
        { connections: ['resp', 'direct'], seed, timer: { events: 3, stepMs: 20 } },
      )
    let caught = 0
    for (let seed = 1; seed <= 40; seed++) {
      const good = await run(sc(seed), { strategy: new RandomWalk(seed) })
      expect(good.violations, good.violations[0]?.message).toEqual([])
      const [blpop, set] = good.recorder.calls.filter((c) => c.client === good.clientIds[0])
      expect(blpop.argv[0]).toBe('BLPOP')
      if (set) expect(set.serial).toBeGreaterThan(blpop.serial)
      const { variantNamed } = await import('../../sim/mutants.ts')
      const bad = await run(sc(seed), {
        strategy: new RandomWalk(seed),
        variant: variantNamed('pipeline-overtakes-blocked'),
      })
      if (bad.violations.some((v) => v.kind === 'connection-order')) caught++
    }
    expect(caught).toBeGreaterThan(0)
  }, 120_000)

  it('a disconnect in the middle of a pipeline: what had not run never runs, and its outcome is unknown', async () => {
    let cut = 0
    for (let park = 1; park <= 12; park++) {
      const sc = scenario(
        [[cmd('INCR', 'n'), piped(cmd('INCR', 'n')), piped(cmd('INCR', 'n')), piped(cmd('INCR', 'n'))]],
        {
          connections: ['resp'],
          faults: { disconnects: [{ client: 0, atPark: park }] },
        },
      )
      const e = await run(sc)
      expect(e.outcome.kind).toBe('done')
      expect(e.violations, e.violations[0]?.message).toEqual([])
      const ran = e.recorder.calls.filter((c) => c.reply !== undefined && !c.dropped).length
      const n = Number(e.engine.keyspace.db(0).get('n')?.toString() ?? '0')
      // The counter is exactly the commands the server ran; the client saw replies only for some of them.
      expect(n).toBe(ran)
      const seen = e.recorder.history.filter((op) => op.return !== null && op.client !== 0).length
      expect(seen).toBeLessThanOrEqual(ran)
      if (ran < 4) cut++
    }
    expect(cut).toBeGreaterThan(0)
  })

  it('the swarm draws connections: its runs pass on the correct executor and catch the overtaking connection', async () => {
    let drawn = 0
    let caught = 0
    for (let seed = 1; seed <= 60 && caught === 0; seed++) {
      const config = { ...DEFAULT_CONFIG, seed }
      const good = await runSeed(config)
      expect(good.verdict, good.violations[0]?.message).toBe('pass')
      if (good.scenario.connections?.includes('resp')) drawn++
      const bad = await runSeed({ ...config, mutant: 'pipeline-overtakes-blocked' })
      if (bad.violations.some((v) => v.kind === 'connection-order')) caught++
    }
    expect(drawn).toBeGreaterThan(0)
    expect(caught).toBe(1)
  }, 300_000)
})

describe('LocalConnection', () => {
  it('drops the commands still queued when it closes, as a socket drops unread input', async () => {
    const engine = new Engine({ logger: () => {} })
    const conn = new LocalConnection(engine)
    const first = conn.call('INCR', 'n')
    const second = conn.call('INCR', 'n')
    conn.close()
    await first.catch(() => null)
    await expect(second).rejects.toThrow(/connection closed/)
    const check = new LocalConnection(engine)
    expect(await check.call('GET', 'n')).toEqual(Buffer.from('1'))
  })
})
