/**
 * maxmemory against redis-server: 100,000 SETs of 1,000-byte values to 16-byte keys, pipelined on one connection,
 * against a server started with `--maxmemory 20mb`. Under noeviction, how many are accepted before the rest get OOM;
 * under allkeys-lru, where used_memory ends and how many keys were evicted. Prints figures, asserts nothing.
 *
 *   npm run bench:maxmemory            (or: tsx bench/maxmemory.ts [count] [value-bytes])
 */
import { type ChildProcess, spawn } from 'node:child_process'
import net from 'node:net'
import { answersPing, freePort, REDIS_SERVER, stopChild } from '../test/differential/redis-process.ts'
import { RawClient } from '../test/differential/raw-client.ts'

const COUNT = Number(process.argv[2] ?? 100_000)
const VALUE_BYTES = Number(process.argv[3] ?? 1000)
const BATCH = 100

interface Server {
  name: string
  port: number
  child: ChildProcess
}

async function start(name: string, command: string, args: string[]): Promise<Server> {
  const port = await freePort()
  const child = spawn(command, [...args, '--port', String(port)], { stdio: 'ignore' })
  let exited = false
  child.once('exit', () => {
    exited = true
  })
  if (!(await answersPing(port, () => exited))) throw new Error(`${name} did not start`)
  return { name, port, child }
}

/** Pipelines the SETs in batches; counts +OK and OOM replies. */
async function load(port: number): Promise<{ ok: number; oom: number; other: number }> {
  const socket = net.connect(port, '127.0.0.1')
  await new Promise((resolve) => socket.once('connect', resolve))
  const value = Buffer.alloc(VALUE_BYTES, 'x')
  const counts = { ok: 0, oom: 0, other: 0 }
  let pending: Buffer = Buffer.alloc(0)
  let replies = 0
  const done = new Promise<void>((resolve) => {
    socket.on('data', (data: Buffer) => {
      pending = pending.length === 0 ? data : Buffer.concat([pending, data])
      let p = 0
      for (;;) {
        const end = pending.indexOf('\r\n', p)
        if (end < 0) break
        const line = pending.toString('latin1', p, end)
        if (line === '+OK') counts.ok++
        else if (line.startsWith('-OOM')) counts.oom++
        else counts.other++
        replies++
        p = end + 2
      }
      pending = pending.subarray(p)
      if (replies === COUNT) resolve()
    })
  })
  for (let i = 0; i < COUNT; i += BATCH) {
    const parts: Buffer[] = []
    for (let j = i; j < Math.min(COUNT, i + BATCH); j++) {
      const key = `key:${String(j).padStart(12, '0')}`
      parts.push(
        Buffer.from(`*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${VALUE_BYTES}\r\n`),
        value,
        Buffer.from('\r\n'),
      )
    }
    if (!socket.write(Buffer.concat(parts))) await new Promise((resolve) => socket.once('drain', resolve))
  }
  await done
  socket.destroy()
  return counts
}

async function field(port: number, section: string, name: string): Promise<string> {
  const c = await RawClient.connect(port)
  const info = await c.call('INFO', section)
  c.close()
  return new RegExp(`${name}:([^\\r]*)`).exec(info)?.[1] ?? '?'
}

async function measure(policy: string): Promise<void> {
  const servers = [
    await start('redis-server 7.0', REDIS_SERVER, ['--save', '', '--appendonly', 'no']),
    await start('redsim', 'npx', ['tsx', 'src/cli.ts', '--save', '']),
  ]
  try {
    for (const server of servers) {
      const c = await RawClient.connect(server.port)
      await c.call('CONFIG', 'SET', 'maxmemory', '20mb')
      await c.call('CONFIG', 'SET', 'maxmemory-policy', policy)
      c.close()
      const counts = await load(server.port)
      const used = await field(server.port, 'memory', 'used_memory')
      const evicted = await field(server.port, 'stats', 'evicted_keys')
      const keys = await field(server.port, 'keyspace', 'db0')
      console.log(
        `${policy.padEnd(12)} ${server.name.padEnd(17)} OK ${String(counts.ok).padStart(6)}  OOM ${String(counts.oom).padStart(6)}` +
          `  used_memory ${used.padStart(9)} (limit ${20 * 1024 * 1024})  evicted_keys ${evicted.padStart(6)}  ${keys}`,
      )
    }
  } finally {
    for (const server of servers) await stopChild(server.child)
  }
}

console.log(`${COUNT} x SET of ${VALUE_BYTES}-byte values, pipelined (${BATCH} per write), maxmemory 20mb`)
await measure('noeviction')
await measure('allkeys-lru')
