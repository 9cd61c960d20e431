/**
 * A connection the server ends (after a protocol error, after QUIT, or refused at maxclients) must be gone from the
 * server for good, even when the peer never closes its side: no client left in CLIENT LIST and no file descriptor
 * left in the server process. 200 such peers keep their sockets open (allowHalfOpen, never ending or destroying them)
 * while the server's descriptors are counted in /proc/<pid>/fd.
 */
import { readdirSync } from 'node:fs'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { RawClient } from '../differential/raw-client.ts'
import { type ServerProcess, startServerProcess } from './server-process.ts'

let server: ServerProcess | null = null
const held: net.Socket[] = []

afterEach(async () => {
  for (const s of held.splice(0)) s.destroy()
  await server?.stop()
  server = null
})

function openDescriptors(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length
}

/** Connects, sends `data`, waits until the server has answered and closed its side; keeps the socket open. */
function sendAndHold(port: number, data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true })
    held.push(socket)
    let received = ''
    socket.on('error', reject)
    socket.on('data', (d: Buffer) => {
      received += d.toString('latin1')
    })
    // The server's FIN: our side stays open (allowHalfOpen), as a peer that never closes.
    socket.on('end', () => resolve(received))
    socket.once('connect', () => socket.write(data))
  })
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`timed out waiting until ${what}`)
}

describe('sockets the server closes do not stay open in the server', () => {
  it('after protocol errors, QUIT and maxclients refusals, with every peer keeping its side open', async () => {
    server = await startServerProcess([])
    const pid = server.child.pid!
    const admin = await RawClient.connect(server.port)
    const baseline = openDescriptors(pid)

    const errors = await Promise.all(Array.from({ length: 70 }, () => sendAndHold(server!.port, '*1\r\nx\r\n')))
    expect(new Set(errors)).toEqual(new Set(["-ERR Protocol error: expected '$', got 'x'\r\n"]))
    const quits = await Promise.all(Array.from({ length: 70 }, () => sendAndHold(server!.port, 'PING\r\nQUIT\r\n')))
    expect(new Set(quits)).toEqual(new Set(['+PONG\r\n+OK\r\n']))
    // Only the admin connection is left, so every new connection is refused.
    expect(await admin.call('CONFIG', 'SET', 'maxclients', '1')).toBe('+OK\r\n')
    const refusals = await Promise.all(Array.from({ length: 60 }, () => sendAndHold(server!.port, 'PING\r\n')))
    expect(new Set(refusals)).toEqual(new Set(['-ERR max number of clients reached\r\n']))
    expect(/rejected_connections:\d+/.exec(await admin.call('INFO', 'stats'))?.[0]).toBe('rejected_connections:60')
    expect(await admin.call('CONFIG', 'SET', 'maxclients', '10000')).toBe('+OK\r\n')
    expect(held.every((s) => !s.destroyed)).toBe(true)

    await until(
      async () => ((await admin.call('CLIENT', 'LIST')).match(/id=/g) ?? []).length === 1,
      'CLIENT LIST shows only the admin connection',
    )
    // The 200 peers still hold their sockets; the server holds none of them (a little slack for its own files).
    await until(() => openDescriptors(pid) <= baseline + 5, `the server is back to about ${baseline} descriptors`)
    expect(openDescriptors(pid)).toBeLessThan(baseline + 200)
    admin.close()
  })
})
