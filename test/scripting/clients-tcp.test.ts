/**
 * Scripts through real client libraries over TCP (createServer on port 0):
 * - the seed's test (c): many ioredis clients run a read-modify-write increment script while others INCR, SET and GET
 *   the same keys; no update is lost and no reader sees a value the sequential semantics forbid;
 * - ioredis defineCommand (EVALSHA first, EVAL on NOSCRIPT, EVALSHA afterwards);
 * - node-redis script helpers (defineScript), which do the same.
 */
import { Redis } from 'ioredis'
import { createClient, defineScript } from 'redis'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { variantNamed } from '../../sim/mutants.ts'
import { memoryLogger } from '../../src/engine/logger.ts'
import type { SchedulingSeam } from '../../src/engine/seam.ts'
import { createServer, type RedsimServer } from '../../src/server/tcp-server.ts'

let server: RedsimServer

/**
 * The server's scheduling seam lets the event loop run at every redis.call of a script (production's seam never
 * pauses): other sockets' commands are read while a script is between two calls, so a script that did not hold the
 * lock across its calls would be interleaved (the per-call-lock mutant fails the test below this way).
 */
const yieldingSeam: SchedulingSeam = {
  point(site) {
    if (site === 'script-call') return new Promise<void>((resolve) => setImmediate(resolve))
  },
}

beforeAll(async () => {
  server = await createServer({ port: 0, logger: memoryLogger(), seam: yieldingSeam })
})

afterAll(async () => {
  await server.close()
})

beforeEach(async () => {
  const c = new Redis(server.port)
  await c.script('FLUSH')
  await c.flushall()
  c.disconnect()
})

/** Read-modify-write in Lua: the lost-update pattern that is only safe because the script is atomic. */
const RMW_INCREMENT = `
local v = tonumber(redis.call('GET', KEYS[1]) or '0')
redis.call('SET', KEYS[1], v + 1)
return v + 1`

/** Each SET writes a fresh multiple of this; increments after it count up from there. */
const SEGMENT = 1_000_000

/**
 * Runs the workload against the server on `port` and returns what the sequential semantics forbid (empty: none).
 * Each increment's reply is grouped by the SET it followed; within a segment the replies must be exactly
 * base+1..base+m, the final value the last base plus the increments after it, and every read a value some SET wrote
 * or some increment returned.
 */
async function rmwWorkload(port: number): Promise<{ operations: number; problems: string[] }> {
  const keys = ['c0', 'c1', 'c2']
  const scripters = Array.from({ length: 4 }, () => new Redis(port))
  const incrementers = Array.from({ length: 2 }, () => new Redis(port))
  const setter = new Redis(port)
  const reader = new Redis(port)
  const all = [...scripters, ...incrementers, setter, reader]
  const problems: string[] = []
  try {
    for (const c of scripters) c.defineCommand('rmwIncr', { numberOfKeys: 1, lua: RMW_INCREMENT })
    const increments = new Map<string, number[]>(keys.map((k) => [k, []]))
    const bases = new Map<string, number[]>(keys.map((k) => [k, [0]]))
    const reads = new Map<string, Array<number | null>>(keys.map((k) => [k, []]))
    const work: Array<Promise<unknown>> = []
    for (let i = 0; i < 300; i++) {
      const key = keys[i % keys.length]
      for (const c of scripters) {
        const rmw = (c as unknown as { rmwIncr(key: string): Promise<number> }).rmwIncr(key)
        work.push(rmw.then((v) => increments.get(key)!.push(v)))
      }
      for (const c of incrementers) work.push(c.incr(key).then((v) => increments.get(key)!.push(v)))
      if (i % 50 === 25) {
        const base = bases.get(key)!.length * SEGMENT
        bases.get(key)!.push(base)
        work.push(setter.set(key, String(base)))
      }
      work.push(reader.get(key).then((v) => reads.get(key)!.push(v === null ? null : Number(v))))
    }
    await Promise.all(work)
    for (const key of keys) {
      const bySegment = new Map<number, number[]>()
      for (const v of increments.get(key)!) {
        const base = Math.floor(v / SEGMENT) * SEGMENT
        if (!bySegment.has(base)) bySegment.set(base, [])
        bySegment.get(base)!.push(v)
      }
      for (const [base, values] of bySegment) {
        if (!bases.get(key)!.includes(base)) problems.push(`${key}: increment replies above a base never SET: ${base}`)
        values.sort((x, y) => x - y)
        const lost = values.findIndex((v, j) => v !== base + j + 1)
        if (lost !== -1) problems.push(`${key}: after SET ${base}, reply #${lost + 1} is ${values[lost]} (lost update)`)
      }
      const lastBase = bases.get(key)!.at(-1)!
      const final = Number(await reader.get(key))
      const expected = lastBase + (bySegment.get(lastBase)?.length ?? 0)
      if (final !== expected) problems.push(`${key}: final value ${final}, sequentially ${expected}`)
      const possible = new Set<number>([...bases.get(key)!, ...increments.get(key)!])
      for (const v of reads.get(key)!) if (v !== null && !possible.has(v)) problems.push(`${key}: read ${v}`)
    }
    return { operations: work.length, problems }
  } finally {
    for (const c of all) c.disconnect()
  }
}

describe('(c) concurrent read-modify-write scripts, INCR, SET and GET over TCP', () => {
  it('no update is lost and every read is a value some sequential order produces', async () => {
    const { operations, problems } = await rmwWorkload(server.port)
    expect(operations).toBeGreaterThan(2000)
    expect(problems).toEqual([])
  })

  it("the seed's pre-fix behaviour (mutant per-call-lock) loses updates under the same workload", async () => {
    const mutant = await createServer({
      port: 0,
      logger: memoryLogger(),
      seam: yieldingSeam,
      variant: variantNamed('per-call-lock'),
    })
    try {
      const { problems } = await rmwWorkload(mutant.port)
      expect(problems.some((p) => p.includes('lost update'))).toBe(true)
    } finally {
      await mutant.close()
    }
  })
})

describe('ioredis defineCommand', () => {
  it('sends EVALSHA, falls back to EVAL on NOSCRIPT, then uses EVALSHA', async () => {
    const c = new Redis(server.port)
    try {
      c.defineCommand('addTo', {
        numberOfKeys: 1,
        lua: "return redis.call('INCRBY', KEYS[1], ARGV[1])",
      })
      const addTo = (key: string, n: number) =>
        (c as unknown as { addTo(k: string, n: number): Promise<number> }).addTo(key, n)
      const stats = server.engine.executor.commandStats
      const calls = (name: string) => stats.get(name)?.calls ?? 0
      const evalBefore = calls('eval')
      const evalshaBefore = calls('evalsha')
      expect(await addTo('total', 5)).toBe(5)
      expect(calls('eval') - evalBefore).toBe(1)
      expect(await addTo('total', 7)).toBe(12)
      expect(await addTo('total', -2)).toBe(10)
      expect(calls('eval') - evalBefore).toBe(1)
      expect(calls('evalsha') - evalshaBefore).toBeGreaterThanOrEqual(2)
      // After SCRIPT FLUSH ioredis recovers the same way.
      await c.script('FLUSH')
      expect(await addTo('total', 1)).toBe(11)
      expect(calls('eval') - evalBefore).toBe(2)
      // Errors from the script arrive as ioredis errors with Redis's text.
      c.defineCommand('boom', { numberOfKeys: 0, lua: "return redis.error_reply('MYERR failed on purpose')" })
      await expect((c as unknown as { boom(): Promise<unknown> }).boom()).rejects.toThrow('MYERR failed on purpose')
    } finally {
      c.disconnect()
    }
  })
})

describe('node-redis script helpers', () => {
  it('defineScript: EVALSHA with the fallback to EVAL, replies and errors', async () => {
    const client = createClient({
      url: `redis://127.0.0.1:${server.port}`,
      scripts: {
        addTo: defineScript({
          NUMBER_OF_KEYS: 1,
          SCRIPT: "return redis.call('INCRBY', KEYS[1], ARGV[1])",
          parseCommand(parser, key: string, n: number) {
            parser.pushKey(key)
            parser.push(String(n))
          },
          transformReply: undefined as unknown as () => number,
        }),
        readBoth: defineScript({
          NUMBER_OF_KEYS: 2,
          IS_READ_ONLY: true,
          SCRIPT: "#!lua flags=no-writes\nreturn {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2])}",
          parseCommand(parser, a: string, b: string) {
            parser.pushKey(a)
            parser.pushKey(b)
          },
          transformReply: undefined as unknown as () => Array<string | null>,
        }),
      },
    })
    await client.connect()
    try {
      expect(await client.addTo('n', 3)).toBe(3)
      expect(await client.addTo('n', 4)).toBe(7)
      expect(await client.readBoth('n', 'missing')).toEqual(['7', null])
      await client.set('s', 'text')
      await expect(client.addTo('s', 1)).rejects.toThrow(
        /^ERR value is not an integer or out of range script: [0-9a-f]{40}, on @user_script:1\.$/,
      )
    } finally {
      client.destroy()
    }
  })
})
