import { describe, expect, it } from 'vitest'
import { checkQueues } from '../../sim/invariants/queue.ts'
import type { History, HistoryOperation, HistoryReply, OperationInput } from '../../sim/linearizability/history.ts'

type Op = HistoryOperation<OperationInput, HistoryReply>

let nextId = 0
function op(client: number, invoke: number, ret: number | null, argv: string[], output?: HistoryReply): Op {
  return { id: nextId++, client, invoke, return: ret, input: { argv }, output }
}

/** The queues' contents at the end of a run. */
function ending(queues: Record<string, string[]>) {
  return { final: (key: string) => queues[key] }
}

describe('the queue invariant: every pushed element is popped at most once and none is lost', () => {
  it('holds when each element is consumed once, moved, or still queued', () => {
    const history: History = [
      op(1, 1, 2, ['RPUSH', 'q0', 'a'], 1),
      op(1, 3, 4, ['RPUSH', 'q0', 'b'], 2),
      op(1, 5, 6, ['RPUSH', 'q0', 'c'], 3),
      op(2, 7, 8, ['BLPOP', 'q0', '1'], ['q0', 'a']),
      op(2, 9, 10, ['BLMOVE', 'q0', 'q1', 'LEFT', 'RIGHT', '1'], 'b'),
      op(3, 11, 12, ['LPOP', 'q1'], 'b'),
    ]
    expect(checkQueues(history, ending({ q0: ['c'] }))).toEqual([])
  })

  it('reports an element consumed twice', () => {
    const history: History = [
      op(1, 1, 2, ['RPUSH', 'q0', 'a'], 1),
      op(2, 3, 6, ['BLPOP', 'q0', '1'], ['q0', 'a']),
      op(3, 4, 5, ['LPOP', 'q0'], 'a'),
    ]
    const found = checkQueues(history, ending({}))
    expect(found.map((v) => v.invariant)).toEqual(['queue'])
    expect(found[0].message).toMatch(/"a" .* was popped 2 time/)
  })

  it('reports an element consumed and still queued', () => {
    const history: History = [op(1, 1, 2, ['RPUSH', 'q0', 'a'], 1), op(2, 3, 4, ['LPOP', 'q0'], 'a')]
    expect(checkQueues(history, ending({ q0: ['a'] }))).toHaveLength(1)
  })

  it('reports an acknowledged element that is neither consumed nor queued', () => {
    const history: History = [op(1, 1, 2, ['RPUSH', 'q0', 'a'], 1), op(2, 3, 4, ['BLPOP', 'q0', '0.01'], null)]
    const found = checkQueues(history, ending({}))
    expect(found).toHaveLength(1)
    expect(found[0].message).toMatch(/1 acknowledged element\(s\) are neither popped nor still queued/)
  })

  it('lets a consumer of unknown outcome account for a missing element, but only one each', () => {
    const pushes = [op(1, 1, 2, ['RPUSH', 'q0', 'a'], 1), op(1, 3, 4, ['RPUSH', 'q0', 'b'], 2)]
    const lostReply = op(2, 5, null, ['BLPOP', 'q0', '1'])
    expect(checkQueues([...pushes, lostReply], ending({ q0: ['b'] }))).toEqual([])
    expect(checkQueues([...pushes, lostReply], ending({}))).toHaveLength(1)
  })

  it('counts the commands of an EXEC with its reply, and nothing of an aborted one', () => {
    const history: History = [
      { id: nextId++, client: 1, invoke: 1, return: 2, input: { multi: [['RPUSH', 'q0', 'a']] }, output: [1] },
      { id: nextId++, client: 2, invoke: 3, return: 4, input: { multi: [['LPOP', 'q0']] }, output: null },
      { id: nextId++, client: 3, invoke: 5, return: 6, input: { multi: [['LPOP', 'q0']] }, output: ['a'] },
    ]
    expect(checkQueues(history, ending({}))).toEqual([])
    expect(checkQueues(history, ending({ q0: ['a'] }))).toHaveLength(1)
  })

  it('reports an element popped before its push was invoked', () => {
    const history: History = [op(2, 1, 2, ['LPOP', 'q0'], 'a'), op(1, 3, 4, ['RPUSH', 'q0', 'a'], 1)]
    expect(checkQueues(history, ending({}))[0].message).toMatch(/popped "a" before operation \d+ pushed it/)
  })

  it('does not judge queues that something else writes', () => {
    const history: History = [op(1, 1, 2, ['RPUSH', 'q0', 'a'], 1), op(2, 3, 4, ['DEL', 'q0'], 1)]
    expect(checkQueues(history, ending({}))).toEqual([])
  })
})
