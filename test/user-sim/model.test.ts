/**
 * The user's own API checked for linearizability against the user's own model: an `increment` that reads, adds and
 * writes returns the same number to two clients (no order of the calls explains that), one built on INCR never does,
 * and the check names the operations it could not place.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Model } from '../../sim/linearizability/index.ts'
import type { NativeClient } from '../../sim/user/native-client.ts'
import type { SimulationContext } from '../../sim/user/run.ts'
import { simulate, type UserOperation } from '../../sim/user/simulate.ts'

/** A counter: `increment` returns the value after adding one. */
const counterModel: Model<number, UserOperation, number> = {
  init: () => 0,
  step: (state, op, output) => {
    if (op.name !== 'increment') return undefined
    return output === undefined || output === state + 1 ? state + 1 : undefined
  },
  hash: (state) => state,
  equal: (a, b) => a === b,
  describeOperation: (op, output) => `${op.name}() -> ${output}`,
  describeState: (state) => String(state),
}

const scenario = {
  clientLibrary: 'native' as const,
  clients: 2,
  runs: 30,
  model: counterModel,
  name: 'model-test',
  reportDir: mkdtempSync(join(tmpdir(), 'redsim-user-')),
}

describe("the user's operations against the user's model", () => {
  it('a read-add-write increment is not linearizable', async () => {
    const result = await simulate({
      ...scenario,
      client: async (redis: NativeClient, ctx: SimulationContext) => {
        await ctx.operation('increment', null, async () => {
          const v = Number(await redis.call('GET', 'n')) + 1
          await redis.call('SET', 'n', String(v))
          return v
        })
      },
    })
    expect(result.ok).toBe(false)
    expect(result.failure?.kind).toBe('linearizability')
    expect(result.failure?.message).toContain('increment() -> 1')
    // The report lists the user's operations with the steps they spanned.
    const report = JSON.parse(readFileSync(result.failure!.report, 'utf8'))
    expect(report.operations.map((op: { name: string; output: number }) => [op.name, op.output])).toEqual([
      ['increment', 1],
      ['increment', 1],
    ])
  })

  it('an increment on INCR is', async () => {
    const result = await simulate({
      ...scenario,
      client: async (redis: NativeClient, ctx: SimulationContext) => {
        for (let i = 0; i < 2; i++) await ctx.operation('increment', null, async () => redis.call('INCR', 'n'))
      },
    })
    expect(result).toEqual({ ok: true, runs: 30 })
  })
})
