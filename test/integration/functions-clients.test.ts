/**
 * Functions through the two client libraries' own helpers over TCP: ioredis (`function('LOAD', ...)`, `fcall`,
 * `fcall_ro`) and node-redis (`functionLoad`, `fCall`, `fCallRo`, `functionList`, `functionDump` and
 * `functionRestore`). INTEGRATION_REDIS_PORT=N runs them against a redis-server instead.
 */
import { Redis } from 'ioredis'
import { createClient, RESP_TYPES } from 'redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { memoryLogger } from '../../src/engine/logger.ts'
import { createServer, type RedsimServer } from '../../src/server/tcp-server.ts'

let server: RedsimServer | undefined
let port = 0

beforeAll(async () => {
  if (process.env.INTEGRATION_REDIS_PORT) {
    port = Number(process.env.INTEGRATION_REDIS_PORT)
  } else {
    server = await createServer({ port: 0, logger: memoryLogger() })
    port = server.port
  }
})

afterAll(async () => {
  await server?.close()
})

const BANK = [
  '#!lua name=bank',
  'local function transfer(keys, args)',
  '  local amount = tonumber(args[1])',
  "  local from = tonumber(redis.call('GET', keys[1]) or '0')",
  "  if from < amount then return redis.error_reply('insufficient funds') end",
  "  redis.call('DECRBY', keys[1], amount)",
  "  return redis.call('INCRBY', keys[2], amount)",
  'end',
  "redis.register_function('transfer', transfer)",
  "redis.register_function{function_name='balance', callback=function(keys) return tonumber(redis.call('GET', keys[1]) or '0') end, flags={'no-writes'}}",
].join('\n')

describe('ioredis', () => {
  it('loads a library and calls its functions with fcall / fcall_ro', async () => {
    const redis = new Redis({ port, lazyConnect: true })
    await redis.connect()
    try {
      await redis.function('FLUSH')
      expect(await redis.function('LOAD', BANK)).toBe('bank')
      await redis.set('io:a', '10')
      expect(await redis.fcall('transfer', 2, 'io:a', 'io:b', 4)).toBe(4)
      expect(await redis.fcall_ro('balance', 1, 'io:a')).toBe(6)
      await expect(redis.fcall('transfer', 2, 'io:a', 'io:b', 40)).rejects.toThrow('insufficient funds')
      await expect(redis.fcall_ro('transfer', 2, 'io:a', 'io:b', 1)).rejects.toThrow(
        'Can not execute a script with write flag using *_ro command.',
      )
      const results = await redis.multi().fcall('transfer', 2, 'io:a', 'io:b', 1).fcall_ro('balance', 1, 'io:b').exec()
      expect(results).toEqual([
        [null, 5],
        [null, 5],
      ])
    } finally {
      redis.disconnect()
    }
  })
})

describe('node-redis', () => {
  it('loads, lists, calls, dumps and restores with its function helpers', async () => {
    const client = createClient({ url: `redis://127.0.0.1:${port}` })
    await client.connect()
    try {
      await client.functionFlush()
      expect(await client.functionLoad(BANK)).toBe('bank')
      await client.set('nr:a', '10')
      expect(await client.fCall('transfer', { keys: ['nr:a', 'nr:b'], arguments: ['3'] })).toBe(3)
      expect(await client.fCallRo('balance', { keys: ['nr:a'] })).toBe(7)
      const listed = (await client.functionList()) as unknown as Array<{ library_name: string; engine: string }>
      expect(listed.map((l) => [l.library_name, l.engine])).toEqual([['bank', 'LUA']])
      const dumped = await client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).functionDump()
      await client.functionFlush()
      await expect(client.fCall('transfer', { keys: ['nr:a', 'nr:b'], arguments: ['1'] })).rejects.toThrow(
        'Function not found',
      )
      expect(await client.functionRestore(dumped as unknown as Buffer)).toBe('OK')
      expect(await client.fCall('transfer', { keys: ['nr:a', 'nr:b'], arguments: ['1'] })).toBe(4)
    } finally {
      client.destroy()
    }
  })
})
