/**
 * Busy scripts: the count hook slices a long script; past busy-reply-threshold (on the injected clock) other clients get
 * BUSY except for the allowed commands; SCRIPT KILL stops a script that has not written (its caller gets the kill
 * error), answers UNKILLABLE after a write and NOTBUSY when idle; pcall inside the script cannot swallow a kill;
 * SHUTDOWN NOSAVE stops everything. In process (a clock that ticks as it is read, the event-loop yield installed as
 * the TCP server installs it) and over TCP with ioredis.
 */
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { Engine } from '../../src/engine/engine.ts'
import { memoryLogger } from '../../src/engine/logger.ts'
import { seededRandom } from '../../src/engine/random.ts'
import { scriptingHost } from '../../src/scripting/lua-host.ts'
import { LocalConnection } from '../../src/server/local-connection.ts'
import { createServer, type RedsimServer } from '../../src/server/tcp-server.ts'
import { respText } from '../helpers.ts'
import { GateSeam, TickingClock, turn } from './helpers.ts'

const BUSY = '-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n'
const UNKILLABLE =
  '-UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script ' +
  'termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.\r\n'
const NOTBUSY = '-NOTBUSY No scripts in execution right now.\r\n'

/** An engine whose clock moves 10 ms per read, with a 50 ms threshold and the event-loop yield installed. */
function busyEngine(seam?: GateSeam): Engine {
  const engine = new Engine({
    clock: new TickingClock(10),
    random: seededRandom(1),
    logger: memoryLogger(),
    config: { 'busy-reply-threshold': '50' },
    seam,
  })
  engine.yieldToEventLoop = turn
  return engine
}

async function untilBusy(engine: Engine): Promise<void> {
  const host = scriptingHost(engine)
  for (let i = 0; i < 10_000 && !host.current?.busy; i++) await turn()
  if (!host.current?.busy) throw new Error('the script never became busy')
}

function killedReply(sha: string): string {
  return `-ERR Script killed by user with SCRIPT KILL... script: ${sha}, on @user_script:1.\r\n`
}

const LOOP = 'while true do end'
const LOOP_SHA = '694a5fe1ddb97a4c6a1bf299d9537c7d3d0f84e7'

describe('busy scripts in process', () => {
  it('past the threshold others get BUSY, SCRIPT KILL ends the script with the kill error, then NOTBUSY', async () => {
    const engine = busyEngine()
    const a = new LocalConnection(engine)
    const b = new LocalConnection(engine)
    const looping = a.call('EVAL', LOOP, 0)
    await untilBusy(engine)
    expect(respText(await b.call('PING'))).toBe(BUSY)
    expect(respText(await b.call('GET', 'k'))).toBe(BUSY)
    expect(respText(await b.call('EVAL', 'return 1', 0))).toBe(BUSY)
    expect(respText(await b.call('SCRIPT', 'KILL'))).toBe('+OK\r\n')
    expect(respText(await looping)).toBe(killedReply(LOOP_SHA))
    expect(respText(await b.call('SCRIPT', 'KILL'))).toBe(NOTBUSY)
    expect(respText(await b.call('PING'))).toBe('+PONG\r\n')
    expect(respText(await a.call('PING'))).toBe('+PONG\r\n')
    expect(engine.busyLease).toBeNull()
    expect(engine.lock.holder).toBeNull()
  })

  it('SCRIPT KILL when nothing runs is NOTBUSY', async () => {
    const c = new LocalConnection(busyEngine())
    expect(respText(await c.call('SCRIPT', 'KILL'))).toBe(NOTBUSY)
  })

  it('after a write SCRIPT KILL answers UNKILLABLE; SHUTDOWN without NOSAVE is BUSY; SHUTDOWN NOSAVE stops it', async () => {
    const engine = busyEngine()
    const a = new LocalConnection(engine)
    const b = new LocalConnection(engine)
    const looping = a.call('EVAL', `redis.call('SET', 'k', 'v') ${LOOP}`, 0)
    await untilBusy(engine)
    expect(respText(await b.call('SCRIPT', 'KILL'))).toBe(UNKILLABLE)
    expect(respText(await b.call('SHUTDOWN'))).toBe(BUSY)
    expect(scriptingHost(engine).current).not.toBeNull()
    await b.call('SHUTDOWN', 'NOSAVE')
    expect(respText(await looping)).toMatch(/^-ERR Script killed/)
    expect(engine.clients.size).toBe(0)
    expect(engine.lock.holder).toBeNull()
  })

  it('pcall inside the script cannot swallow a kill', async () => {
    const engine = busyEngine()
    const a = new LocalConnection(engine)
    const b = new LocalConnection(engine)
    const script = `
      while true do
        local ok, err = pcall(function() while true do end end)
        if not ok then redis.call('SET', 'swallowed', tostring(err)) end
      end`
    const looping = a.call('EVAL', script, 0)
    await untilBusy(engine)
    expect(respText(await b.call('SCRIPT', 'KILL'))).toBe('+OK\r\n')
    expect(respText(await looping)).toMatch(/^-ERR Script killed by user with SCRIPT KILL\.\.\. script: /)
    expect(respText(await b.call('EXISTS', 'swallowed'))).toBe(':0\r\n')
  })

  it('an error caught by pcall does not turn the hook off: the script still becomes busy and can be killed', async () => {
    const engine = busyEngine()
    const a = new LocalConnection(engine)
    const looping = a.call('EVAL', "pcall(error, 'caught') xpcall(error, function() end) while true do end", 0)
    await untilBusy(engine)
    expect(respText(await new LocalConnection(engine).call('SCRIPT', 'KILL'))).toBe('+OK\r\n')
    expect(respText(await looping)).toMatch(/^-ERR Script killed by user/)
  })

  it('an error handler of xpcall cannot swallow a kill either', async () => {
    const engine = busyEngine()
    const a = new LocalConnection(engine)
    const b = new LocalConnection(engine)
    const looping = a.call(
      'EVAL',
      'while true do xpcall(function() while true do end end, function() return 1 end) end',
      0,
    )
    await untilBusy(engine)
    expect(respText(await b.call('SCRIPT', 'KILL'))).toBe('+OK\r\n')
    expect(respText(await looping)).toMatch(/^-ERR Script killed by user/)
  })

  it('MULTI is allowed while busy; a command queued meanwhile gets BUSY and EXEC answers EXECABORT', async () => {
    const engine = busyEngine()
    const a = new LocalConnection(engine)
    const b = new LocalConnection(engine)
    const looping = a.call('EVAL', LOOP, 0)
    await untilBusy(engine)
    expect(respText(await b.call('MULTI'))).toBe('+OK\r\n')
    expect(respText(await b.call('SET', 'k', 'v'))).toBe(BUSY)
    // SCRIPT KILL is allowed while busy, but inside MULTI it is queued like any other command (as in Redis).
    expect(respText(await b.call('SCRIPT', 'KILL'))).toBe('+QUEUED\r\n')
    expect(respText(await new LocalConnection(engine).call('SCRIPT', 'KILL'))).toBe('+OK\r\n')
    await looping
    expect(respText(await b.call('EXEC'))).toBe('-EXECABORT Transaction discarded because of previous errors.\r\n')
  })

  it('commands that arrived before the threshold wait, keep their order and get their replies after the script', async () => {
    // The seam parks the script at its first slice (holding the lease) before it is busy; B's commands then queue for
    // the lock rather than getting BUSY.
    const seam = new GateSeam(new Set(['busy-slice']))
    const engine = busyEngine(seam)
    const a = new LocalConnection(engine)
    const b = new LocalConnection(engine)
    const looping = a.call('EVAL', LOOP, 0)
    await seam.waitFor(1)
    const waiting = [b.call('INCR', 'n'), b.call('INCR', 'n'), b.call('GET', 'n')]
    await turn()
    // Later slices go straight on: release every one as it parks until the script is busy.
    const host = scriptingHost(engine)
    let released = 0
    while (!host.current?.busy) {
      await seam.waitFor(released + 1)
      seam.parked[released++].release()
      await turn()
    }
    const c = new LocalConnection(engine)
    expect(respText(await c.call('PING'))).toBe(BUSY)
    const killed = c.call('SCRIPT', 'KILL')
    // The script yields at its next slice; keep releasing so it reaches the kill.
    while (host.current) {
      if (seam.parked.length > released) seam.parked[released++].release()
      await turn()
    }
    expect(respText(await killed)).toBe('+OK\r\n')
    expect(respText(await looping)).toBe(killedReply(LOOP_SHA))
    expect((await Promise.all(waiting)).map((r) => respText(r))).toEqual([':1\r\n', ':2\r\n', '$1\r\n2\r\n'])
  })

  it('the count hook slices a long script (a seam pause point per slice) and never a short one', async () => {
    const seam = new GateSeam(new Set(['busy-slice']))
    const engine = new Engine({ random: seededRandom(1), logger: memoryLogger(), seam })
    const c = new LocalConnection(engine)
    expect(respText(await c.call('EVAL', 'local s = 0 for i = 1, 10 do s = s + i end return s', 0))).toBe(':55\r\n')
    expect(seam.parked).toHaveLength(0)
    const long = c.call('EVAL', 'local s = 0 for i = 1, 300000 do s = s + i end return s', 0)
    let released = 0
    let settled = false
    long.finally(() => {
      settled = true
    })
    while (!settled) {
      if (seam.parked.length > released) seam.parked[released++].release()
      await turn()
    }
    expect(respText(await long)).toBe(':45000150000\r\n')
    // 300000 iterations of a 3-instruction loop body: several slices of 100000 instructions.
    expect(released).toBeGreaterThanOrEqual(5)
    expect(released).toBeLessThanOrEqual(15)
  })

  it('lua-time-limit is an alias of busy-reply-threshold', async () => {
    const c = new LocalConnection(busyEngine())
    expect(respText(await c.call('CONFIG', 'SET', 'lua-time-limit', '77'))).toBe('+OK\r\n')
    expect(respText(await c.call('CONFIG', 'GET', 'busy-reply-threshold'))).toBe(
      '*2\r\n$20\r\nbusy-reply-threshold\r\n$2\r\n77\r\n',
    )
  })
})

describe('busy scripts over TCP', () => {
  let server: RedsimServer | undefined
  const clients: Redis[] = []
  afterEach(async () => {
    for (const c of clients.splice(0)) c.disconnect()
    await server?.close()
    server = undefined
  })

  it('EVAL "while true do end" with a 100 ms threshold: others get BUSY and SCRIPT KILL ends it', async () => {
    server = await createServer({ port: 0, logger: memoryLogger(), config: { 'busy-reply-threshold': '100' } })
    const a = new Redis(server.port, { maxRetriesPerRequest: 0 })
    const b = new Redis(server.port, { maxRetriesPerRequest: 0 })
    clients.push(a, b)
    await Promise.all([a.ping(), b.ping()])
    const looping = a.eval(LOOP, 0).then(
      () => 'no error',
      (e: Error) => e.message,
    )
    await untilBusy(server.engine)
    await expect(b.get('k')).rejects.toThrow(/^BUSY Redis is busy running a script/)
    expect(await b.script('KILL')).toBe('OK')
    expect(await looping).toBe(killedReply(LOOP_SHA).slice(1, -2))
    await expect(b.script('KILL')).rejects.toThrow(/^NOTBUSY/)
    expect(await a.ping()).toBe('PONG')
  })
})
