/**
 * `npm run stress [-- --scale X]`: hostile load against redsim's own command line, loopback only, bounded in count and
 * time, printing what the server did rather than asserting it. Phases:
 *   connections   many idle connections at once, each answered
 *   flood         clients that pipeline writes and never read their replies (the server must stop reading them)
 *   big replies   clients that ask for large replies and never read (output buffer limits must close them)
 *   maxmemory     a 20 MB limit (scaled down with --scale) filled with 1 KB values under each eviction policy
 * Throughout, a probe client sends PING every 50 ms; the summary says whether the server answered every one, the slowest
 * answer, the process's resident memory after each phase, and whether the process is still alive.
 * test/reliability/stress.test.ts runs a short version (scale 0.1) as part of `npm test`.
 */
import net from 'node:net'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { RawClient } from '../test/differential/raw-client.ts'
import { startServerProcess } from '../test/reliability/server-process.ts'

export interface PhaseResult {
  phase: string
  detail: string
  rssMb: number
  errors: number
}

export interface StressResult {
  phases: PhaseResult[]
  connections: { opened: number; answered: number }
  maxmemory: Array<{ policy: string; ok: number; oom: number; other: number; evicted: number }>
  probes: number
  probesFailed: number
  slowestProbeMs: number
  alive: boolean
}

const POLICIES = [
  'noeviction',
  'allkeys-lru',
  'allkeys-lfu',
  'allkeys-random',
  'volatile-lru',
  'volatile-lfu',
  'volatile-random',
  'volatile-ttl',
]

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Math.round(Number(m[1]) / 1024) : -1
  } catch {
    return -1
  }
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(s))
    s.on('error', reject)
  })
}

function resp(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Sends `count` commands as pipelines of `batch` and counts the replies by their first byte. */
async function pipelined(c: RawClient, count: number, batch: number, make: (i: number) => string) {
  let ok = 0
  let oom = 0
  let other = 0
  for (let i = 0; i < count; i += batch) {
    const n = Math.min(batch, count - i)
    let chunk = ''
    for (let j = 0; j < n; j++) chunk += make(i + j)
    c.send(chunk)
    for (let j = 0; j < n; j++) {
      const reply = (await c.readReply(30_000)).toString('latin1')
      if (reply === '+OK\r\n') ok++
      else if (reply.startsWith('-OOM')) oom++
      else other++
    }
  }
  return { ok, oom, other }
}

export async function runStress(options: { scale: number; log?: (line: string) => void }): Promise<StressResult> {
  const log = options.log ?? (() => {})
  const n = (full: number) => Math.max(1, Math.round(full * options.scale))
  const server = await startServerProcess(['--maxclients', '20000'])
  const pid = server.child.pid ?? -1
  const phases: PhaseResult[] = []
  const maxmemory: StressResult['maxmemory'] = []
  const connections = { opened: 0, answered: 0 }
  let probes = 0
  let probesFailed = 0
  let slowest = 0
  let probing = true
  const probe = await RawClient.connect(server.port)
  const probeLoop = (async () => {
    while (probing) {
      const start = performance.now()
      try {
        const reply = await probe.call('PING')
        if (reply !== '+PONG\r\n') probesFailed++
      } catch {
        probesFailed++
      }
      probes++
      slowest = Math.max(slowest, performance.now() - start)
      await sleep(50)
    }
  })()
  const phase = (name: string, detail: string, errors = 0) => {
    const result = { phase: name, detail, rssMb: rssMb(pid), errors }
    phases.push(result)
    log(`${name.padEnd(24)} ${detail.padEnd(64)} rss ${String(result.rssMb).padStart(5)} MB  errors ${errors}`)
  }
  try {
    // Many connections, each answered, then all closed.
    const count = n(2000)
    const sockets: net.Socket[] = []
    let answered = 0
    let errors = 0
    for (let i = 0; i < count; i++) {
      try {
        const s = await connect(server.port)
        s.on('error', () => {})
        s.on('data', () => answered++)
        s.write('PING\r\n')
        sockets.push(s)
      } catch {
        errors++
      }
    }
    for (let i = 0; i < 100 && answered < sockets.length; i++) await sleep(50)
    connections.opened = sockets.length
    connections.answered = answered
    phase('connections', `${sockets.length} open, ${answered} answered PING`, errors + (sockets.length - answered))
    for (const s of sockets) s.destroy()

    // Writers that never read: the server must stop reading them instead of buffering their replies.
    const flooders: net.Socket[] = []
    const value = 'x'.repeat(100)
    const pipeline = Array.from({ length: 1000 }, (_, i) => resp('SET', `flood:${i}`, value)).join('')
    for (let i = 0; i < n(20); i++) {
      const s = await connect(server.port)
      s.on('error', () => {})
      s.pause()
      flooders.push(s)
    }
    const floodUntil = Date.now() + 3000 * Math.min(1, options.scale * 2)
    let sent = 0
    while (Date.now() < floodUntil) {
      for (const s of flooders) {
        // Only while the kernel takes more: the point is the server's side, not this process's memory.
        if (s.writableNeedDrain) continue
        s.write(pipeline)
        sent += 1000
      }
      await sleep(10)
    }
    phase('flood (never read)', `${flooders.length} clients, ${sent} commands sent`)
    for (const s of flooders) s.destroy()

    // Large replies never read: the normal class's output limit closes them when set.
    const admin = await RawClient.connect(server.port)
    await admin.call('SET', 'big', 'y'.repeat(1024 * 1024))
    await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 8mb 4mb 1')
    const readers: net.Socket[] = []
    let closedByServer = 0
    for (let i = 0; i < n(10); i++) {
      const s = await connect(server.port)
      s.on('error', () => {})
      s.on('close', () => closedByServer++)
      s.pause()
      s.write(resp('GET', 'big').repeat(64))
      readers.push(s)
    }
    for (let i = 0; i < 60 && closedByServer < readers.length; i++) await sleep(50)
    // redsim stops running a client's commands while its socket cannot take more, so a client that never reads is
    // either held there (its replies never pile up) or, past the limit, closed.
    phase(
      'big replies (never read)',
      `${readers.length} clients, ${closedByServer} closed by the output limit, the rest held by backpressure`,
    )
    for (const s of readers) s.destroy()
    await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0')

    // maxmemory under each policy.
    const writes = n(30000)
    let evictedBefore = 0
    // The limit scales with the load so that the short version fills it too.
    const limitMb = Math.max(2, Math.round(20 * Math.min(1, options.scale)))
    for (const policy of POLICIES) {
      await admin.call('FLUSHALL')
      await admin.call('CONFIG', 'SET', 'maxmemory', '0')
      await admin.call('CONFIG', 'SET', 'maxmemory-policy', policy)
      await admin.call('CONFIG', 'SET', 'maxmemory', `${limitMb}mb`)
      const volatile = policy.startsWith('volatile')
      const v = 'z'.repeat(1000)
      const counts = await pipelined(admin, writes, 500, (i) =>
        volatile && i % 2 === 0 ? resp('SET', `mm:${i}`, v, 'EX', '1000') : resp('SET', `mm:${i}`, v),
      )
      const info = (await admin.call('INFO', 'memory')).toString()
      const used = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? -1)
      const stats = (await admin.call('INFO', 'stats')).toString()
      // evicted_keys counts since startup: this policy's share is the difference.
      const evictedSoFar = Number(/evicted_keys:(\d+)/.exec(stats)?.[1] ?? -1)
      const evicted = evictedSoFar - evictedBefore
      evictedBefore = evictedSoFar
      maxmemory.push({ policy, ...counts, evicted })
      phase(
        `maxmemory ${policy}`,
        `${counts.ok} OK, ${counts.oom} OOM, used_memory ${(used / 1048576).toFixed(1)} MB, evicted_keys ${evicted}`,
        counts.other,
      )
    }
    await admin.call('CONFIG', 'SET', 'maxmemory', '0')
    await admin.call('FLUSHALL')
    admin.close()
  } finally {
    probing = false
    await probeLoop
    probe.close()
  }
  const alive = server.alive()
  await server.stop()
  return { phases, connections, maxmemory, probes, probesFailed, slowestProbeMs: Math.round(slowest), alive }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { scale: { type: 'string', default: '1' } } })
  const result = await runStress({ scale: Number(values.scale), log: (line) => process.stdout.write(`${line}\n`) })
  process.stdout.write(
    `probe: ${result.probes} PINGs, ${result.probesFailed} unanswered, slowest ${result.slowestProbeMs} ms; ` +
      `server ${result.alive ? 'alive' : 'DEAD'} at the end\n`,
  )
  process.exitCode = result.alive && result.probesFailed === 0 ? 0 : 1
}
