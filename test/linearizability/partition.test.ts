import { describe, expect, it } from 'vitest'
import { checkLinearizability } from '../../sim/linearizability/checker.ts'
import { partitionByKeys } from '../../sim/linearizability/partition.ts'
import { redisModel } from '../../sim/model/redis-model.ts'
import { cmd, op, script } from './helpers.ts'

describe('P-compositionality: partitions by connected keys', () => {
  it('splits by connected components of touched keys', () => {
    const keys = [['a'], ['b'], ['c', 'd'], ['a', 'c'], [], ['e']]
    const parts = partitionByKeys(keys, (k) => k)
    expect(parts).toEqual([
      { keys: ['a', 'c', 'd'], members: [0, 2, 3] },
      { keys: ['b'], members: [1] },
      { keys: [], members: [4] },
      { keys: ['e'], members: [5] },
    ])
  })

  it("puts everything in one partition when an operation touches 'all'", () => {
    const parts = partitionByKeys([['a'], 'all' as const, ['b']], (k) => k)
    expect(parts).toEqual([{ keys: ['a', 'b'], members: [0, 1, 2] }])
  })

  it('joins the keys of an EVAL, a MULTI block and a multi-key command', () => {
    const model = redisModel()
    const history = [
      op(0, 0, 1, script('transfer', ['acct:1', 'acct:2'], ['5']), 1),
      op(1, 0, 1, cmd('MGET', 'acct:2', 'acct:3'), [null, null]),
      op(
        2,
        0,
        1,
        {
          multi: [
            ['INCR', 'x'],
            ['INCR', 'y'],
          ],
        },
        [1, 1],
      ),
      op(3, 0, 1, cmd('GET', 'z'), null),
    ]
    const result = checkLinearizability(model, history)
    expect(result.partitions.map((p) => p.keys)).toEqual([['acct:1', 'acct:2', 'acct:3'], ['x', 'y'], ['z']])
    expect(result.partitions.map((p) => p.operations)).toEqual([[0, 1], [2], [3]])
  })

  it('finds the one violating partition and passes the others', () => {
    const model = redisModel()
    const history = [
      op(0, 0, 1, cmd('SET', 'a', '1'), 'OK'),
      op(1, 2, 3, cmd('GET', 'a'), '1'),
      op(0, 4, 5, cmd('SET', 'b', '1'), 'OK'),
      op(1, 6, 7, cmd('GET', 'b'), null), // stale
    ]
    const result = checkLinearizability(model, history)
    expect(result.verdict).toBe('violation')
    expect(result.partitions.map((p) => [p.keys, p.verdict])).toEqual([
      [['a'], 'ok'],
      [['b'], 'violation'],
    ])
  })

  it('is what makes a partitioned history cheap: unpartitioned search of the same history costs more steps', () => {
    const model = redisModel()
    // Three keys, each with three concurrent writes and a read: each partition is tiny on its own, while
    // the whole history has nine concurrent writes to interleave.
    const history = []
    for (let k = 0; k < 3; k++) {
      for (let c = 0; c < 3; c++) history.push(op(c, 0, 10, cmd('SET', `k${k}`, String(c)), 'OK'))
      history.push(op(9, 11, 12, cmd('GET', `k${k}`), '0'))
    }
    const split = checkLinearizability(model, history)
    const whole = checkLinearizability(model, history, { partition: false })
    expect(split.verdict).toBe('ok')
    expect(whole.verdict).toBe('ok')
    expect(split.partitions).toHaveLength(3)
    expect(split.steps).toBeLessThan(whole.steps)
  })

  it('copies broadcast operations (clock ticks) into every keyed partition', () => {
    const parts = partitionByKeys([['a'], 'broadcast' as const, ['b'], [], 'broadcast' as const], (k) => k)
    expect(parts).toEqual([
      { keys: ['a'], members: [0, 1, 4] },
      { keys: ['b'], members: [1, 2, 4] },
      { keys: [], members: [3] },
    ])
  })

  it('judges expiry against the clock ticks of the history, in every partition', () => {
    const model = redisModel()
    const tick = (t: number, clock: number) => op(0, t, t, { clock }, null)
    const history = (seen: string | null, at: number) => [
      tick(0, 1000),
      op(1, 1, 2, cmd('SET', 'a', 'v', 'PX', '10'), 'OK'),
      op(1, 3, 4, cmd('SET', 'b', 'w', 'PX', '100'), 'OK'),
      tick(5, 1011),
      op(2, at, at + 1, cmd('GET', 'a'), seen),
      op(2, at + 2, at + 3, cmd('GET', 'b'), 'w'),
    ]
    expect(checkLinearizability(model, history(null, 6)).verdict).toBe('ok')
    expect(checkLinearizability(model, history('v', 6)).verdict).toBe('violation') // expired at the tick
    expect(checkLinearizability(model, history('v', 3)).verdict).toBe('ok') // read before the tick
    expect(checkLinearizability(model, history(null, 3)).verdict).toBe('violation') // gone before its time
    expect(checkLinearizability(model, history(null, 6)).partitions.map((p) => p.operations)).toEqual([
      [0, 1, 3, 4],
      [0, 2, 3, 5],
    ])
  })

  it('rejects broadcast operations that are not instantaneous', () => {
    const history = [op(0, 0, 1, { clock: 5 }, null), op(1, 0, 1, cmd('GET', 'a'), null)]
    expect(() => checkLinearizability(redisModel(), history)).toThrow(/must be instantaneous/)
  })
})
