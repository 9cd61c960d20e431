import { describe, expect, it } from 'vitest'
import { checkLinearizability } from '../../sim/linearizability/checker.ts'
import type { HistoryOperation, HistoryReply } from '../../sim/linearizability/history.ts'
import { formatLinearizability, linearizabilityView } from '../../sim/linearizability/report.ts'
import { attachClients, redisModel } from '../../sim/model/redis-model.ts'
import { cmd, op, script } from './helpers.ts'

const model = redisModel()
const check = (history: HistoryOperation[], options = {}) => checkLinearizability(model, history, options)
const withIds = (ops: HistoryOperation[]) => ops.map((o, id) => ({ ...o, id }))

describe('classic non-linearizable histories, explained', () => {
  it('lost update: two read-modify-write counter scripts both return 1', () => {
    const history = withIds([
      op(0, 0, 1, cmd('SET', 'unrelated', 'x'), 'OK'),
      op(1, 2, 10, script('counter', ['c'], ['1']), 1),
      op(2, 3, 11, script('counter', ['c'], ['1']), 1),
      op(3, 12, 13, cmd('GET', 'c'), '1'),
    ])
    const result = check(history)
    expect(result.verdict).toBe('violation')
    const bad = result.partitions.find((p) => p.verdict === 'violation')!
    expect(bad.keys).toEqual(['c'])
    expect(bad.explanation!.minimal).toEqual([1, 2])
    expect(bad.explanation!.blockedOperation).toBe(2) // the second reply is the first one nothing explains
    expect(bad.explanation!.exact).toBe(true)
    // Events in time order: call 1, call 2, return 1, [return 2 fails].
    expect(bad.explanation!.prefixEvents).toBe(3)
    expect(bad.explanation!.statesBefore).toEqual(['{"c": "1"}'])
  })

  it('the same counter scripts returning 1 and 2 are fine in either order', () => {
    const history = withIds([
      op(1, 2, 10, script('counter', ['c'], ['1']), 2),
      op(2, 3, 11, script('counter', ['c'], ['1']), 1),
      op(3, 12, 13, cmd('GET', 'c'), '2'),
    ])
    expect(check(history).verdict).toBe('ok')
  })

  it('a read that sees a value before the write producing it was invoked', () => {
    const history = withIds([op(1, 0, 1, cmd('GET', 'k'), 'v'), op(0, 2, 3, cmd('SET', 'k', 'v'), 'OK')])
    const result = check(history)
    expect(result.verdict).toBe('violation')
    // The write's effect cannot come before its invocation: the read's reply is impossible by itself.
    expect(result.partitions[0].explanation!.minimal).toEqual([0])
    expect(result.partitions[0].explanation!.blockedOperation).toBe(0)
  })

  it('a stale read: blocked at the read, with the only state it could have seen', () => {
    const history = withIds([
      op(0, 0, 1, cmd('SET', 'k', 'a'), 'OK'),
      op(0, 2, 3, cmd('SET', 'k', 'b'), 'OK'),
      op(1, 2, 5, cmd('GET', 'k'), 'b'),
      op(1, 6, 7, cmd('GET', 'k'), 'a'),
      op(2, 8, 9, cmd('SET', 'k', 'c'), 'OK'),
    ])
    const result = check(history)
    expect(result.verdict).toBe('violation')
    const explanation = result.partitions[0].explanation!
    expect(explanation.blockedOperation).toBe(3)
    expect(explanation.statesBefore).toEqual(['{"k": "b"}'])
    // Given the effects of the writes, the read's reply alone is impossible.
    expect(explanation.minimal).toEqual([3])
  })

  it('transfers that do not preserve the total (a per-call-lock interleaving)', () => {
    const history = withIds([
      op(0, 0, 1, cmd('MSET', 'a', '100', 'b', '100'), 'OK'),
      op(1, 2, 10, script('transfer', ['a', 'b'], ['30']), 1),
      op(2, 3, 11, script('transfer', ['b', 'a'], ['20']), 1),
      op(3, 12, 13, cmd('MGET', 'a', 'b'), ['120', '130']),
    ])
    const result = check(history)
    expect(result.verdict).toBe('violation')
    const bad = result.partitions[0]
    expect(bad.explanation!.blockedOperation).toBe(3)
    expect(bad.explanation!.minimal).toContain(3)
    // The same history with the totals kept is linearizable.
    history[3] = { ...history[3], output: ['90', '110'] }
    expect(check(history).verdict).toBe('ok')
  })

  it('list-append: two appends that each saw only their own value', () => {
    const history = withIds([
      op(1, 0, 10, script('list-append', ['l'], ['x']), ['x']),
      op(2, 1, 11, script('list-append', ['l'], ['y']), ['y']),
    ])
    const result = check(history)
    expect(result.verdict).toBe('violation')
    expect(result.partitions[0].explanation!.minimal).toEqual([0, 1])
  })

  it('a watched EXEC that succeeded although a script wrote the key in between', () => {
    const history = attachClients(
      withIds([
        op(1, 0, 1, cmd('WATCH', 'k'), 'OK'),
        op(1, 2, 3, cmd('GET', 'k'), null),
        op(2, 4, 5, script('counter', ['k'], ['1']), 1),
        op(1, 6, 7, { multi: [['SET', 'k', '1']], watch: ['k'] }, ['OK']),
      ]),
    )
    const result = check(history)
    expect(result.verdict).toBe('violation')
    const explanation = result.partitions[0].explanation!
    // The EXEC's success alone contradicts the effects of the others (the WATCH, then the script's write).
    expect(explanation.minimal).toEqual([3])
    expect(explanation.statesBefore).toEqual(['{"k": "1", watch(1): [k] dirty}'])
  })

  it('the conflicting replies are the ones that cannot all be right, not reads whose writer went missing', () => {
    // A WATCHed increment races a counter script; the script's reply (3) proves it ran after the WATCH.
    const history = attachClients(
      withIds([
        op(3, 0, 1, cmd('SET', 'k', '2'), 'OK'),
        op(1, 2, 3, cmd('WATCH', 'k'), 'OK'),
        op(1, 4, 5, cmd('GET', 'k'), '2'),
        op(2, 4, 9, script('counter', ['k'], ['1']), 3),
        op(1, 6, 10, { multi: [['SET', 'k', '3']], watch: ['k'] }, ['OK']),
      ]),
    )
    const explanation = check(history).partitions[0].explanation!
    expect(explanation.blockedOperation).toBe(4)
    // Either the script ran before the EXEC (then the EXEC had to abort) or after it (then it returns 4, not 3).
    expect(explanation.minimal).toEqual([3, 4])
  })

  it('time is frozen inside an EXEC (as in Redis 7.0): a key cannot expire between two of its commands', () => {
    // The clock moves (a timer event) while the EXEC runs; a server that expires the key mid-transaction replies nil
    // to the MGET after its own PEXPIRE. Redis judges expiry inside EXEC and scripts at the transaction's start time.
    const history = (seen: HistoryReply) =>
      withIds([
        op(0, 0, 0, { clock: 1000 }, null),
        op(1, 1, 2, cmd('SET', 'k', 'v'), 'OK'),
        op(
          1,
          3,
          6,
          {
            multi: [
              ['PEXPIRE', 'k', '5'],
              ['MGET', 'k'],
            ],
          },
          [1, seen],
        ),
        op(0, 4, 4, { clock: 1010 }, null),
        op(2, 7, 8, cmd('GET', 'k'), null),
      ])
    expect(check(history(['v'])).verdict).toBe('ok')
    const result = check(history([null]))
    expect(result.verdict).toBe('violation')
    expect(result.partitions[0].explanation!.minimal).toEqual([2])
  })

  it('an unknown-outcome write explains a read either way, but not a read that sees it come and go', () => {
    const taken = withIds([
      op(1, 0, null, cmd('INCR', 'n')),
      op(2, 5, 6, cmd('GET', 'n'), '1'),
      op(2, 7, 8, cmd('GET', 'n'), '1'),
    ])
    expect(check(taken).verdict).toBe('ok')
    const notTaken = withIds([op(1, 0, null, cmd('INCR', 'n')), op(2, 5, 6, cmd('GET', 'n'), null)])
    expect(check(notTaken).verdict).toBe('ok')
    // An increment seen, then unseen: no placement of the unknown INCR explains both reads.
    const flicker = withIds([
      op(1, 0, null, cmd('INCR', 'n')),
      op(2, 5, 6, cmd('GET', 'n'), '1'),
      op(2, 7, 8, cmd('GET', 'n'), null),
    ])
    const result = check(flicker)
    expect(result.verdict).toBe('violation')
    const explanation = result.partitions[0].explanation!
    expect(explanation.blockedOperation).toBe(2)
    expect(explanation.statesBefore).toEqual(['{"n": "1"}'])
  })

  it('cuts the history at the failure, and leaves out operations still running there', () => {
    // GET (1) sees 'b' while SET b (0) is still running; then GET (2) sees nothing again: the cut lands at
    // GET (2)'s return, where SET b is still running (its reply unknown there): it is no part of the minimal set,
    // the two reads are.
    const history = withIds([
      op(0, 0, 20, cmd('SET', 'k', 'b'), 'OK'),
      op(1, 1, 2, cmd('GET', 'k'), 'b'),
      op(1, 3, 4, cmd('GET', 'k'), null),
    ])
    const result = check(history)
    expect(result.verdict).toBe('violation')
    const explanation = result.partitions[0].explanation!
    expect(explanation.blockedOperation).toBe(2)
    expect(explanation.prefixEvents).toBe(4) // call 0, call 1, return 1, call 2
    expect(explanation.minimal).toEqual([1, 2])
    expect(explanation.statesBefore).toEqual(['{"k": "b"}'])
  })

  it('finds a small failing core in a long history', () => {
    const history: HistoryOperation[] = []
    let t = 0
    for (let i = 0; i < 60; i++) {
      history.push(op(i % 3, t, t + 3, cmd('INCR', 'n'), i + 1))
      t += 4
    }
    history.push(op(5, t, t + 1, cmd('GET', 'n'), '59')) // one increment lost
    const result = check(withIds(history))
    expect(result.verdict).toBe('violation')
    const explanation = result.partitions[0].explanation!
    expect(explanation.blockedOperation).toBe(60)
    expect(explanation.statesBefore).toEqual(['{"n": "60"}'])
    expect(explanation.exact).toBe(true)
    // Given the 60 increments' effects, the read's 59 is impossible by itself.
    expect(explanation.minimal).toEqual([60])
  })

  it('reports inexact explanations when probes run out of budget, without claiming a pass', () => {
    const history = withIds([
      op(1, 2, 10, script('counter', ['c'], ['1']), 1),
      op(2, 3, 11, script('counter', ['c'], ['1']), 1),
    ])
    const result = check(history, { maxStepsPerProbe: 1 })
    expect(result.verdict).toBe('violation')
    const explanation = result.partitions[0].explanation!
    expect(explanation.exact).toBe(false)
    // Without conclusive probes nothing is dropped: the whole partition is reported.
    expect(explanation.minimal).toEqual([0, 1])
  })
})

describe('views for reports and the visualizer', () => {
  it('describes the failing partition with operations, the partial linearization and the minimal set', () => {
    const history = withIds([
      op(1, 2, 10, script('counter', ['c'], ['1']), 1),
      op(2, 3, 11, script('counter', ['c'], ['1']), 1),
      op(0, 0, 1, cmd('SET', 'fine', 'x'), 'OK'),
    ])
    const result = check(history)
    const view = linearizabilityView(model, history, result)
    expect(view.partitions).toHaveLength(1) // passing partitions are left out by default
    const part = view.partitions[0]
    expect(part.linearization).toEqual([{ id: 0, state: '{"c": "1"}' }])
    expect(part.minimal!.map((o) => o.description)).toEqual([
      'EVAL counter KEYS[c] ARGV[1] -> 1',
      'EVAL counter KEYS[c] ARGV[1] -> 1',
    ])
    expect(JSON.parse(JSON.stringify(view))).toEqual(view) // JSON-safe
    const text = formatLinearizability(view)
    expect(text).toContain('linearizability: violation')
    expect(text).toContain('#1 client 2 [3, 11] EVAL counter KEYS[c] ARGV[1] -> 1')
    expect(linearizabilityView(model, history, result, { includePassing: true }).partitions).toHaveLength(2)
  })

  it('says plainly that an exhausted budget is not a pass', () => {
    const history = withIds(Array.from({ length: 8 }, (_, i) => op(i, 0, 10, cmd('SET', 'k', String(i)), 'OK')))
    history.push({ ...op(9, 11, 12, cmd('GET', 'k'), '0'), id: 8 })
    const result = check(history, { maxSteps: 2 })
    expect(result.verdict).toBe('unknown')
    expect(formatLinearizability(linearizabilityView(model, history, result))).toContain('NOT known to be linearizable')
  })
})
