/**
 * Stream consumers through the two client libraries over TCP, as job queues use them: workers in one consumer group
 * loop on XREADGROUP BLOCK and XACK while a producer XADDs; every job must be handled exactly once and the pending
 * entries list end empty. ioredis (`xreadgroup`, `xack`) and node-redis (`xReadGroup`, `xAck`, `xInfoGroups`).
 * INTEGRATION_REDIS_PORT=N runs them against a redis-server instead.
 */
import { Redis } from 'ioredis'
import { createClient } from 'redis'
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

const JOBS = 200

describe('stream workers (ioredis)', () => {
  it('three workers with XREADGROUP BLOCK and XACK handle every job exactly once', async () => {
    const admin = new Redis({ port, lazyConnect: true })
    await admin.connect()
    const key = 'ioredis:jobs'
    await admin.del(key)
    await admin.xgroup('CREATE', key, 'workers', '$', 'MKSTREAM')
    const handled: string[] = []
    let stop = false
    const worker = async (name: string) => {
      const conn = new Redis({ port, lazyConnect: true })
      await conn.connect()
      try {
        while (!stop) {
          const reply = (await conn.xreadgroup(
            'GROUP',
            'workers',
            name,
            'COUNT',
            5,
            'BLOCK',
            50,
            'STREAMS',
            key,
            '>',
          )) as Array<[string, Array<[string, string[]]>]> | null
          if (!reply) continue
          for (const [, entries] of reply) {
            for (const [id, fields] of entries) {
              handled.push(fields[1])
              await conn.xack(key, 'workers', id)
            }
          }
        }
      } finally {
        conn.disconnect()
      }
    }
    const workers = ['w1', 'w2', 'w3'].map(worker)
    for (let i = 0; i < JOBS; i++) await admin.xadd(key, '*', 'job', `job-${i}`)
    while (handled.length < JOBS) await new Promise((resolve) => setTimeout(resolve, 10))
    stop = true
    await Promise.all(workers)
    expect(handled.slice().sort()).toEqual(Array.from({ length: JOBS }, (_, i) => `job-${i}`).sort())
    expect(await admin.xpending(key, 'workers')).toEqual([0, null, null, null])
    expect(await admin.xlen(key)).toBe(JOBS)
    admin.disconnect()
  }, 60_000)
})

describe('stream workers (node-redis)', () => {
  it('two workers with xReadGroup BLOCK and xAck handle every job exactly once', async () => {
    const admin = createClient({ socket: { port } })
    await admin.connect()
    const key = 'node-redis:jobs'
    await admin.del(key)
    await admin.xGroupCreate(key, 'workers', '$', { MKSTREAM: true })
    const handled: string[] = []
    let stop = false
    const worker = async (name: string) => {
      const conn = createClient({ socket: { port } })
      await conn.connect()
      try {
        while (!stop) {
          const reply = await conn.xReadGroup('workers', name, { key, id: '>' }, { COUNT: 5, BLOCK: 50 })
          if (!reply) continue
          for (const stream of reply as Array<{ messages: Array<{ id: string; message: Record<string, string> }> }>) {
            for (const { id, message } of stream.messages) {
              handled.push(message.job)
              await conn.xAck(key, 'workers', id)
            }
          }
        }
      } finally {
        await conn.quit()
      }
    }
    const workers = ['a', 'b'].map(worker)
    for (let i = 0; i < JOBS; i++) await admin.xAdd(key, '*', { job: `job-${i}` })
    while (handled.length < JOBS) await new Promise((resolve) => setTimeout(resolve, 10))
    stop = true
    await Promise.all(workers)
    expect(handled.slice().sort()).toEqual(Array.from({ length: JOBS }, (_, i) => `job-${i}`).sort())
    const groups = (await admin.xInfoGroups(key)) as Array<Record<string, unknown>>
    expect(groups).toHaveLength(1)
    expect(groups[0].pending).toBe(0)
    expect(groups[0].name).toBe('workers')
    await admin.quit()
  }, 60_000)
})
