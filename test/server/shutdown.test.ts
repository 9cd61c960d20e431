import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createServer, type RedsimServer } from '../../src/server/tcp-server.ts'
import { RawClient } from '../differential/raw-client.ts'

let server: RedsimServer | null = null

afterEach(async () => {
  await server?.close()
  server = null
})

/** Whether a TCP connection to `port` is accepted. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

describe('SHUTDOWN over TCP', () => {
  it('closes the connection and stops listening, as a Redis process exits', async () => {
    server = await createServer({ port: 0 })
    const port = server.port
    const other = await RawClient.connect(port)
    const c = await RawClient.connect(port)
    // Redis sends no reply to a successful SHUTDOWN: the connection just closes.
    c.send('*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n')
    expect((await c.readUntilClose()).length).toBe(0)
    expect(await other.closesWithin(2000)).toBe(true)
    expect(await accepts(port)).toBe(false)
  })

  it('SHUTDOWN NOSAVE stops a busy script and the server', async () => {
    server = await createServer({ port: 0 })
    const port = server.port
    const admin = await RawClient.connect(port)
    expect(await admin.call('CONFIG', 'SET', 'busy-reply-threshold', '50')).toBe('+OK\r\n')
    const looping = await RawClient.connect(port)
    looping.send('*3\r\n$4\r\nEVAL\r\n$17\r\nwhile true do end\r\n$1\r\n0\r\n')
    // PING may run before the script arrives or wait for it; once the script is past the threshold it gets BUSY.
    let reply = ''
    for (let i = 0; i < 100 && !reply.startsWith('-BUSY '); i++) reply = await admin.call('PING')
    expect(reply).toMatch(/^-BUSY /)
    admin.send('*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n')
    expect(await admin.closesWithin(2000)).toBe(true)
    expect(await looping.closesWithin(2000)).toBe(true)
    expect(await accepts(port)).toBe(false)
  })
})
