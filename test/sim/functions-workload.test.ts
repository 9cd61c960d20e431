/**
 * The functions workload's pieces: the library built from fixture scripts loads in redis-server and redsim alike,
 * each of its functions replies as the model's specification of the script it wraps (the same replies from
 * redis-server, errors by their code as for scripts), and the model answers FUNCTION LOAD with the library's name.
 */
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { functionLibraryCode } from '../../sim/function-library.ts'
import { type HistoryReply, type OperationInput, toHistoryReply } from '../../sim/linearizability/history.ts'
import type { KeyspaceState } from '../../sim/model/keyspace-state.ts'
import { redisModel } from '../../sim/model/redis-model.ts'
import { replyMatches } from '../../sim/model/reply.ts'
import { fixtureScripts } from '../../sim/workloads.ts'
import { type RedisProcess, redisServerAvailable, startRedis } from '../differential/redis-process.ts'

const library = (): string =>
  functionLibraryCode(
    'fixtures',
    ['counter', 'transfer'].map((name) => fixtureScripts().get(name)!),
  )

describe('the fixture function library', () => {
  it('wraps each script as a function of the same name taking KEYS and ARGV', () => {
    const code = library()
    expect(code.startsWith('#!lua name=fixtures\n')).toBe(true)
    expect(code).toContain("redis.register_function('counter', function(KEYS, ARGV)\n-- Read-modify-write counter")
    expect(code).toContain("redis.register_function('transfer', function(KEYS, ARGV)\n")
  })

  it('the model answers FUNCTION LOAD with the library name and refuses other FUNCTION subcommands', () => {
    const model = redisModel()
    expect(model.run(model.init(), { argv: ['FUNCTION', 'LOAD', 'REPLACE', library()] }).reply).toBe('fixtures')
    expect(() => model.run(model.init(), { argv: ['FUNCTION', 'FLUSH'] })).toThrow(/not modelled/)
    expect(model.keys?.({ argv: ['FCALL', 'transfer', '2', 'a', 'b', '5'] })).toEqual(['a', 'b'])
  })
})

describe.skipIf(!redisServerAvailable())('the model of FCALL agrees with redis-server', () => {
  let server: RedisProcess
  let redis: Redis

  beforeAll(async () => {
    server = await startRedis()
    redis = new Redis({ port: server.port })
  })

  afterAll(async () => {
    redis?.disconnect()
    await server?.stop()
  })

  async function real(argv: string[]): Promise<HistoryReply> {
    try {
      return toHistoryReply(await redis.call(argv[0], ...argv.slice(1)))
    } catch (error) {
      return { error: (error as Error).message }
    }
  }

  it('for the counter and transfer functions, their failures and FCALL errors', async () => {
    await redis.call('FLUSHALL')
    await redis.call('FUNCTION', 'FLUSH')
    const inputs: string[][] = [
      ['FUNCTION', 'LOAD', 'REPLACE', library()],
      ['FCALL', 'counter', '1', 'c', '1'],
      ['FCALL', 'counter', '1', 'c', '5'],
      ['FCALL', 'counter', '1', 'c', 'x'],
      ['SET', 'c', 'text'],
      ['FCALL', 'counter', '1', 'c', '1'],
      ['SET', 'a', '100'],
      ['FCALL', 'transfer', '2', 'a', 'b', '30'],
      ['FCALL', 'transfer', '2', 'a', 'b', '300'],
      ['FCALL', 'transfer', '2', 'a', 'a', '1'],
      ['FCALL', 'transfer', '2', 'a', 'b', 'x'],
      ['SET', 'b', 'text'],
      ['FCALL', 'transfer', '2', 'a', 'b', '1'],
      ['MGET', 'a', 'b'],
      ['FCALL', 'nosuch', '0'],
      ['FCALL', 'counter', '-1'],
      ['FCALL_RO', 'counter', '1', 'c', '1'],
    ]
    const model = redisModel()
    let state: KeyspaceState = model.init()
    const mismatches: string[] = []
    for (const argv of inputs) {
      const input: OperationInput = { argv }
      const expected = await real(argv)
      const { reply, state: next } = model.run(state, input)
      state = next
      if (!replyMatches(reply, expected)) {
        mismatches.push(
          `${argv.slice(0, 3).join(' ')}: model ${JSON.stringify(reply)}, redis ${JSON.stringify(expected)}`,
        )
      }
    }
    expect(mismatches).toEqual([])
  })
})
