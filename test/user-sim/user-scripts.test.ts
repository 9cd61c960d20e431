/**
 * Users' own Lua scripts, registered the way each library registers them (ioredis `defineCommand`, node-redis
 * `defineScript`), run on the real Lua host: the library's EVAL and EVALSHA travel the simulated network, and a
 * read-add-write done inside one script loses no update.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defineScript } from 'redis'
import { describe, expect, it } from 'vitest'
import { runOnce } from '../../sim/user/run.ts'
import { simulate } from '../../sim/user/simulate.ts'
import { searchStrategy } from '../../sim/user/strategy.ts'

const ADD_ONE = `local v = tonumber(redis.call('GET', KEYS[1]) or '0') + 1
redis.call('SET', KEYS[1], v)
return v`

// The libraries' client types are theirs; these tests only call the registered script.
type Client = any

/** Every client adds one twice. */
const check = async (redis: Client, ctx: { clients: number }) => {
  const n = await redis.get('n')
  if (n !== String(2 * ctx.clients)) throw new Error(`lost update: n = ${n}`)
}

describe("users' own scripts", () => {
  it('ioredis defineCommand: EVAL, then EVALSHA, and no lost update', async () => {
    const options = {
      clients: 3,
      clientLibrary: 'ioredis' as const,
      maxSteps: 5000,
      client: async (redis: Client) => {
        redis.defineCommand('addOne', { numberOfKeys: 1, lua: ADD_ONE })
        await redis.addOne('n')
        await redis.addOne('n')
      },
      check,
    }
    const run = await runOnce(options, 1, searchStrategy(1))
    expect(run.failure).toBeNull()
    const sent = run.trace.flatMap((s) => s.commands ?? []).map((c) => c[0].toLowerCase())
    expect(sent.filter((c) => c === 'eval')).toHaveLength(3)
    expect(sent.filter((c) => c === 'evalsha')).toHaveLength(3)

    const result = await simulate({
      ...options,
      runs: 40,
      name: 'user-scripts',
      reportDir: mkdtempSync(join(tmpdir(), 'redsim-user-')),
    })
    expect(result).toEqual({ ok: true, runs: 40 })
  })

  it('node-redis defineScript: no lost update', async () => {
    const result = await simulate({
      clients: 3,
      runs: 30,
      clientLibrary: 'node-redis',
      name: 'user-scripts-node-redis',
      reportDir: mkdtempSync(join(tmpdir(), 'redsim-user-')),
      libraryOptions: {
        scripts: {
          addOne: defineScript({
            SCRIPT: ADD_ONE,
            NUMBER_OF_KEYS: 1,
            parseCommand(parser, key: string) {
              parser.pushKey(key)
            },
            transformReply: (reply: unknown) => reply as never,
          }),
        },
      },
      client: async (redis: Client) => {
        await redis.addOne('n')
        await redis.addOne('n')
      },
      check,
    })
    expect(result).toEqual({ ok: true, runs: 30 })
  })
})
