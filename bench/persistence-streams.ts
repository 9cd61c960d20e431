/**
 * `npm run bench:persistence-streams [-- --entries N]`: saving and loading an RDB snapshot holding one stream of N
 * entries (default 1,000,000; IDs <n>-1, fields `field` and `n`) with a consumer group that has read the first tenth
 * (all pending, one consumer), redsim beside redis-server 7.0.
 *
 * redsim, in this process: the time BGSAVE holds the lock (the capture serializes the stream), the file size and the
 * time to load it into a fresh engine. redis-server: SAVE's time seen by the client, the file size and DEBUG RELOAD's
 * time (a save plus a load). Prints figures; asserts nothing.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Engine } from '../src/engine/engine.ts'
import { RedisStream, streamId } from '../src/keyspace/types/stream.ts'
import { captureSnapshot, serializeCapture } from '../src/persistence/rdb-file.ts'
import { LocalConnection } from '../src/server/local-connection.ts'
import { encodeCommand, RawClient } from '../test/differential/raw-client.ts'
import {
  answersPing,
  freePort,
  REDIS_SERVER,
  redisServerAvailable,
  stopChild,
} from '../test/differential/redis-process.ts'

const entriesArg = process.argv.indexOf('--entries')
const ENTRIES = entriesArg > 0 ? Number(process.argv[entriesArg + 1]) : 1_000_000
const PENDING = Math.floor(ENTRIES / 10)

async function slowCall(client: RawClient, ...args: string[]): Promise<string> {
  client.send(encodeCommand(args))
  return (await client.readReply(300_000)).toString('latin1')
}

function ms(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

async function benchRedsim(dir: string): Promise<void> {
  const engine = new Engine({ logger: () => {}, config: { save: '' } })
  engine.direct((keyspace) => {
    const stream = new RedisStream()
    for (let i = 1; i <= ENTRIES; i++) {
      const value = `value${i}`
      const n = String(i)
      stream.append(streamId(BigInt(i), 1n), ['field', value, 'n', n], 6 + value.length + n.length)
    }
    keyspace.db(0).set('stream', stream)
  })
  const conn = new LocalConnection(engine)
  await conn.call('XGROUP', 'CREATE', 'stream', 'group', '0')
  await conn.call('XREADGROUP', 'GROUP', 'group', 'consumer', 'COUNT', String(PENDING), 'STREAMS', 'stream', '>')
  let start = process.hrtime.bigint()
  const capture = engine.direct((keyspace) =>
    captureSnapshot(keyspace, { compress: true, checksum: true, now: Date.now(), usedMemory: 0, saveLruIdle: false }),
  )
  const captureMs = ms(start)
  const file = Buffer.concat([...serializeCapture(capture)])
  writeFileSync(join(dir, 'redsim.rdb'), file)
  start = process.hrtime.bigint()
  const loaded = new Engine({ logger: () => {}, config: { save: '' }, rdb: file })
  const loadMs = ms(start)
  const length = await new LocalConnection(loaded).call('XLEN', 'stream')
  if (length !== ENTRIES) throw new Error(`redsim loaded ${String(length)} entries`)
  console.log(`redsim        BGSAVE holds the lock ${captureMs.toFixed(0)} ms (capture); file ${mb(file.length)}`)
  console.log(`              load ${loadMs.toFixed(0)} ms`)
}

async function benchRedis(dir: string): Promise<void> {
  const port = await freePort()
  const args = ['--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no']
  args.push('--enable-debug-command', 'yes')
  const child = spawn(REDIS_SERVER, args, { stdio: 'ignore' })
  if (!(await answersPing(port, () => child.exitCode !== null))) throw new Error('redis-server did not start')
  const client = await RawClient.connect(port)
  try {
    const fill =
      "for i = 1, tonumber(ARGV[1]) do redis.call('XADD', KEYS[1], i .. '-1', 'field', 'value' .. i, 'n', tostring(i)) end"
    await slowCall(client, 'EVAL', fill, '1', 'stream', String(ENTRIES))
    await client.call('XGROUP', 'CREATE', 'stream', 'group', '0')
    await slowCall(
      client,
      'XREADGROUP',
      'GROUP',
      'group',
      'consumer',
      'COUNT',
      String(PENDING),
      'STREAMS',
      'stream',
      '>',
    )
    let start = process.hrtime.bigint()
    await slowCall(client, 'SAVE')
    const saveMs = ms(start)
    const size = spawnSync('stat', ['-c', '%s', join(dir, 'dump.rdb')], { encoding: 'utf8' }).stdout.trim()
    start = process.hrtime.bigint()
    await slowCall(client, 'DEBUG', 'RELOAD')
    const reloadMs = ms(start)
    console.log(`redis-server  SAVE ${saveMs.toFixed(0)} ms; file ${mb(Number(size))}`)
    console.log(`              DEBUG RELOAD (save + load) ${reloadMs.toFixed(0)} ms`)
  } finally {
    client.close()
    await stopChild(child)
  }
}

const dir = mkdtempSync(join(tmpdir(), 'redsim-bench-streams-'))
try {
  console.log(
    `one stream of ${ENTRIES.toLocaleString('en')} entries (2 fields), a group with ${PENDING.toLocaleString('en')} pending`,
  )
  await benchRedsim(dir)
  if (redisServerAvailable()) await benchRedis(dir)
  else console.log('redis-server not installed: no comparison')
  const check = spawnSync('redis-check-rdb', [join(dir, 'redsim.rdb')], { encoding: 'utf8' })
  if (check.status === 0) {
    console.log(`redis-check-rdb on redsim's file: ${/RDB looks OK/.test(check.stdout) ? 'OK' : check.stdout}`)
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
