/**
 * RDB files and DUMP payloads between redsim and redis-server 7.0, both ways: a file redsim writes passes
 * redis-check-rdb and loads in redis-server with the same keys, values, TTLs and encodings; a file redis-server
 * writes (each encoding forced through its thresholds) loads in redsim with the same; and a DUMP payload from either
 * RESTOREs in the other.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { encodeSnapshot } from '../../src/persistence/rdb-file.ts'
import { type TestEngine, testEngine } from '../helpers.ts'
import { arrayElements } from './harness.ts'
import type { Arg } from './raw-client.ts'
import { RawClient } from './raw-client.ts'
import { answersPing, freePort, REDIS_SERVER, redisServerAvailable, stopChild } from './redis-process.ts'

const available = redisServerAvailable()
if (!available && process.env.CI) {
  describe('persistence against redis-server', () => {
    it('needs redis-server (CI is set, so its absence is a failure)', () => {
      throw new Error(`${REDIS_SERVER} is not installed`)
    })
  })
}

interface Redis {
  client: RawClient
  child: ChildProcess
  dir: string
  stop(): Promise<void>
}

/** redis-server on a free port with `--dir dir` (loading its dump.rdb if there is one) and extra settings. */
async function startRedisIn(dir: string, settings: string[] = []): Promise<Redis> {
  const port = await freePort()
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'no']
  args.push('--enable-debug-command', 'yes')
  for (let i = 0; i < settings.length; i += 2) args.push(`--${settings[i]}`, settings[i + 1])
  const child = spawn(REDIS_SERVER, args, { stdio: 'ignore' })
  let exited = false
  child.once('exit', () => {
    exited = true
  })
  if (!(await answersPing(port, () => exited))) throw new Error(`redis-server did not start in ${dir}`)
  const client = await RawClient.connect(port)
  return {
    client,
    child,
    dir,
    async stop() {
      client.close()
      await stopChild(child)
    },
  }
}

type Kind = 'string' | 'list' | 'hash' | 'set' | 'zset'

/** The read commands that show a key's whole state: type, encoding and contents (order-free for sets and hashes). */
function reads(key: string, kind: Kind): Arg[][] {
  const contents: Record<Kind, Arg[]> = {
    string: ['GET', key],
    list: ['LRANGE', key, '0', '-1'],
    hash: ['HGETALL', key],
    set: ['SMEMBERS', key],
    zset: ['ZRANGE', key, '0', '-1', 'WITHSCORES'],
  }
  return [['TYPE', key], ['OBJECT', 'ENCODING', key], contents[kind]]
}

/** Replies compared as sets where the order is the hash table's: SMEMBERS of a hashtable set, HGETALL pairs. */
function normalize(command: Arg[], reply: string): string {
  const name = String(command[0])
  if (name !== 'SMEMBERS' && name !== 'HGETALL') return reply
  const elements = arrayElements(Buffer.from(reply, 'latin1'))
  if (!elements) return reply
  if (name === 'SMEMBERS') return elements.sort().join('')
  const pairs: string[] = []
  for (let i = 0; i < elements.length; i += 2) pairs.push(elements[i] + elements[i + 1])
  return pairs.sort().join('')
}

/** Writes keys of every type, each in the encoding the current thresholds give, through `call`. */
async function populate(call: (...args: Arg[]) => Promise<string>): Promise<Array<[string, Kind]>> {
  const keys: Array<[string, Kind]> = []
  const add = async (key: string, kind: Kind, ...commands: Arg[][]) => {
    for (const c of commands) await call(...c)
    keys.push([key, kind])
  }
  await add('s:short', 'string', ['SET', 's:short', 'hello'])
  await add('s:int', 'string', ['SET', 's:int', '-2147483648'])
  await add('s:int64', 'string', ['SET', 's:int64', '-9223372036854775808'])
  await add('s:long', 'string', ['SET', 's:long', 'compressible '.repeat(40)])
  await add('s:binary', 'string', ['SET', 's:binary', Buffer.from([0, 1, 2, 255, 13, 10])])
  await add('s:ttl', 'string', ['SET', 's:ttl', 'v', 'EX', '1000'])
  await add('s:hll', 'string', ['PFADD', 's:hll', 'a', 'b', 'c', 'd'])
  await add('l:small', 'list', ['RPUSH', 'l:small', 'a', '1', '-1', '65536', 'x'.repeat(70)])
  const many = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? String(i * 1000) : `e${i}`))
  await add('l:big', 'list', ['RPUSH', 'l:big', ...many])
  await add('h:small', 'hash', ['HSET', 'h:small', 'f', 'v', 'n', '42'])
  await add('h:long', 'hash', ['HSET', 'h:long', 'f', 'v'.repeat(100)])
  await add('h:big', 'hash', ['HSET', 'h:big', ...many.flatMap((e) => [e, `${e}!`])])
  await add('set:int', 'set', ['SADD', 'set:int', '5', '-7', '1000000', '9223372036854775807'])
  await add('set:str', 'set', ['SADD', 'set:str', 'a', 'b', 'c'])
  await add('set:big', 'set', ['SADD', 'set:big', ...Array.from({ length: 600 }, (_, i) => String(i))])
  await add('z:small', 'zset', ['ZADD', 'z:small', '1', 'a', '-2.5', 'b', 'inf', 'c', '-inf', 'd', '1e300', 'e'])
  await add('z:big', 'zset', ['ZADD', 'z:big', ...many.flatMap((e, i) => [String(i / 7), e])])
  await add('z:long', 'zset', ['ZADD', 'z:long', '3', 'm'.repeat(100)])
  await add('ttl:hash', 'hash', ['HSET', 'ttl:hash', 'a', 'b'], ['PEXPIRE', 'ttl:hash', '9000000'])
  return keys
}

/** Every key reads the same on both sides; TTLs agree within a few seconds. */
async function expectSameKeys(
  keys: Array<[string, Kind]>,
  redis: RawClient,
  redsim: (...args: Arg[]) => Promise<string>,
): Promise<void> {
  expect(await redsim('DBSIZE')).toBe(await redis.call('DBSIZE'))
  for (const [key, kind] of keys) {
    for (const command of reads(key, kind)) {
      const theirs = normalize(command, await redis.call(...command))
      const ours = normalize(command, await redsim(...command))
      expect(ours, `${command.join(' ')}`).toBe(theirs)
    }
    const theirTtl = Number((await redis.call('PTTL', key)).slice(1, -2))
    const ourTtl = Number((await redsim('PTTL', key)).slice(1, -2))
    if (theirTtl < 0) expect(ourTtl, `PTTL ${key}`).toBe(theirTtl)
    else expect(Math.abs(ourTtl - theirTtl), `PTTL ${key}`).toBeLessThan(5000)
  }
}

/** Threshold settings that force the large encodings, and ones that keep small aggregates compact. */
const ENCODING_SETTINGS: Record<string, string[]> = {
  defaults: [],
  large: [
    'hash-max-listpack-entries',
    '0',
    'zset-max-listpack-entries',
    '0',
    'set-max-intset-entries',
    '0',
    'list-max-listpack-size',
    '2',
  ],
}

function asConfig(settings: string[]): Record<string, string> {
  const config: Record<string, string> = {}
  for (let i = 0; i < settings.length; i += 2) config[settings[i]] = settings[i + 1]
  return config
}

function realTimeEngine(settings: string[]): TestEngine {
  const t = testEngine({ config: asConfig(settings) })
  t.clock.set(Date.now())
  return t
}

describe.skipIf(!available)('persistence against redis-server', () => {
  const dirs: string[] = []
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'redsim-rdb-'))
    dirs.push(dir)
    return dir
  }
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  for (const [name, settings] of Object.entries(ENCODING_SETTINGS)) {
    it(`a file redsim writes passes redis-check-rdb and loads in redis-server (${name} encodings)`, async () => {
      const t = realTimeEngine(settings)
      const keys = await populate((...args) => t.resp(...args))
      await t.resp('SELECT', '9')
      await t.resp('SET', 'in-db-9', 'nine')
      await t.resp('SELECT', '0')
      const dir = tempDir()
      const file = Buffer.concat(
        encodeSnapshot(t.engine.keyspace, {
          compress: true,
          checksum: true,
          now: Date.now(),
          usedMemory: 0,
          saveLruIdle: false,
        }),
      )
      writeFileSync(join(dir, 'dump.rdb'), file)
      const check = spawnSync('redis-check-rdb', [join(dir, 'dump.rdb')], { encoding: 'utf8' })
      expect(check.stdout).toContain('RDB looks OK!')
      expect(check.stdout).toContain(`${keys.length + 1} keys read`)
      const redis = await startRedisIn(dir, settings)
      // Compared with redsim loading the same file: a loaded string's encoding is what its bytes give (a PFADD or
      // APPEND result was raw before the save, in Redis as in redsim).
      const loaded = realTimeEngine(settings)
      loaded.engine.direct(() => loaded.engine.snapshots.load(file))
      try {
        await expectSameKeys(keys, redis.client, (...args) => loaded.resp(...args))
        expect(await redis.client.call('SELECT', '9')).toBe('+OK\r\n')
        expect(await redis.client.call('GET', 'in-db-9')).toBe('$4\r\nnine\r\n')
      } finally {
        await redis.stop()
      }
    })

    it(`a file redis-server writes loads in redsim (${name} encodings)`, async () => {
      const dir = tempDir()
      const redis = await startRedisIn(dir, ['save', '', ...settings])
      try {
        const keys = await populate((...args) => redis.client.call(...args))
        expect(await redis.client.call('SAVE')).toBe('+OK\r\n')
        // Redis's own view of the loaded file: DEBUG RELOAD saves and loads it in place.
        expect(await redis.client.call('DEBUG', 'RELOAD')).toBe('+OK\r\n')
        const t = realTimeEngine(settings)
        t.engine.direct(() => t.engine.snapshots.load(readFileSync(join(dir, 'dump.rdb'))))
        await expectSameKeys(keys, redis.client, (...args) => t.resp(...args))
      } finally {
        await redis.stop()
      }
    })
  }

  for (const [name, settings] of Object.entries(ENCODING_SETTINGS)) {
    it(`DUMP payloads restore both ways (${name} encodings)`, async () => {
      const redis = await startRedisIn(tempDir(), ['save', '', ...settings])
      try {
        const t = realTimeEngine(settings)
        const keys = await populate((...args) => redis.client.call(...args))
        await populate((...args) => t.resp(...args))
        for (const [key] of keys) {
          // redis-server's payload into redsim, under another name; then redsim's payload back into redis-server.
          const theirs = bulk(await redis.client.call('DUMP', key))
          expect(await t.resp('RESTORE', `from-redis:${key}`, '0', theirs)).toBe('+OK\r\n')
          const ours = bulk(await t.resp('DUMP', key))
          expect(await redis.client.call('RESTORE', `from-redsim:${key}`, '0', ours)).toBe('+OK\r\n')
        }
        for (const [key, kind] of keys) {
          for (const command of reads(key, kind)) {
            const original = normalize(command, await redis.client.call(...command))
            const restoredHere = normalize(command, await t.resp(...swapKey(command, `from-redis:${key}`)))
            const restoredThere = normalize(command, await redis.client.call(...swapKey(command, `from-redsim:${key}`)))
            // TYPE and contents must match the original; OBJECT ENCODING is the one RESTORE gives in Redis.
            if (command[0] !== 'OBJECT') expect(restoredHere, `${command.join(' ')} (from redis)`).toBe(original)
            expect(restoredHere, `${command.join(' ')} (restored here vs there)`).toBe(restoredThere)
          }
        }
      } finally {
        await redis.stop()
      }
    })
  }

  it('function libraries travel in RDB files both ways', async () => {
    const code = "#!lua name=lib1\nredis.register_function('twice', function(keys, args) return args[1] .. args[1] end)"
    const dir = tempDir()
    const redis = await startRedisIn(dir, ['save', ''])
    try {
      expect(await redis.client.call('FUNCTION', 'LOAD', code)).toBe('$4\r\nlib1\r\n')
      expect(await redis.client.call('SAVE')).toBe('+OK\r\n')
    } finally {
      await redis.stop()
    }
    const t = realTimeEngine([])
    t.engine.direct(() => t.engine.snapshots.load(readFileSync(join(dir, 'dump.rdb'))))
    expect(await t.resp('FCALL', 'twice', '0', 'ab')).toBe('$4\r\nabab\r\n')
    const back = tempDir()
    expect(await t.resp('SAVE')).toBe('+OK\r\n')
    writeFileSync(join(back, 'dump.rdb'), t.engine.snapshots.store.read() as Buffer)
    const again = await startRedisIn(back, ['save', ''])
    try {
      expect(await again.client.call('FCALL', 'twice', '0', 'xy')).toBe('$4\r\nxyxy\r\n')
    } finally {
      await again.stop()
    }
  })

  it('RESTORE options and errors answer as redis-server does', async () => {
    const redis = await startRedisIn(tempDir(), ['save', ''])
    try {
      const t = realTimeEngine([])
      await redis.client.call('SET', 'src', 'value')
      const payload = bulk(await redis.client.call('DUMP', 'src'))
      const corrupt = Buffer.from(payload)
      corrupt[2] ^= 0xff
      const badBody = Buffer.from(payload.subarray(0, 1))
      const future = Buffer.from(payload)
      future[future.length - 10] = 11
      const cases: Arg[][] = [
        ['RESTORE', 'k', '0', payload],
        ['RESTORE', 'k', '0', payload],
        ['RESTORE', 'k', '0', payload, 'REPLACE'],
        ['RESTORE', 'k2', '-1', payload],
        ['RESTORE', 'k2', 'x', payload],
        ['RESTORE', 'k2', '0', corrupt],
        ['RESTORE', 'k2', '0', badBody],
        ['RESTORE', 'k2', '0', future],
        ['RESTORE', 'k2', '0', 'short'],
        ['RESTORE', 'k2', '0', payload, 'BOGUS'],
        ['RESTORE', 'k2', '0', payload, 'IDLETIME', '-1'],
        ['RESTORE', 'k2', '0', payload, 'IDLETIME', 'x'],
        ['RESTORE', 'k2', '0', payload, 'FREQ', '256'],
        ['RESTORE', 'k2', '0', payload, 'IDLETIME', '10', 'FREQ', '5'],
        ['RESTORE', 'k2', '0', payload, 'IDLETIME'],
        ['RESTORE', 'k3', '5000', payload, 'IDLETIME', '100'],
        ['OBJECT', 'IDLETIME', 'k3'],
        ['RESTORE', 'k4', '1', payload, 'ABSTTL'],
        ['EXISTS', 'k4'],
        ['RESTORE', 'k', '1', payload, 'ABSTTL', 'REPLACE'],
        ['EXISTS', 'k'],
        ['DUMP', 'missing'],
        ['RESTORE', 'k5', String(Date.now() + 100_000), payload, 'ABSTTL'],
        ['GET', 'k5'],
      ]
      for (const command of cases) {
        const theirs = await redis.client.call(...command)
        const ours = await t.resp(...command)
        expect(ours, command.map(String).join(' ').slice(0, 80)).toBe(theirs)
      }
      const theirTtl = Number((await redis.client.call('PTTL', 'k3')).slice(1, -2))
      const ourTtl = Number((await t.resp('PTTL', 'k3')).slice(1, -2))
      expect(Math.abs(theirTtl - ourTtl)).toBeLessThan(3000)
    } finally {
      await redis.stop()
    }
  })
})

/** The bytes of a bulk string reply. */
function bulk(reply: string): Buffer {
  const lineEnd = reply.indexOf('\r\n')
  const length = Number(reply.slice(1, lineEnd))
  return Buffer.from(reply.slice(lineEnd + 2, lineEnd + 2 + length), 'latin1')
}

function swapKey(command: Arg[], key: string): Arg[] {
  return command.map((arg, i) =>
    (i === command.length - 1 && command[0] === 'OBJECT') || (i === 1 && command[0] !== 'OBJECT') ? key : arg,
  )
}
