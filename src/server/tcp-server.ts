/**
 * The TCP front end: accepts connections, runs the periodic server cron (active expiry) on real timers, and closes
 * cleanly. Real time and I/O live here, outside the engine; the simulator never uses this file.
 */
import net from 'node:net'
import { closeIdleClients } from '../engine/client-eviction.ts'
import { Engine, type EngineOptions } from '../engine/engine.ts'
import { PROTECTED_MODE_DENIED, protectedModeDenies } from './protected-mode.ts'
import { RespConnection } from './resp-connection.ts'
import { driveTimersInRealTime } from './timer-driver.ts'

export interface ServerOptions extends EngineOptions {
  port?: number
  host?: string
  requirepass?: string
  /** Use an existing engine (shared with in-process clients) instead of creating one. */
  engine?: Engine
}

export interface RedsimServer {
  readonly port: number
  readonly host: string
  readonly engine: Engine
  /** Open connections (tests inspect their backpressure state). */
  readonly connections: ReadonlySet<RespConnection>
  close(): Promise<void>
}

/**
 * Answers a connection the server will not serve with one error line and closes it for good. The socket gets an
 * 'error' listener first: a peer that resets the connection (SO_LINGER 0) makes the write or the read fail, and an
 * unhandled socket error would end the whole process. The socket is destroyed once the line is written (or at once
 * on an error), so a peer that keeps its side open cannot hold the descriptor.
 */
export function refuse(socket: net.Socket, line: string): void {
  socket.on('error', () => socket.destroy())
  socket.end(line, () => socket.destroy())
}

export async function createServer(options: ServerOptions = {}): Promise<RedsimServer> {
  const config = { ...(options.config ?? {}) }
  if (options.requirepass !== undefined) config.requirepass = options.requirepass
  const engine = options.engine ?? new Engine({ ...options, config })
  const host = options.host ?? '127.0.0.1'
  const connections = new Set<RespConnection>()
  // allowHalfOpen: a client that sends its commands and then shuts down its side still gets its replies.
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    const maxClients = engine.config.getNumber('maxclients')
    if (engine.clients.size >= maxClients) {
      engine.rejectedConnections++
      refuse(socket, '-ERR max number of clients reached\r\n')
      return
    }
    // After the maxclients check, as Redis's clientAcceptHandler runs after acceptCommonHandler's.
    if (protectedModeDenies(engine.config, socket.remoteAddress)) {
      engine.rejectedConnections++
      refuse(socket, PROTECTED_MODE_DENIED)
      return
    }
    connections.add(new RespConnection(engine, socket, (c) => connections.delete(c)))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 6379, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  // Once listening, an error on the listener (EMFILE while accepting, ...) is logged; the server keeps serving, as
  // Redis does when accept fails. Without a listener Node would throw it and end the process.
  server.on('error', (err) => engine.log('warning', `Accepting client connection: ${err.message}`))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 6379)
  engine.config.set('port', String(port))
  engine.config.set('bind', host)

  // A script past busy-reply-threshold lets the event loop run between slices, so others get BUSY or SCRIPT KILL it.
  engine.yieldToEventLoop ??= () => new Promise<void>((resolve) => setImmediate(resolve))

  // Active expiry, `hz` times a second, as Redis's serverCron does; skipped while the lock is held (engine.runCron).
  const hz = Math.max(1, engine.config.getNumber('hz'))
  let fastCycle: NodeJS.Immediate | null = null
  const runFastCycles = () => {
    fastCycle = null
    if (engine.runCron(undefined, 'fast') !== null && engine.expireBacklog) fastCycle = setImmediate(runFastCycles)
  }
  const cron = setInterval(
    () => {
      // Redis's clientsCron: idle clients past `timeout` are closed (a no-op while timeout is 0).
      closeIdleClients(engine)
      engine.runCron()
      // Expired keys piling up: fast passes between event-loop turns, as Redis's beforeSleep runs them.
      if (engine.expireBacklog && fastCycle === null) fastCycle = setImmediate(runFastCycles)
    },
    Math.floor(1000 / hz),
  )
  cron.unref()
  // Blocking-command timeouts: the engine's timers, on a real timer armed for the earliest one.
  const stopTimers = driveTimersInRealTime(engine)

  let closing: Promise<void> | null = null
  const handle = {
    port,
    host,
    engine,
    connections,
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(cron)
        if (fastCycle) clearImmediate(fastCycle)
        stopTimers()
        for (const c of connections) c.destroy()
        server.close(() => resolve())
      })
      return closing
    },
  }
  // SHUTDOWN (including SHUTDOWN NOSAVE of a busy script) stops serving: listener, connections and timers, as a Redis
  // process that exits; `npm start` then ends because nothing keeps the event loop alive.
  engine.onShutdown ??= () => {
    void handle.close()
  }
  return handle
}
