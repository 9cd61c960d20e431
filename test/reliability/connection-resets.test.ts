/**
 * A client that resets its connection (RST, as with SO_LINGER 0) at any point must never take the server down. The
 * server runs as its own process (`src/cli.ts`), so an unhandled socket error would end it: each case resets
 * connections at one point of the server's socket handling, then checks the process is alive and still serving.
 */
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { RawClient } from '../differential/raw-client.ts'
import { type ServerProcess, startServerProcess } from './server-process.ts'

let server: ServerProcess | null = null
const open: net.Socket[] = []

afterEach(async () => {
  for (const s of open.splice(0)) s.destroy()
  await server?.stop()
  server = null
})

const PASSWORD = 'secret'
const ROUNDS = 40

/** A plain socket, connected, with an error listener (the peer's errors are not what is tested). */
function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' })
    socket.on('error', () => {})
    socket.once('connect', () => {
      open.push(socket)
      resolve(socket)
    })
    socket.once('close', () => reject(new Error('closed before connecting')))
  })
}

/** Sends `data` and resets the connection at once, without reading anything. */
async function sendAndReset(port: number, data: string | Buffer): Promise<void> {
  const socket = await connect(port)
  socket.write(data)
  socket.resetAndDestroy()
}

/** Sends `data`, waits for the first bytes of an answer, then resets. */
async function sendReadAndReset(port: number, data: string | Buffer): Promise<void> {
  const socket = await connect(port)
  await new Promise<void>((resolve) => {
    socket.once('data', () => resolve())
    socket.once('close', () => resolve())
    socket.write(data)
  })
  if (!socket.destroyed) socket.resetAndDestroy()
}

/** An authenticated client that must keep getting answers throughout. */
async function keeper(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port)
  expect(await c.call('AUTH', PASSWORD)).toBe('+OK\r\n')
  return c
}

/** The process is alive, has reported no unhandled error, and answers a command. */
async function expectServing(c: RawClient): Promise<void> {
  expect(await c.call('PING')).toBe('+PONG\r\n')
  expect(server!.alive()).toBe(true)
  expect(server!.stderr()).not.toMatch(/Unhandled|ECONNRESET|EPIPE/)
}

describe('connections reset by the peer never crash the server', () => {
  it('at the maxclients refusal, with a password set (no authentication needed to crash it before)', async () => {
    server = await startServerProcess(['--maxclients', '3', '--requirepass', PASSWORD])
    const { port } = server
    const admin = await keeper(port)
    await connect(port)
    await connect(port)
    // Reset at once, while the server writes its refusal line; and after the line arrived.
    await Promise.all(Array.from({ length: ROUNDS }, () => sendAndReset(port, '')))
    await Promise.all(Array.from({ length: ROUNDS }, () => sendReadAndReset(port, 'PING\r\n')))
    await expectServing(admin)
    // A refused connection is answered and closed by the server, not left half-open.
    const refused = await RawClient.connect(port)
    expect((await refused.readUntilClose()).toString()).toBe('-ERR max number of clients reached\r\n')
  })

  it('after a protocol error, with and without reading the error', async () => {
    server = await startServerProcess(['--requirepass', PASSWORD])
    const admin = await keeper(server.port)
    const port = server.port
    await Promise.all(Array.from({ length: ROUNDS }, () => sendAndReset(port, '*x\r\n')))
    await Promise.all(Array.from({ length: ROUNDS }, () => sendReadAndReset(port, '*1\r\n$-5\r\n')))
    await expectServing(admin)
  })

  it('around QUIT and a close-after-reply with replies still to write', async () => {
    server = await startServerProcess(['--requirepass', PASSWORD])
    const port = server.port
    const admin = await keeper(port)
    expect(await admin.call('SET', 'big', 'x'.repeat(4 * 1024 * 1024))).toBe('+OK\r\n')
    const auth = `AUTH ${PASSWORD}\r\n`
    await Promise.all(Array.from({ length: ROUNDS }, () => sendAndReset(port, `${auth}QUIT\r\n`)))
    await Promise.all(Array.from({ length: ROUNDS }, () => sendReadAndReset(port, `${auth}QUIT\r\n`)))
    // Large replies queued before QUIT: the reset lands while the server is still writing them.
    await Promise.all(
      Array.from({ length: 10 }, () => sendReadAndReset(port, `${auth}GET big\r\nGET big\r\nGET big\r\nQUIT\r\n`)),
    )
    await expectServing(admin)
  })

  it('unauthenticated, in the middle of a pipeline, and with a large reply unread', async () => {
    server = await startServerProcess(['--requirepass', PASSWORD])
    const port = server.port
    const admin = await keeper(port)
    expect(await admin.call('SET', 'big', 'x'.repeat(4 * 1024 * 1024))).toBe('+OK\r\n')
    await Promise.all(Array.from({ length: ROUNDS }, () => sendAndReset(port, 'GET k\r\n')))
    await Promise.all(
      Array.from({ length: ROUNDS }, () => sendAndReset(port, `AUTH ${PASSWORD}\r\nPING\r\n*3\r\n$3\r\nSE`)),
    )
    await Promise.all(
      Array.from({ length: 10 }, () => sendReadAndReset(port, `AUTH ${PASSWORD}\r\n${'GET big\r\n'.repeat(8)}`)),
    )
    await expectServing(admin)
  })

  it('while the server shuts down: it exits cleanly, with no unhandled error', async () => {
    server = await startServerProcess(['--requirepass', PASSWORD])
    const port = server.port
    const admin = await keeper(port)
    const sockets = await Promise.all(Array.from({ length: ROUNDS }, () => connect(port)))
    for (const s of sockets) s.write(`AUTH ${PASSWORD}\r\n`)
    admin.command('SHUTDOWN', 'NOSAVE')
    for (const s of sockets) s.resetAndDestroy()
    expect(await server.exited()).toBe(0)
    expect(server.stderr()).not.toMatch(/Unhandled|ECONNRESET|EPIPE/)
  })
})
