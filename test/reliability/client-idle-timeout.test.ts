/**
 * The `timeout` parameter: the server's periodic work closes clients idle for more than that many seconds, except
 * pub/sub subscribers and clients being served (blocked in BLPOP & co., postponed by CLIENT PAUSE), as Redis's
 * clientsCronHandleTimeout. Judged on the engine clock in-process, and end to end against redsim's own process.
 */
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { closeIdleClients } from '../../src/engine/client-eviction.ts'
import { RawClient } from '../differential/raw-client.ts'
import { respText, testEngine } from '../helpers.ts'
import { type ServerProcess, startServerProcess } from './server-process.ts'

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve()
  await new Promise((resolve) => setImmediate(resolve))
}

describe('idle clients on the engine clock', () => {
  it('closes a client idle for more than `timeout` seconds, and spares subscribers, blocked and paused clients', async () => {
    const { engine, clock, conn: idle, connect } = testEngine({ config: { timeout: '10' } })
    const [active, subscriber, popper, paused, admin] = [connect(), connect(), connect(), connect(), connect()]
    await subscriber.call('SUBSCRIBE', 'c')
    void popper.call('BLPOP', 'list', '0')
    await admin.call('CLIENT', 'PAUSE', '1000000', 'WRITE')
    void paused.call('SET', 'k', 'v')
    await settle()

    // Exactly `timeout` seconds idle is not yet too long (Redis compares with >).
    clock.advance(10_000)
    await active.call('PING')
    expect(closeIdleClients(engine)).toBe(0)
    expect(idle.closed).toBe(false)

    clock.advance(1_000)
    expect(closeIdleClients(engine)).toBe(2)
    expect(idle.closed).toBe(true)
    expect(admin.closed).toBe(true)
    expect(active.closed).toBe(false)
    expect(subscriber.closed).toBe(false)
    expect(popper.closed).toBe(false)
    expect(paused.closed).toBe(false)
    expect(respText(await active.call('PING'))).toBe('+PONG\r\n')
  })

  it('does nothing while `timeout` is 0 (the default)', async () => {
    const { engine, clock, conn: idle } = testEngine()
    clock.advance(365 * 24 * 3600 * 1000)
    expect(closeIdleClients(engine)).toBe(0)
    expect(idle.closed).toBe(false)
  })
})

describe('idle clients of a running server', () => {
  let server: ServerProcess | null = null
  afterEach(async () => {
    await server?.stop()
    server = null
  })

  it('closes an idle TCP connection after `timeout`, and keeps a subscriber', async () => {
    server = await startServerProcess(['--timeout', '1', '--hz', '50'])
    const idle = await RawClient.connect(server.port)
    const subscriber = await RawClient.connect(server.port)
    expect(await subscriber.call('SUBSCRIBE', 'c')).toBe('*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n')
    // Closed by the server, from its periodic work, within a few seconds.
    expect(await idle.closesWithin(10_000)).toBe(true)
    // The subscriber was as idle as the closed client, and is still connected.
    const admin = await RawClient.connect(server.port)
    const list = await admin.call('CLIENT', 'LIST')
    expect(list.match(/flags=P/g)).toHaveLength(1)
    expect(await subscriber.call('PING')).toBe('*2\r\n$4\r\npong\r\n$0\r\n\r\n')
    admin.close()
    subscriber.close()
  })

  it('counts a request arriving slowly as activity', async () => {
    server = await startServerProcess(['--timeout', '1', '--hz', '50'])
    const socket = net.connect(server.port, '127.0.0.1')
    socket.on('error', () => {})
    await new Promise((resolve) => socket.once('connect', resolve))
    let received = ''
    socket.on('data', (d: Buffer) => {
      received += d.toString('latin1')
    })
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
    // Two bytes of a PING every 400 ms, 2.4 s in all: without reads counting as interaction, the connection would be
    // closed after at most 2 s (more than one whole second idle), before the PING is complete.
    const request = '*1\r\n$4\r\nPING\r\n'
    for (let i = 0; i < 7; i++) {
      socket.write(request.slice(i * 2, i * 2 + 2))
      await new Promise((resolve) => setTimeout(resolve, 400))
    }
    expect(received).toBe('+PONG\r\n')
    await closed
    socket.destroy()
  })
})
