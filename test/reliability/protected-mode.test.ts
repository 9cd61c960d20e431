/**
 * Protected mode: with `protected-mode yes` (the default) and no password for the default user, a connection from a
 * non-loopback address gets Redis's -DENIED line and is closed; loopback connections are served. End to end, the
 * server binds 0.0.0.0 and is reached through this machine's own non-loopback address (traffic never leaves the
 * machine), and the bytes are compared with redis-server 7.0's. The decision itself is checked on addresses too.
 */
import net from 'node:net'
import os from 'node:os'
import { afterEach, describe, expect, it } from 'vitest'
import { ConfigRegistry } from '../../src/engine/config.ts'
import { isLoopback, PROTECTED_MODE_DENIED, protectedModeDenies } from '../../src/server/protected-mode.ts'
import { RawClient } from '../differential/raw-client.ts'
import { freePort, stopChild } from '../differential/redis-process.ts'
import { type ServerProcess, startServerProcess } from './server-process.ts'
import { spawn, type ChildProcess } from 'node:child_process'

/** An IPv4 address of one of this machine's own non-loopback interfaces, if it has one. */
function ownExternalAddress(): string | null {
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address
  }
  return null
}

/** Connects to host:port, sends PING, and returns everything received until the server closes (or 5 s pass). */
function exchange(host: string, port: number): Promise<{ data: string; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port })
    let data = ''
    const timer = setTimeout(() => {
      socket.destroy()
      resolve({ data, closedByServer: false })
    }, 5000)
    socket.on('error', (err) => {
      clearTimeout(timer)
      // A server that wrote its line and closed may reset a connection whose PING arrived after the close (the
      // kernel answers unread data with RST): what it wrote has arrived, and it did close. Nothing received is a failure.
      if (data.length > 0) resolve({ data, closedByServer: true })
      else reject(err)
    })
    socket.on('data', (d: Buffer) => {
      data += d.toString('latin1')
      if (data === '+PONG\r\n' || data.startsWith('-NOAUTH')) {
        clearTimeout(timer)
        socket.destroy()
        resolve({ data, closedByServer: false })
      }
    })
    socket.on('end', () => {
      clearTimeout(timer)
      socket.destroy()
      resolve({ data, closedByServer: true })
    })
    socket.once('connect', () => socket.write('PING\r\n'))
  })
}

/** A redis-server bound to every interface, protected mode at its default. */
async function startRedisOnAllInterfaces(): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort()
  const child = spawn('redis-server', ['--port', String(port), '--bind', '0.0.0.0', '--save', '', '--appendonly', 'no'])
  child.stdout?.resume()
  child.stderr?.resume()
  for (let i = 0; i < 200; i++) {
    try {
      const c = await RawClient.connect(port)
      const pong = await c.call('PING')
      c.close()
      if (pong === '+PONG\r\n') return { port, child }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  await stopChild(child)
  throw new Error('redis-server did not start')
}

describe('the protected-mode decision', () => {
  it('refuses non-loopback peers only while protected mode is on and no password is set', () => {
    const config = new ConfigRegistry()
    expect(config.get('protected-mode')).toBe('yes')
    for (const local of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) {
      expect(isLoopback(local)).toBe(true)
      expect(protectedModeDenies(config, local)).toBe(false)
    }
    for (const external of ['192.0.2.2', '10.0.0.1', 'fd00::2', '::ffff:192.0.2.2', '128.0.0.1', undefined]) {
      expect(protectedModeDenies(config, external)).toBe(true)
    }
    expect(config.set('requirepass', 'secret')).toBeNull()
    expect(protectedModeDenies(config, '192.0.2.2')).toBe(false)
    expect(config.set('requirepass', '')).toBeNull()
    expect(config.set('protected-mode', 'no')).toBeNull()
    expect(protectedModeDenies(config, '192.0.2.2')).toBe(false)
    expect(config.set('protected-mode', 'maybe')?.message).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'protected-mode') - argument must be 'yes' or 'no'",
    )
  })
})

describe('protected mode over TCP', () => {
  let server: ServerProcess | null = null
  let redis: ChildProcess | null = null
  afterEach(async () => {
    await server?.stop()
    server = null
    if (redis) await stopChild(redis)
    redis = null
  })

  it("answers a non-loopback peer with Redis's exact DENIED line and closes; serves loopback peers", async () => {
    const external = ownExternalAddress()
    // Without a non-loopback interface there is no such peer to be: the decision is then what is checked.
    if (external === null) {
      expect(protectedModeDenies(new ConfigRegistry(), '192.0.2.2')).toBe(true)
      return
    }
    server = await startServerProcess(['--bind', '0.0.0.0'])
    const started = await startRedisOnAllInterfaces()
    redis = started.child

    const denied = await exchange(external, server.port)
    const reference = await exchange(external, started.port)
    expect(reference).toEqual({ data: PROTECTED_MODE_DENIED, closedByServer: true })
    expect(denied).toEqual(reference)
    expect(await exchange('127.0.0.1', server.port)).toEqual({ data: '+PONG\r\n', closedByServer: false })
    // Both count the refusal as a rejected connection, and not as a connection received.
    const stats = async (port: number) => {
      const c = await RawClient.connect(port)
      const info = await c.call('INFO', 'stats')
      c.close()
      return /rejected_connections:\d+/.exec(info)?.[0]
    }
    expect(await stats(server.port)).toBe('rejected_connections:1')
    expect(await stats(started.port)).toBe('rejected_connections:1')

    // A password lifts it (the client then has to authenticate), and so does protected-mode no.
    const admin = await RawClient.connect(server.port)
    expect(await admin.call('CONFIG', 'SET', 'requirepass', 'secret')).toBe('+OK\r\n')
    expect((await exchange(external, server.port)).data).toMatch(/^-NOAUTH/)
    expect(await admin.call('AUTH', 'secret')).toBe('+OK\r\n')
    expect(await admin.call('CONFIG', 'SET', 'requirepass', '', 'protected-mode', 'no')).toBe('+OK\r\n')
    expect(await exchange(external, server.port)).toEqual({ data: '+PONG\r\n', closedByServer: false })
    admin.close()
  })
})
