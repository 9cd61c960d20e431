/**
 * CLIENT PAUSE / UNPAUSE: while paused, the commands the pause covers wait (WRITE: writes and may-replicate commands
 * such as EVAL and PUBLISH; ALL: everything), on the engine's clock and timers; a paused client shows as blocked; a
 * client that disconnects while paused is forgotten and holds nothing. The replies and the CLIENT LIST/INFO view are
 * compared with redis-server 7.0.
 */
import { describe, expect, it } from 'vitest'
import type { Reply } from '../../src/protocol/reply.ts'
import type { LocalConnection } from '../../src/server/local-connection.ts'
import { describeDifferential, differentialCases, type Step } from '../differential/harness.ts'
import { respText, testEngine } from '../helpers.ts'

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve()
  await new Promise((resolve) => setImmediate(resolve))
}

/** Sends a command without awaiting it; `text()` is its reply once it came. */
function track(conn: LocalConnection, ...args: string[]): { text: () => string } {
  let reply: Reply | undefined
  let finished = false
  void conn.call(...args).then((r) => {
    reply = r
    finished = true
  })
  return { text: () => (finished ? respText(reply as Reply) : '(pending)') }
}

/** The flags= and cmd= fields of each CLIENT LIST line (ids and addresses differ between servers). */
function flagsAndCommands(reply: string): string {
  return reply.replace(/id=.*? (flags=\S+) .*?(cmd=\S+) .*?\n/g, '$1 $2\n').replace(/^\$\d+\r\n/, '')
}

describe('CLIENT PAUSE on the engine clock', () => {
  it('WRITE holds writes and EVAL back until the timeout, lets reads run, and shows the held clients as blocked', async () => {
    const { engine, clock, connect } = testEngine()
    const [admin, writer, scripter, reader] = [connect(), connect(), connect(), connect()]
    expect(respText(await admin.call('CLIENT', 'PAUSE', '1000', 'WRITE'))).toBe('+OK\r\n')
    const set = track(writer, 'SET', 'k', 'v')
    const script = track(scripter, 'EVAL', 'return 1', '0')
    await settle()
    expect(set.text()).toBe('(pending)')
    expect(script.text()).toBe('(pending)')
    expect(respText(await reader.call('GET', 'k'))).toBe('$-1\r\n')
    const list = respText(await admin.call('CLIENT', 'LIST'))
    expect(list).toContain(`id=${writer.client.id} `)
    expect(list).toMatch(new RegExp(`id=${writer.client.id} .* flags=b .* cmd=set `))
    expect(list).toMatch(new RegExp(`id=${scripter.client.id} .* flags=b .* cmd=eval `))
    expect(respText(await admin.call('INFO', 'clients'))).toContain('blocked_clients:2\r\n')
    // One millisecond short of the end: still paused.
    clock.advance(999)
    engine.runDueTimers()
    await settle()
    expect(set.text()).toBe('(pending)')
    clock.advance(1)
    engine.runDueTimers()
    await settle()
    expect(set.text()).toBe('+OK\r\n')
    expect(script.text()).toBe(':1\r\n')
    expect(engine.clientPause.active).toBe(false)
    expect(respText(await admin.call('INFO', 'clients'))).toContain('blocked_clients:0\r\n')
  })

  it('ALL holds every command, the pausing client included, until CLIENT UNPAUSE from a client it did not hold', async () => {
    const { engine, connect } = testEngine()
    const [admin, reader, other] = [connect(), connect(), connect()]
    expect(respText(await admin.call('CLIENT', 'PAUSE', '100000', 'ALL'))).toBe('+OK\r\n')
    const get = track(reader, 'GET', 'k')
    const ping = track(admin, 'PING')
    await settle()
    expect(get.text()).toBe('(pending)')
    expect(ping.text()).toBe('(pending)')
    // CLIENT UNPAUSE itself is held under ALL, as in Redis 7.0 (it waits for the timeout there).
    const unpause = track(other, 'CLIENT', 'UNPAUSE')
    await settle()
    expect(unpause.text()).toBe('(pending)')
    engine.clientPause.unpause()
    await settle()
    expect(get.text()).toBe('$-1\r\n')
    expect(ping.text()).toBe('+PONG\r\n')
    expect(unpause.text()).toBe('+OK\r\n')
  })

  it('a client that disconnects while paused is forgotten, and its command never runs', async () => {
    const { engine, connect, clock } = testEngine()
    const [admin, writer, reader] = [connect(), connect(), connect()]
    await admin.call('CLIENT', 'PAUSE', '500', 'WRITE')
    const set = track(writer, 'SET', 'gone', 'v')
    await settle()
    expect(engine.clientPause.postponedCount).toBe(1)
    writer.close()
    expect(engine.clientPause.postponedCount).toBe(0)
    clock.advance(500)
    engine.runDueTimers()
    await settle()
    // The dropped command answered nothing a client could see, wrote nothing, and left the lock free.
    expect(set.text()).toBe('$-1\r\n')
    expect(respText(await reader.call('EXISTS', 'gone'))).toBe(':0\r\n')
    expect(engine.lock.holder).toBeNull()
    expect(respText(await reader.call('SET', 'after', '1'))).toBe('+OK\r\n')
  })

  it('a second pause keeps the later end and the stricter type; active expiry does not run while paused', async () => {
    const { engine, clock, connect } = testEngine()
    const [admin, reader] = [connect(), connect()]
    await admin.call('SET', 'ttl', 'v', 'PX', '10')
    await admin.call('CLIENT', 'PAUSE', '1000', 'ALL')
    engine.clientPause.pause(clock.now() + 200, 'write')
    expect(engine.clientPause.pauseType).toBe('all')
    expect(engine.clientPause.endsAt).toBe(clock.now() + 1000)
    clock.advance(500)
    engine.runDueTimers()
    expect(engine.runCron()).toBeNull()
    const get = track(reader, 'GET', 'ttl')
    await settle()
    expect(get.text()).toBe('(pending)')
    clock.advance(500)
    engine.runDueTimers()
    await settle()
    expect(get.text()).toBe('$-1\r\n')
    expect(engine.runCron()).not.toBeNull()
  })

  it('answers bad arguments as Redis does', async () => {
    const { resp } = testEngine()
    expect(await resp('CLIENT', 'PAUSE')).toBe("-ERR wrong number of arguments for 'client|pause' command\r\n")
    expect(await resp('CLIENT', 'PAUSE', 'abc')).toBe('-ERR timeout is not an integer or out of range\r\n')
    expect(await resp('CLIENT', 'PAUSE', '-1')).toBe('-ERR timeout is negative\r\n')
    expect(await resp('CLIENT', 'PAUSE', '10', 'foo')).toBe('-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n')
    expect(await resp('CLIENT', 'PAUSE', '9223372036854775807')).toBe('-ERR timeout is out of range\r\n')
    expect(await resp('CLIENT', 'PAUSE', '10', 'write', 'x')).toBe(
      "-ERR unknown subcommand or wrong number of arguments for 'pause'. Try CLIENT HELP.\r\n",
    )
    expect(await resp('CLIENT', 'UNPAUSE', 'x')).toBe("-ERR wrong number of arguments for 'client|unpause' command\r\n")
  })
})

const blocks = (args: string, client: number): Step => ({ args: args.split(' '), client, awaitBlocked: true })
const reply = (client: number): Step => ({ client, collectBlocked: true })

describeDifferential('differential: CLIENT PAUSE', (pair) => {
  differentialCases(pair, {
    'WRITE: writes, EVAL and a write queued in MULTI wait, reads run, and the held clients show as blocked': [
      'CLIENT PAUSE 100000 WRITE',
      blocks('SET k v', 1),
      { args: ['GET', 'k'], client: 2 },
      { args: ['EVAL', 'return 1', '0'], client: 2, awaitBlocked: true },
      { args: ['MULTI'], client: 3 },
      blocks('INCR n', 3),
      { args: ['INFO', 'clients'], normalize: (r: string) => /blocked_clients:\d+/.exec(r)?.[0] ?? r },
      { args: ['CLIENT', 'LIST'], normalize: flagsAndCommands },
      'CLIENT UNPAUSE',
      reply(1),
      reply(2),
      reply(3),
      // The harness asks a client's CLIENT ID before its first may-block step, which MULTI queued: the ids differ.
      { args: ['EXEC'], client: 3, normalize: (r: string) => r.replace(/^\*2\r\n:\d+\r\n/, '*2\r\n:(id)\r\n') },
      'MGET k n',
    ],
    'a pause of 0 ms ends at once': ['CLIENT PAUSE 0', 'SET k v', 'GET k'],
  })
})
