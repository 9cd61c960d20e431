import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import seedrandom from 'seedrandom'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type HistoryReply, type OperationInput, toHistoryReply } from '../../sim/linearizability/history.ts'
import type { KeyspaceState } from '../../sim/model/keyspace-state.ts'
import { redisModel } from '../../sim/model/redis-model.ts'
import { replyMatches } from '../../sim/model/reply.ts'

/**
 * The model against a real redis-server 7.0: the same command sequences (hand-picked edge cases, then seeded random
 * ones over a few colliding keys) and the real fixture scripts (fixtures/scripts/*.lua run by EVAL) must give the
 * same replies. Command errors must match byte for byte; script errors by their code (Redis decorates them).
 */

const hasRedis = spawnSync('redis-server', ['--version']).status === 0
if (!hasRedis) {
  if (process.env.CI) throw new Error('redis-server is required in CI for the model differential tests')
  console.warn('\n*** redis-server not installed: SKIPPING the model differential tests ***\n')
}

const SCRIPTS_DIR = fileURLToPath(new URL('../../fixtures/scripts/', import.meta.url))
const scriptSources = new Map(
  readdirSync(SCRIPTS_DIR)
    .filter((f) => f.endsWith('.lua'))
    .map((f) => [basename(f, '.lua'), readFileSync(join(SCRIPTS_DIR, f), 'utf8')]),
)

describe.skipIf(!hasRedis)('the model agrees with redis-server', () => {
  const socket = `/tmp/redsim-model-diff-${process.pid}.sock`
  let server: ChildProcess
  let redis: Redis

  beforeAll(async () => {
    server = spawn('redis-server', ['--port', '0', '--unixsocket', socket, '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    })
    for (let attempt = 0; !existsSync(socket); attempt++) {
      if (attempt > 100) throw new Error(`redis-server did not open ${socket}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    redis = new Redis({ path: socket })
  })

  afterAll(async () => {
    redis?.disconnect()
    server?.kill()
  })

  async function real(input: OperationInput): Promise<HistoryReply> {
    try {
      if ('script' in input) {
        const source = scriptSources.get(input.script)!
        return toHistoryReply(await redis.call('EVAL', source, input.keys.length, ...input.keys, ...input.args))
      }
      if ('multi' in input) {
        await redis.call('MULTI')
        for (const argv of input.multi) await redis.call(argv[0], ...argv.slice(1))
        return toHistoryReply(await redis.call('EXEC'))
      }
      if ('argv' in input) return toHistoryReply(await redis.call(input.argv[0], ...input.argv.slice(1)))
      throw new Error('clock operations have no server counterpart')
    } catch (error) {
      return { error: (error as Error).message }
    }
  }

  /**
   * Runs the inputs on both sides from an empty database; returns the mismatches (empty when they agree). Script
   * replies are compared by error code only, unless `exact`: then every reply byte for byte.
   */
  async function compare(inputs: OperationInput[], exact = false): Promise<string[]> {
    await redis.call('FLUSHALL')
    const model = redisModel()
    let state: KeyspaceState = model.init()
    const mismatches: string[] = []
    for (const input of inputs) {
      const expected = await real(input)
      const { reply, state: next } = model.run(state, input)
      state = next
      const scriptish = 'script' in input && !exact
      const same = scriptish ? replyMatches(reply, expected) : JSON.stringify(reply) === JSON.stringify(expected)
      if (!same)
        mismatches.push(`${JSON.stringify(input)}: model ${JSON.stringify(reply)}, redis ${JSON.stringify(expected)}`)
    }
    return mismatches
  }

  const c = (...argv: string[]): OperationInput => ({ argv })
  const s = (script: string, keys: string[], ...args: string[]): OperationInput => ({ script, keys, args })

  it('every fixture script has a model spec', () => {
    const model = redisModel()
    for (const name of scriptSources.keys()) {
      expect(() => model.keys!(s(name, ['k']))).not.toThrow()
      expect(() => model.run(model.init(), s(name, ['k'], '1', '1', '1', 'x'))).not.toThrow()
    }
  })

  it('edge cases of the modelled commands', async () => {
    expect(
      await compare([
        c('SET', 'k', 'v', 'NX', 'GET'),
        c('SET', 'k', 'v2', 'XX', 'GET', 'PX', '100000'),
        c('SET', 'k', 'v3', 'EX', '0'),
        c('SET', 'k', 'v3', 'EX', 'x'),
        c('SET', 'k', 'v3', 'NX', 'XX'),
        c('SET', 'k', 'v3', 'KEEPTTL', 'EX', '5'),
        c('SET', 'k'),
        c('INCR', 'k'),
        c('SET', 'n', '9223372036854775806'),
        c('INCR', 'n'),
        c('INCR', 'n'),
        c('DECRBY', 'n', '-9223372036854775808'),
        c('INCRBY', 'n', 'abc'),
        c('SET', 'm', '-0'),
        c('INCR', 'm'),
        c('RPUSH', 'l', 'a', 'b', 'c'),
        c('GET', 'l'),
        c('SET', 'l', 'x', 'GET'),
        c('LRANGE', 'l', '-100', '100'),
        c('LRANGE', 'l', '2', '1'),
        c('LPOP', 'l', '0'),
        c('LPOP', 'l', '-1'),
        c('RPOP', 'l', '5'),
        c('LPOP', 'l', '2'),
        c('EXISTS', 'l', 'l', 'k'),
        c('MSET', 'a', '1', 'b'),
        c('MSETNX', 'a', '1', 'b', '2'),
        c('MGET', 'a', 'b', 'l', 'k'),
        c('ZADD', 'z', 'NX', 'XX', '1', 'a'),
        c('ZADD', 'z', '1', 'a', '2'),
        c('ZADD', 'z', 'nan', 'a'),
        c('ZADD', 'z', 'CH', '1', 'a', '2', 'b', '-inf', 'c'),
        c('ZADD', 'z', 'CH', '1', 'a', '3', 'b'),
        c('ZRANGE', 'z', '0', '-1'),
        c('ZCOUNT', 'z', '(1', '+inf'),
        c('ZREMRANGEBYSCORE', 'z', '(-inf', '1'),
        c('ZREMRANGEBYSCORE', 'z', 'a', '1'),
        c('ZCARD', 'z'),
        c('PEXPIRE', 'z', 'x'),
        c('PEXPIRE', 'z', '100000'),
        c('PEXPIRE', 'nope', '100000'),
        c('PERSIST', 'z'),
        c('PTTL', 'z'),
        c('PEXPIRE', 'z', '-1'),
        c('EXISTS', 'z'),
        c('TYPE', 'k'),
        c('TYPE', 'nope'),
        c('APPEND', 'k', 'xyz'),
        c('STRLEN', 'k'),
        c('GETDEL', 'k'),
        c('GETSET', 'k', '1'),
        {
          multi: [
            ['INCR', 'k'],
            ['LPUSH', 'k', 'x'],
            ['GET', 'k'],
          ],
        },
      ]),
    ).toEqual([])
  })

  it('edge cases of the fixture scripts', async () => {
    expect(
      await compare([
        s('counter', ['c'], '1'),
        s('counter', ['c'], '-5'),
        s('counter', ['c'], '2.5'),
        s('counter', ['c'], 'x'),
        s('counter', ['l'], '1'),
        c('RPUSH', 'l', 'x'),
        s('counter', ['l'], '1'),
        s('cas', ['k'], 'x', 'a'),
        s('cas', ['k'], '', 'a'),
        s('cas', ['k'], 'a', ''),
        s('cas', ['k'], '', 'b'),
        s('cas', ['l'], '', 'b'),
        c('MSET', 'b0', '100', 'b1', '100'),
        s('transfer', ['b0', 'b1'], '30'),
        s('transfer', ['b0', 'b1'], '71'),
        s('transfer', ['b0', 'b0'], '1'),
        s('transfer', ['b0', 'b2'], 'x'),
        s('transfer', ['b0', 'l'], '1'),
        c('SET', 'b3', 'u1.0.0'),
        s('transfer', ['b3', 'b0'], '1'),
        s('transfer', ['b1', 'b2'], '-5'),
        c('MGET', 'b0', 'b1', 'b2'),
        s('lock', ['lock'], 'acquire', 'c1'),
        s('lock', ['lock'], 'acquire', 'c2'),
        s('lock', ['lock'], 'release', 'c2'),
        s('lock', ['lock'], 'release', 'c1'),
        s('lock', ['lock'], 'release', 'c1'),
        s('lock', ['l'], 'acquire', 'c1'),
        s('rate-limiter', ['w'], '1000', '100', '2', 'r1'),
        s('rate-limiter', ['w'], '1001', '100', '2', 'r2'),
        s('rate-limiter', ['w'], '1050', '100', '2', 'r3'),
        s('rate-limiter', ['w'], '1101', '100', '2', 'r4'),
        s('rate-limiter', ['w'], 'x', '100', '2', 'r5'),
        s('rate-limiter', ['w'], '1200', '100', 'x', 'r6'),
        c('ZRANGE', 'w', '0', '-1'),
        s('list-append', ['la'], 'u1'),
        s('list-append', ['la'], 'u2'),
        s('list-append', ['k'], 'u3'),
        c('SET', 'tr', 'v'),
        s('ttl-read', ['tr']),
        s('ttl-read', ['absent']),
        s('ttl-read', ['la']),
      ]),
    ).toEqual([])
  })

  it('error paths of scripts and transactions, error texts byte for byte', async () => {
    const STATEMENTS = ['set', 'incr', 'push', 'get', 'pcall', 'rpcall', 'xpcall', 'multi', 'arity']
    expect(
      await compare(
        [
          s('guarded-incr', ['k'], 'u1'),
          s('guarded-incr', ['k', 'g'], 'u1'),
          c('SET', 'w', 'word'),
          s('guarded-incr', ['w', 'g'], 'u2'),
          c('RPUSH', 'l', 'a'),
          s('guarded-incr', ['l', 'g'], 'u3'),
          s('guarded-incr', ['k', 'w'], 'u4'),
          c('GET', 'k'),
          s('append-or-raise', ['a'], 'v0', '5'),
          s('append-or-raise', ['a'], 'v1', '3'),
          c('GET', 'a'),
          s('append-or-raise', ['l'], 'v0', '9'),
          s('append-or-raise', ['a'], 'v0', 'x'),
          s('append-or-raise', ['a'], 'v0', '100'),
          s('steps', ['s', 'g'], 'u5', ...STATEMENTS),
          s('steps', ['s', 'g'], 'u6', 'incr'),
          s('steps', ['n', 'g'], 'u7', 'incr', 'pcall', 'rpcall', 'xpcall', 'get', 'multi', 'arity'),
          s('steps', ['l', 'g'], 'u8', 'get'),
          s('steps', ['l', 'g'], 'u8', 'pcall', 'rpcall', 'xpcall', 'push', 'incr', 'push'),
          s('steps', ['n', 'g'], 'u9', 'push', 'eval', 'push'),
          s('steps', ['n', 'g'], 'u10', 'set', 'unknown', 'set'),
          s('steps', ['n', 'g'], 'u11', 'push', 'raise', 'push'),
          s('steps', ['n', 'w'], 'u12', 'set', 'push'),
          s('steps', ['absent', 'g'], 'u13', 'get', 'xpcall', 'nonsense'),
          c('LRANGE', 'g', '0', '-1'),
          c('MGET', 'n', 's', 'k'),
          {
            multi: [
              ['SET', 'm', 'x'],
              ['INCR', 'm'],
              ['RPUSH', 'm', 'y'],
              ['APPEND', 'm', 'y'],
              ['INCR', 'l'],
              ['GET', 'm'],
            ],
          },
          {
            multi: [
              ['ZADD', 'z', '1', 'a'],
              ['GET', 'z'],
              ['INCR', 'z'],
              ['ZCARD', 'z'],
            ],
          },
        ],
        true,
      ),
    ).toEqual([])
  })

  it('seeded random sequences over colliding keys', async () => {
    const random = seedrandom('model-differential')
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]
    const key = () => pick(['k0', 'k1', 'k2', 'l0', 'z0'])
    const value = () => pick(['0', '1', '7', '-3', '10', 'x', '', 'u1.2.3', '9223372036854775807'])
    const makers: Array<() => OperationInput> = [
      () => c('GET', key()),
      () => c('SET', key(), value(), ...pick([[], ['NX'], ['XX'], ['GET'], ['NX', 'GET'], ['PX', '100000']])),
      () => c('INCR', key()),
      () => c('INCRBY', key(), value()),
      () => c('DECR', key()),
      () => c('DEL', key(), key()),
      () => c('EXISTS', key(), key()),
      () => c('APPEND', key(), value()),
      () => c('STRLEN', key()),
      () => c('SETNX', key(), value()),
      () => c('GETSET', key(), value()),
      () => c('GETDEL', key()),
      () => c('MGET', key(), key()),
      () => c('MSET', key(), value(), key(), value()),
      () => c('RPUSH', key(), value(), value()),
      () => c('LPUSH', key(), value()),
      () => c('LRANGE', key(), pick(['0', '-1', '1', '-5']), pick(['0', '-1', '2', '10'])),
      () => c('LLEN', key()),
      () => c('LPOP', key()),
      () => c('RPOP', key(), pick(['1', '2'])),
      () => c('ZADD', key(), value(), pick(['a', 'b', 'c'])),
      () => c('ZREMRANGEBYSCORE', key(), pick(['-inf', '0', '(1']), pick(['+inf', '5', '(7'])),
      () => c('ZCARD', key()),
      () => c('ZRANGE', key(), '0', '-1'),
      () => c('PEXPIRE', key(), pick(['100000', '0', 'x'])),
      () => c('PERSIST', key()),
      () => c('TYPE', key()),
      () => s('counter', [key()], pick(['1', '2', 'x'])),
      () => s('cas', [key()], value(), value()),
      () => s('transfer', [key(), key()], pick(['1', '5', '200', 'x'])),
      () => s('lock', [key()], pick(['acquire', 'release']), pick(['c1', 'c2'])),
      () => s('rate-limiter', [key()], pick(['1000', '1050', '1200']), '100', '2', value()),
      () => s('list-append', [key()], value()),
      () => s('guarded-incr', [key(), key()], value()),
      () => s('append-or-raise', [key()], value(), pick(['0', '3', '12', 'x'])),
      () => {
        const statements = ['set', 'incr', 'push', 'get', 'pcall', 'rpcall', 'xpcall', 'eval', 'multi', 'unknown']
        const more = ['arity', 'raise']
        const program = Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick([...statements, ...more]))
        return s('steps', [key(), key()], value(), ...program)
      },
      () => ({ multi: [makers[Math.floor(random() * 20)]() as { argv: string[] }].map((i) => i.argv) }),
      () => ({
        multi: Array.from({ length: 2 + Math.floor(random() * 3) }, () => makers[Math.floor(random() * 20)]()).map(
          (i) => (i as { argv: string[] }).argv,
        ),
      }),
    ]
    for (let round = 0; round < 5; round++) {
      const inputs = Array.from({ length: 150 }, () => pick(makers)())
      expect(await compare(inputs)).toEqual([])
    }
  })
})
