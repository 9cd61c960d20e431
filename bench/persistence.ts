/**
 * `npm run bench:persistence [-- --keys N]`: saving and loading an RDB snapshot of N string keys (default 1,000,000,
 * `key:<n>` -> 16 bytes, as redis-server's DEBUG POPULATE N key 16 makes them), redsim beside redis-server 7.0.
 *
 * redsim, in this process: the time BGSAVE holds the lock (serializing the keyspace), the time to write the file
 * (temp file, fsync, rename), the file size, the time to load it into a fresh engine, and the heap used by the
 * dataset. redis-server: SAVE's time seen by the client, the file size, the load time it logs at start, and its
 * used_memory. Prints figures; asserts nothing.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Engine } from '../src/engine/engine.ts'
import { FileSnapshotStore } from '../src/persistence/file-store.ts'
import { captureSnapshot, serializeCapture } from '../src/persistence/rdb-file.ts'
import { encodeCommand, RawClient } from '../test/differential/raw-client.ts'
import {
  answersPing,
  freePort,
  REDIS_SERVER,
  redisServerAvailable,
  stopChild,
} from '../test/differential/redis-process.ts'

const keysArg = process.argv.indexOf('--keys')
const KEYS = keysArg > 0 ? Number(process.argv[keysArg + 1]) : 1_000_000

/** A command whose reply may take long (DEBUG POPULATE, SAVE of a million keys): two minutes. */
async function slowCall(client: RawClient, ...args: string[]): Promise<string> {
  client.send(encodeCommand(args))
  return (await client.readReply(120_000)).toString('latin1')
}

function ms(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

function gc(): void {
  ;(globalThis as { gc?: () => void }).gc?.()
}

async function benchRedsim(dir: string): Promise<void> {
  gc()
  const heapBefore = process.memoryUsage().heapUsed
  const engine = new Engine({ logger: () => {}, config: { save: '', dir } })
  engine.direct((keyspace) => {
    const db = keyspace.db(0)
    for (let i = 0; i < KEYS; i++) {
      const value = Buffer.alloc(16)
      value.write(`value:${i}`, 'latin1')
      db.set(`key:${i}`, value)
    }
  })
  gc()
  const heapData = process.memoryUsage().heapUsed - heapBefore
  let start = process.hrtime.bigint()
  // What BGSAVE does under the lock: the capture. Serializing and writing happen in the background.
  const capture = engine.direct((keyspace) =>
    captureSnapshot(keyspace, { compress: true, checksum: true, now: Date.now(), usedMemory: 0, saveLruIdle: false }),
  )
  const captureMs = ms(start)
  const chunks = { [Symbol.iterator]: () => serializeCapture(capture) }
  const store = new FileSnapshotStore(() => ({ dir, dbfilename: 'redsim.rdb' }))
  start = process.hrtime.bigint()
  await store.write(chunks, () => false)
  const writeMs = ms(start)
  const size = statSync(join(dir, 'redsim.rdb')).size
  const file = readFileSync(join(dir, 'redsim.rdb'))
  gc()
  const heapBeforeLoad = process.memoryUsage().heapUsed
  start = process.hrtime.bigint()
  const loaded = new Engine({ logger: () => {}, config: { save: '' }, rdb: file })
  const loadMs = ms(start)
  gc()
  const heapLoaded = process.memoryUsage().heapUsed - heapBeforeLoad
  if (loaded.keyspace.db(0).size !== KEYS) throw new Error('redsim loaded the wrong number of keys')
  console.log(
    `redsim        BGSAVE holds the lock ${captureMs.toFixed(0)} ms (capture); serializes and writes in the background ${writeMs.toFixed(0)} ms`,
  )
  console.log(
    `              file ${mb(size)}; load ${loadMs.toFixed(0)} ms; heap for the dataset ${mb(heapData)} (after load ${mb(heapLoaded)})`,
  )
}

async function benchRedis(dir: string): Promise<void> {
  const port = await freePort()
  const args = [
    '--port',
    String(port),
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
    '--enable-debug-command',
    'yes',
  ]
  let child = spawn(REDIS_SERVER, args, { stdio: 'ignore' })
  if (!(await answersPing(port, () => child.exitCode !== null))) throw new Error('redis-server did not start')
  let client = await RawClient.connect(port)
  await slowCall(client, 'DEBUG', 'POPULATE', String(KEYS), 'key', '16')
  const memory = /used_memory:(\d+)/.exec(await client.call('INFO', 'memory'))
  let start = process.hrtime.bigint()
  await slowCall(client, 'SAVE')
  const saveMs = ms(start)
  start = process.hrtime.bigint()
  const reply = await client.call('BGSAVE')
  if (!reply.startsWith('+')) throw new Error(reply)
  for (;;) {
    const info = await client.call('INFO', 'persistence')
    if (info.includes('rdb_bgsave_in_progress:0')) break
    await new Promise((r) => setTimeout(r, 5))
  }
  const bgsaveMs = ms(start)
  const size = statSync(join(dir, 'dump.rdb')).size
  client.close()
  await stopChild(child)
  // Restarted on the same directory: the load time is in its log.
  const log: string[] = []
  child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'ignore'] })
  child.stdout?.on('data', (d: Buffer) => log.push(d.toString()))
  if (!(await answersPing(port, () => child.exitCode !== null))) throw new Error('redis-server did not restart')
  client = await RawClient.connect(port)
  const loaded = /DB loaded from disk: ([\d.]+) seconds/.exec(log.join(''))
  client.close()
  await stopChild(child)
  console.log(`redis-server  SAVE ${saveMs.toFixed(0)} ms; BGSAVE (fork + child) ${bgsaveMs.toFixed(0)} ms`)
  console.log(
    `              file ${mb(size)}; load ${loaded ? (Number(loaded[1]) * 1000).toFixed(0) : '?'} ms; used_memory ${memory ? mb(Number(memory[1])) : '?'}`,
  )
}

const dir = mkdtempSync(join(tmpdir(), 'redsim-bench-persistence-'))
try {
  console.log(`${KEYS.toLocaleString('en')} string keys (key:<n> -> 16 bytes)`)
  await benchRedsim(dir)
  if (redisServerAvailable()) await benchRedis(dir)
  else console.log('redis-server not installed: no comparison')
  const check = spawnSync('redis-check-rdb', [join(dir, 'redsim.rdb')], { encoding: 'utf8' })
  if (check.status === 0)
    console.log(`redis-check-rdb on redsim's file: ${/RDB looks OK/.test(check.stdout) ? 'OK' : check.stdout}`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
