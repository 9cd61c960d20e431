import { describe, expect, it } from 'vitest'
import { checkSimHistory } from '../../sim/checkers/linearizability.ts'
import type { History, HistoryOperation, HistoryReply, OperationInput } from '../../sim/linearizability/history.ts'

type Op = HistoryOperation<OperationInput, HistoryReply>

function op(id: number, client: number, invoke: number, ret: number | null, argv: string[], output?: HistoryReply): Op {
  return { id, client, invoke, return: ret, input: { argv }, output }
}

describe('the model knows blocking pops: they take effect when served, and a nil reply when they blocked', () => {
  it('a BLPOP invoked before the push and served by it is linearizable', () => {
    const history: History = [
      op(0, 1, 1, 6, ['BLPOP', 'q', '1'], ['q', 'a']),
      op(1, 2, 2, 3, ['RPUSH', 'q', 'a'], 1),
      op(2, 3, 4, 5, ['LLEN', 'q'], 0),
    ]
    expect(checkSimHistory(history).verdict).toBe('ok')
  })

  it('a BLPOP cannot return an element nobody pushed, nor one another consumer already took', () => {
    const pushed = op(1, 2, 2, 3, ['RPUSH', 'q', 'a'], 1)
    expect(checkSimHistory([op(0, 1, 1, 6, ['BLPOP', 'q', '1'], ['q', 'b']), pushed]).verdict).toBe('violation')
    const twice: History = [pushed, op(0, 1, 4, 8, ['BLPOP', 'q', '1'], ['q', 'a']), op(2, 3, 5, 7, ['LPOP', 'q'], 'a')]
    expect(checkSimHistory(twice).verdict).toBe('violation')
  })

  it('a served client pops from the key its reply names, even when an earlier key of its command holds data too', () => {
    // A MULTI that pushes b, then a, serves the blocked client from b: the key that became ready first.
    const pushes: Op = {
      id: 1,
      client: 2,
      invoke: 2,
      return: 3,
      input: {
        multi: [
          ['RPUSH', 'b', 'y'],
          ['RPUSH', 'a', 'x'],
        ],
      },
      output: [1, 1],
    }
    const history: History = [
      op(0, 1, 1, 10, ['BLPOP', 'a', 'b', '1'], ['b', 'y']),
      pushes,
      op(2, 3, 4, 5, ['LRANGE', 'a', '0', '-1'], ['x']),
    ]
    expect(checkSimHistory(history).verdict).toBe('ok')
  })

  it('a nil reply (timed out) fits only where every key it waits on was missing', () => {
    const empty: History = [op(0, 1, 1, 4, ['BLPOP', 'q', '0.01'], null), op(1, 2, 2, 3, ['RPUSH', 'q', 'a'], 1)]
    expect(checkSimHistory(empty).verdict).toBe('ok')
    const never: History = [op(1, 2, 1, 2, ['RPUSH', 'q', 'a'], 1), op(0, 1, 3, 4, ['BLPOP', 'q', '0.01'], null)]
    expect(checkSimHistory(never).verdict).toBe('violation')
  })

  it('an UNBLOCKED error changes nothing, and a BLMOVE moves what it says', () => {
    const history: History = [
      op(0, 1, 1, 2, ['RPUSH', 'q', 'a'], 1),
      op(1, 2, 3, 4, ['BLMOVE', 'p', 'q', 'LEFT', 'RIGHT', '1'], {
        error: 'UNBLOCKED client unblocked via CLIENT UNBLOCK',
      }),
      op(2, 2, 5, 6, ['BLMOVE', 'q', 'p', 'LEFT', 'RIGHT', '1'], 'a'),
      op(3, 3, 7, 8, ['LRANGE', 'p', '0', '-1'], ['a']),
    ]
    expect(checkSimHistory(history).verdict).toBe('ok')
  })
})
