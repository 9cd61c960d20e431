/**
 * A throwaway redis-server child process on a free loopback port, without persistence: the reference the
 * differential tests and the server benchmark compare redsim with. No vitest here, so benchmarks can use it too.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import net from 'node:net'
import { RawClient } from './raw-client.ts'

export const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server'

/** Whether a redis-server binary can be run here. */
export function redisServerAvailable(): boolean {
  const probe = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' })
  return probe.status === 0 && /Redis server v=/.test(probe.stdout)
}

/** A port nobody listens on right now: bind to 0, read the port, close. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}

export interface RedisProcess {
  readonly port: number
  readonly pid: number
  stop(): Promise<void>
}

/** Starts `redis-server --port P --save '' --appendonly no` and waits until it answers PING. */
export async function startRedis(): Promise<RedisProcess> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort()
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']
    const child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString()
    })
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString()
    })
    let exited = false
    child.once('exit', () => {
      exited = true
    })
    if (await answersPing(port, () => exited)) return { port, pid: child.pid ?? -1, stop: () => stopChild(child) }
    await stopChild(child)
    // Most likely the port was taken between probing and binding; try another.
    if (attempt >= 4) throw new Error(`could not start ${REDIS_SERVER} ${args.join(' ')}:\n${output}`)
  }
}

export async function answersPing(port: number, gaveUp: () => boolean): Promise<boolean> {
  for (let i = 0; i < 200 && !gaveUp(); i++) {
    try {
      const c = await RawClient.connect(port)
      const reply = await c.call('PING')
      c.close()
      if (reply === '+PONG\r\n') return true
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25))
  }
  return false
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })
}
