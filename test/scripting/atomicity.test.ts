/**
 * The seed's tests, made real (tests a and b), in process: a script takes the database lock exactly once
 * however many redis.call it makes, and nothing another client sends can land between two of its calls. Each test
 * also runs the seed's pre-fix behaviour (the simulator's per-call-lock mutant) to show the assertion can fail.
 */
import { describe, expect, it } from 'vitest'
import { variantNamed } from '../../sim/mutants.ts'
import { Engine, type EngineOptions } from '../../src/engine/engine.ts'
import { memoryLogger } from '../../src/engine/logger.ts'
import { seededRandom } from '../../src/engine/random.ts'
import type { Reply } from '../../src/protocol/reply.ts'
import { LocalConnection } from '../../src/server/local-connection.ts'
import { respText } from '../helpers.ts'
import { GateSeam, turn } from './helpers.ts'

function engine(options: EngineOptions = {}): Engine {
  return new Engine({ random: seededRandom(1), logger: memoryLogger(), ...options })
}

/** A script making `n` redis.call: n - 1 INCRs of KEYS[1] and a final GET. */
function manyCalls(n: number): string {
  return `for i = 1, ${n - 1} do redis.call('INCR', KEYS[1]) end return redis.call('GET', KEYS[1])`
}

describe('(a) a script takes the lock exactly once', () => {
  for (const calls of [1, 2, 50]) {
    it(`EVAL with ${calls} redis.call: one acquisition`, async () => {
      const e = engine()
      const c = new LocalConnection(e)
      const before = e.lock.acquisitions
      expect(respText(await c.call('EVAL', manyCalls(calls), 1, 'n'))).toBe(
        calls === 1 ? '$-1\r\n' : `$${String(calls - 1).length}\r\n${calls - 1}\r\n`,
      )
      expect(e.lock.acquisitions - before).toBe(1)
    })
  }

  it('EVALSHA and EVAL_RO too, and a script that raises', async () => {
    const e = engine()
    const c = new LocalConnection(e)
    const sha = (await c.call('SCRIPT', 'LOAD', manyCalls(10))) as string
    let before = e.lock.acquisitions
    await c.call('EVALSHA', sha, 1, 'n')
    expect(e.lock.acquisitions - before).toBe(1)
    before = e.lock.acquisitions
    await c.call('EVAL_RO', "for i = 1, 10 do redis.call('GET', KEYS[1]) end", 1, 'n')
    expect(e.lock.acquisitions - before).toBe(1)
    before = e.lock.acquisitions
    expect(respText(await c.call('EVAL', "redis.call('INCR', KEYS[1]) error('late')", 1, 'n'))).toMatch(
      /^-ERR user_script:1: late/,
    )
    expect(e.lock.acquisitions - before).toBe(1)
    expect(e.lock.holder).toBeNull()
  })

  it("EVAL inside EXEC runs under EXEC's lease: one acquisition for the whole transaction, no deadlock", async () => {
    const e = engine()
    const c = new LocalConnection(e)
    await c.call('MULTI')
    await c.call('EVAL', manyCalls(5), 1, 'n')
    await c.call('SET', 'x', '1')
    await c.call('EVAL', manyCalls(5), 1, 'n')
    const before = e.lock.acquisitions
    expect(respText(await c.call('EXEC'))).toBe('*3\r\n$1\r\n4\r\n+OK\r\n$1\r\n8\r\n')
    expect(e.lock.acquisitions - before).toBe(1)
    expect(e.lock.holder).toBeNull()
  })

  it('the pre-fix behaviour (mutant per-call-lock) takes the lock once per call: the check can fail', async () => {
    const e = engine({ variant: variantNamed('per-call-lock') })
    const c = new LocalConnection(e)
    const before = e.lock.acquisitions
    await c.call('EVAL', manyCalls(10), 1, 'n')
    expect(e.lock.acquisitions - before).toBe(11)
  })
})

/**
 * (b) A script reads a key, spins, and writes it; meanwhile another client sends SET key 999. The script is parked at
 * its write (the scheduling seam), the SET is sent, then the script goes on.
 */
async function readSpinWrite(options: EngineOptions): Promise<{ final: string; order: string[] }> {
  const seam = new GateSeam(new Set(['script-call']))
  const e = engine({ ...options, seam })
  const a = new LocalConnection(e)
  const b = new LocalConnection(e)
  const order: string[] = []
  const note = (who: string) => (reply: Reply) => {
    order.push(who)
    return reply
  }
  const setup = a.call('SET', 'key', '1')
  await setup
  const script = `
    local v = tonumber(redis.call('GET', KEYS[1]))
    local spin = 0
    for i = 1, 10000 do spin = spin + i end
    redis.call('SET', KEYS[1], v + 1)
    return v + 1`
  const scripted = a.call('EVAL', script, 1, 'key').then(note('script'))
  // Let the script's GET through, then hold it at its SET.
  ;(await seam.waitFor(1)).release()
  await seam.waitFor(2)
  const other = b.call('SET', 'key', '999').then(note('set'))
  for (let i = 0; i < 20; i++) await turn()
  seam.parked[1].release()
  // Under the mutant the other client's command goes through the seam as well; let everything run.
  for (let i = 0; i < 50 && order.length < 2; i++) {
    for (const p of seam.parked) p.release()
    await turn()
  }
  await Promise.all([scripted, other])
  const final = respText(await b.call('GET', 'key'))
  return { final, order }
}

describe('(b) another client cannot write between two calls of a script', () => {
  it('SET key 999 sent while the script runs lands after it: the final value is 999', async () => {
    const { final, order } = await readSpinWrite({})
    expect(order).toEqual(['script', 'set'])
    expect(final).toBe('$3\r\n999\r\n')
  })

  it('the pre-fix behaviour (mutant per-call-lock) lets the SET in between and loses it', async () => {
    const { final, order } = await readSpinWrite({ variant: variantNamed('per-call-lock') })
    expect(order).toEqual(['set', 'script'])
    expect(final).toBe('$1\r\n2\r\n')
  })
})
