/**
 * Per-run script state: every run has its own frame (KEYS/ARGV, SHA, RESP mode, lease, client) in the Lua runtime the
 * whole process shares, so runs can be suspended and resumed in any interleaving: runs of different engines, and two
 * runs of one engine under a simulator mutant that drops the script's lease. The correct executor still never runs
 * two scripts of one engine at once. Expiry inside a script is judged at the script's start time.
 */
import { describe, expect, it } from 'vitest'
import { variantNamed } from '../../sim/mutants.ts'
import { ManualClock } from '../../src/engine/clock.ts'
import { Engine, type EngineOptions } from '../../src/engine/engine.ts'
import { memoryLogger } from '../../src/engine/logger.ts'
import { seededRandom } from '../../src/engine/random.ts'
import { type Reply, ReplyError } from '../../src/protocol/reply.ts'
import { scriptingHost } from '../../src/scripting/lua-host.ts'
import type { CachedScript } from '../../src/scripting/script-cache.ts'
import { LocalConnection } from '../../src/server/local-connection.ts'
import { respText } from '../helpers.ts'
import { GateSeam } from './helpers.ts'

function engineWith(options: EngineOptions = {}): { engine: Engine; clock: ManualClock } {
  const clock = new ManualClock()
  const engine = new Engine({ clock, random: seededRandom(1), logger: memoryLogger(), ...options })
  return { engine, clock }
}

/** Releases parked script calls one at a time, alternating between actors, until every reply is in. */
async function interleave(seam: GateSeam, replies: Array<Promise<Reply>>): Promise<string[]> {
  let done = false
  const all = Promise.all(replies).finally(() => {
    done = true
  })
  let released = 0
  let lastActor = -1
  while (!done) {
    const pending = seam.parked.slice(released)
    if (pending.length === 0) {
      await Promise.race([all, seam.waitFor(released + 1)])
      continue
    }
    // Prefer an actor other than the last one released, so the runs really alternate.
    const next = pending.find((p) => p.actor.id !== lastActor) ?? pending[0]
    seam.parked.splice(seam.parked.indexOf(next), 1)
    seam.parked.splice(released, 0, next)
    released++
    lastActor = next.actor.id
    next.release()
    await new Promise((resolve) => setImmediate(resolve))
  }
  return (await all).map((r) => respText(r))
}

/** Changes its KEYS, sets its own RESP mode, and reports what it sees between calls that may be interleaved. */
const FRAME_SCRIPT = `
KEYS[1] = KEYS[1] .. '!'
redis.call('PING')
if ARGV[1] == '3' then redis.setresp(3) end
redis.call('PING')
local missing = redis.call('GET', 'missing')
redis.call('PING')
return {KEYS[1], ARGV[1], type(missing), #KEYS, #ARGV}`

describe('per-run frames', () => {
  it('two interleaved runs of one engine (mutant per-call-lock) keep their own KEYS, ARGV and RESP mode', async () => {
    const seam = new GateSeam(new Set(['script-call']))
    const { engine } = engineWith({ seam, variant: variantNamed('per-call-lock') })
    const a = new LocalConnection(engine)
    const b = new LocalConnection(engine)
    const ra = a.call('EVAL', FRAME_SCRIPT, 1, 'ka', '3')
    await seam.waitFor(1)
    const rb = b.call('EVAL', FRAME_SCRIPT, 2, 'kb', 'kb2', '2', 'extra')
    await seam.waitFor(2)
    // Both scripts are suspended mid-run at once: only possible because each has its own frame.
    expect(seam.parked.map((p) => p.actor.id).sort()).toEqual([a.client.id, b.client.id].sort())
    const [replyA, replyB] = await interleave(seam, [ra, rb])
    expect(replyA).toBe('*5\r\n$3\r\nka!\r\n$1\r\n3\r\n$3\r\nnil\r\n:1\r\n:1\r\n')
    expect(replyB).toBe('*5\r\n$3\r\nkb!\r\n$1\r\n2\r\n$7\r\nboolean\r\n:2\r\n:2\r\n')
  })

  it('runs of two engines interleave in the shared runtime without seeing each other', async () => {
    const seam = new GateSeam(new Set(['script-call']))
    const one = engineWith({ seam }).engine
    const two = engineWith({ seam }).engine
    const a = new LocalConnection(one)
    const b = new LocalConnection(two)
    await a.call('SET', 'ka!', 'from-one')
    const ra = a.call('EVAL', `${FRAME_SCRIPT}`, 1, 'ka', '2')
    const rb = b.call('EVAL', FRAME_SCRIPT, 1, 'kb', '3')
    const [replyA, replyB] = await interleave(seam, [ra, rb])
    expect(replyA).toBe('*5\r\n$3\r\nka!\r\n$1\r\n2\r\n$7\r\nboolean\r\n:1\r\n:1\r\n')
    expect(replyB).toBe('*5\r\n$3\r\nkb!\r\n$1\r\n3\r\n$3\r\nnil\r\n:1\r\n:1\r\n')
  })

  it('the correct executor never runs two scripts of one engine at once (a second run is an internal error)', async () => {
    const seam = new GateSeam(new Set(['script-call']))
    const { engine } = engineWith({ seam })
    const a = new LocalConnection(engine)
    const first = a.call('EVAL', "return redis.call('PING')", 0)
    await seam.waitFor(1)
    const host = scriptingHost(engine)
    const running = host.current!
    expect(running).not.toBeNull()
    // Forge what the executor never does: start another script while this one holds the lease.
    const again = host.run(running.ctx, running.script as CachedScript, [], [], false)
    expect(again).toBeInstanceOf(ReplyError)
    expect((again as ReplyError).message).toMatch(/internal error.*a script is already running/)
    seam.parked[0].release()
    expect(respText(await first)).toBe('+PONG\r\n')
    expect(host.current).toBeNull()
  })

  it('each engine has its own script cache; SCRIPT FLUSH of one leaves the other alone', async () => {
    const one = new LocalConnection(engineWith().engine)
    const two = new LocalConnection(engineWith().engine)
    const sha = 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db'
    expect(respText(await one.call('SCRIPT', 'LOAD', 'return 1'))).toBe(`$40\r\n${sha}\r\n`)
    expect(respText(await two.call('SCRIPT', 'EXISTS', sha))).toBe('*1\r\n:0\r\n')
    expect(respText(await two.call('EVALSHA', sha, 0))).toBe('-NOSCRIPT No matching script. Please use EVAL.\r\n')
    await two.call('SCRIPT', 'LOAD', 'return 1')
    expect(respText(await one.call('SCRIPT', 'FLUSH'))).toBe('+OK\r\n')
    expect(respText(await one.call('EVALSHA', sha, 0))).toBe('-NOSCRIPT No matching script. Please use EVAL.\r\n')
    expect(respText(await two.call('EVALSHA', sha, 0))).toBe(':1\r\n')
  })

  it('math.random is per engine: the same seed gives the same sequence whatever other engines ran', async () => {
    const script = 'return {math.random(1000000), math.random(1000000)}'
    const first = new LocalConnection(engineWith().engine)
    const expected = respText(await first.call('EVAL', script, 0))
    const other = new LocalConnection(new Engine({ random: seededRandom('other'), logger: memoryLogger() }))
    const otherReply = respText(await other.call('EVAL', script, 0))
    const second = new LocalConnection(engineWith().engine)
    expect(respText(await second.call('EVAL', script, 0))).toBe(expected)
    expect(otherReply).not.toBe(expected)
    // Not reseeded between EVALs (Redis 7.0): the next script continues the sequence.
    expect(respText(await second.call('EVAL', script, 0))).not.toBe(expected)
    // randomseed makes a run repeatable.
    const seeded = 'math.randomseed(7) return {math.random(1000000), math.random(1000000)}'
    expect(respText(await second.call('EVAL', seeded, 0))).toBe(respText(await first.call('EVAL', seeded, 0)))
  })
})

describe('library state', () => {
  it('is per engine and renewed by SCRIPT FLUSH', async () => {
    const key = {}
    const one = engineWith().engine
    const two = engineWith().engine
    const state = scriptingHost(one).libraryState(key, () => ({ setting: 1 }))
    state.setting = 5
    expect(scriptingHost(one).libraryState(key, () => ({ setting: 1 })).setting).toBe(5)
    expect(scriptingHost(two).libraryState(key, () => ({ setting: 1 })).setting).toBe(1)
    await new LocalConnection(one).call('SCRIPT', 'FLUSH')
    expect(scriptingHost(one).libraryState(key, () => ({ setting: 1 })).setting).toBe(1)
  })
})

describe('KEYS and ARGV of consecutive runs', () => {
  it('nothing a script does to its KEYS and ARGV reaches the next script', async () => {
    const c = new LocalConnection(engineWith().engine)
    const show = 'return {#KEYS, #ARGV, tostring(next(KEYS, #KEYS)), tostring(getmetatable(ARGV)), KEYS[1], ARGV[1]}'
    const tamper =
      "KEYS.extra = 1 KEYS[5] = 'five' setmetatable(ARGV, {__index = function() return 'leak' end}) return ARGV[9]"
    expect(respText(await c.call('EVAL', tamper, 3, 'a', 'b', 'c', 'x'))).toBe('$4\r\nleak\r\n')
    expect(respText(await c.call('EVAL', show, 1, 'k', 'v'))).toBe(
      '*6\r\n:1\r\n:1\r\n$3\r\nnil\r\n$3\r\nnil\r\n$1\r\nk\r\n$1\r\nv\r\n',
    )
    // Fewer keys than the run before, after an untouched run: the extra entries are gone.
    expect(respText(await c.call('EVAL', 'return 1', 4, 'a', 'b', 'c', 'd', 'w', 'x', 'y'))).toBe(':1\r\n')
    expect(respText(await c.call('EVAL', show, 1, 'k', 'v'))).toBe(
      '*6\r\n:1\r\n:1\r\n$3\r\nnil\r\n$3\r\nnil\r\n$1\r\nk\r\n$1\r\nv\r\n',
    )
    expect(respText(await c.call('EVAL', 'KEYS[1] = nil KEYS[3] = 1 return 1', 2, 'a', 'b'))).toBe(':1\r\n')
    expect(respText(await c.call('EVAL', 'return {#KEYS, KEYS[1], KEYS[2], KEYS[3]}', 2, 'p', 'q'))).toBe(
      '*3\r\n:2\r\n$1\r\np\r\n$1\r\nq\r\n',
    )
    expect(respText(await c.call('EVAL', 'return {#KEYS, #ARGV}', 0))).toBe('*2\r\n:0\r\n:0\r\n')
  })
})

describe('time inside a script', () => {
  it('is frozen at the script start for expiry: a key cannot expire between two calls', async () => {
    const seam = new GateSeam(new Set(['script-call']))
    const { engine, clock } = engineWith({ seam })
    const c = new LocalConnection(engine)
    seam.parked.length = 0
    const set = c.call('SET', 'k', 'v', 'PX', 100)
    expect(respText(await set)).toBe('+OK\r\n')
    const reply = c.call(
      'EVAL',
      "local a = redis.call('GET', KEYS[1]) local b = redis.call('GET', KEYS[1]) return {a, b}",
      1,
      'k',
    )
    await seam.waitFor(1)
    seam.parked[0].release()
    await seam.waitFor(2)
    // The key's TTL passes while the script is suspended between its two GETs (it holds the lease throughout).
    clock.advance(1000)
    seam.parked[1].release()
    expect(respText(await reply)).toBe('*2\r\n$1\r\nv\r\n$1\r\nv\r\n')
    expect(engine.expiryTimeFrozenAt).toBeNull()
    const get = c.call('GET', 'k')
    expect(respText(await get)).toBe('$-1\r\n')
  })

  it('a script started after the TTL passed sees the key gone', async () => {
    const { engine, clock } = engineWith()
    const c = new LocalConnection(engine)
    await c.call('SET', 'k', 'v', 'PX', 100)
    clock.advance(101)
    expect(respText(await c.call('EVAL', "return redis.call('GET', KEYS[1])", 1, 'k'))).toBe('$-1\r\n')
  })
})
