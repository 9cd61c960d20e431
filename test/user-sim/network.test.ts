/**
 * The simulated network delivers each connection's packets in order, one scheduling step each, and the server end is
 * the real RESP connection: pipelined commands sent in one packet are parsed and answered in order, and replies of
 * different connections interleave as the scheduler decides.
 */
import { describe, expect, it } from 'vitest'
import type { Redis } from 'ioredis'
import type { NativeClient } from '../../sim/user/native-client.ts'
import { runOnce } from '../../sim/user/run.ts'
import { searchStrategy } from '../../sim/user/strategy.ts'

describe('the simulated network', () => {
  it('carries a pipeline in one packet to the real RESP connection, answered in order', async () => {
    let replies: unknown = null
    const run = await runOnce(
      {
        clients: 1,
        clientLibrary: 'ioredis',
        maxSteps: 1000,
        client: async (redis: Redis) => {
          replies = await redis.pipeline().set('a', '1').incr('a').get('a').exec()
        },
      },
      1,
      searchStrategy(1),
    )
    expect(run.failure).toBeNull()
    expect(replies).toEqual([
      [null, 'OK'],
      [null, 2],
      [null, '2'],
    ])
    const pipelined = run.trace.find((s) => s.kind === 'send' && (s.commands?.length ?? 0) === 3)
    expect(pipelined?.commands?.map((c) => c.join(' '))).toEqual(['set a 1', 'incr a', 'get a'])
  })

  it('keeps each connection in order while connections interleave', async () => {
    const run = await runOnce(
      {
        clients: 3,
        clientLibrary: 'native',
        maxSteps: 2000,
        client: async (redis: NativeClient, ctx) => {
          for (let i = 0; i < 4; i++) await redis.call('RPUSH', `log:${ctx.client}`, String(i))
        },
        check: async (redis: NativeClient) => {
          for (const client of [1, 2, 3]) {
            const log = await redis.call('LRANGE', `log:${client}`, '0', '-1')
            if (JSON.stringify(log) !== '["0","1","2","3"]') throw new Error(`client ${client}: ${JSON.stringify(log)}`)
          }
        },
      },
      3,
      searchStrategy(3),
    )
    expect(run.failure).toBeNull()
    const order = run.trace.filter((s) => s.phase === 'clients' && s.kind === 'send').map((s) => s.conn)
    // The clients' commands did not go one client after another.
    const switches = order.filter((conn, i) => i > 0 && conn !== order[i - 1]).length
    expect(switches).toBeGreaterThan(2)
  })
})
