import { describe, expect, it } from 'vitest'
import { checkLinearizability } from '../../sim/linearizability/checker.ts'
import { prepareHistory } from '../../sim/linearizability/history.ts'
import { searchLinearization } from '../../sim/linearizability/search.ts'
import { registerModel, registerOp as r } from './helpers.ts'

// The checker on its own, with a one-register model: ids are positions in the history.

const check = (ops: Parameters<typeof prepareHistory>[0], maxSteps?: number) =>
  checkLinearizability(registerModel, ops as never, { maxSteps })

describe('Wing & Gong search with memoization', () => {
  it('accepts a sequential history and returns it as the witness', () => {
    const result = check([r(0, 0, 1, { write: 1 }), r(0, 2, 3, { read: true }, 1), r(1, 4, 5, { write: 2 })])
    expect(result.verdict).toBe('ok')
    expect(result.partitions[0].linearization).toEqual([0, 1, 2])
  })

  it('reorders overlapping operations when only the other order explains the replies', () => {
    // write 1 is invoked first, but the read (overlapping it) sees 0, and a later read sees 1:
    // the only linearization puts the read before the write.
    const result = check([r(0, 0, 10, { write: 1 }), r(1, 1, 5, { read: true }, 0), r(1, 11, 12, { read: true }, 1)])
    expect(result.verdict).toBe('ok')
    expect(result.partitions[0].linearization).toEqual([1, 0, 2])
  })

  it('orders two concurrent writes by what later reads saw', () => {
    const result = check([r(0, 0, 10, { write: 1 }), r(1, 0, 10, { write: 2 }), r(2, 11, 12, { read: true }, 1)])
    expect(result.verdict).toBe('ok')
    expect(result.partitions[0].linearization).toEqual([1, 0, 2])
  })

  it('rejects a read that sees a value before the write producing it was invoked', () => {
    const result = check([r(1, 0, 1, { read: true }, 7), r(0, 2, 3, { write: 7 })])
    expect(result.verdict).toBe('violation')
  })

  it('rejects a stale read after a completed write', () => {
    const result = check([r(0, 0, 1, { write: 1 }), r(1, 2, 3, { read: true }, 0)])
    expect(result.verdict).toBe('violation')
  })

  it('rejects reads that see two concurrent writes in opposite orders', () => {
    const result = check([
      r(0, 0, 10, { write: 1 }),
      r(1, 0, 10, { write: 2 }),
      r(2, 11, 12, { read: true }, 1),
      r(3, 13, 14, { read: true }, 2),
      r(2, 15, 16, { read: true }, 1),
    ])
    expect(result.verdict).toBe('violation')
  })

  it('treats operations meeting at one instant as overlapping', () => {
    // The write returns at 5 and the read is invoked at 5: either order is allowed.
    expect(check([r(0, 0, 5, { write: 1 }), r(1, 5, 6, { read: true }, 0)]).verdict).toBe('ok')
    expect(check([r(0, 0, 5, { write: 1 }), r(1, 6, 7, { read: true }, 0)]).verdict).toBe('violation')
  })

  it('lets an unknown-outcome write take effect, even long after its client vanished', () => {
    const result = check([
      r(0, 0, null, { write: 5 }),
      r(1, 10, 11, { read: true }, 0),
      r(1, 20, 21, { read: true }, 5),
    ])
    expect(result.verdict).toBe('ok')
    expect(result.partitions[0].linearization).toEqual([1, 0, 2])
  })

  it('lets an unknown-outcome write never take effect', () => {
    const result = check([r(0, 0, null, { write: 5 }), r(1, 10, 11, { read: true }, 0)])
    expect(result.verdict).toBe('ok')
    // The witness leaves the unknown write out: it did not apply.
    expect(result.partitions[0].linearization).toEqual([1])
  })

  it('ignores the recorded output of an unknown-outcome operation', () => {
    // A cas whose reply claims failure but whose outcome is unknown may still have succeeded.
    const result = check([
      { client: 0, invoke: 0, return: null, input: { cas: [0, 3] }, output: false },
      r(1, 10, 11, { read: true }, 3),
    ])
    expect(result.verdict).toBe('ok')
  })

  it('still rejects what no unknown-outcome operation can explain', () => {
    const result = check([r(0, 0, null, { write: 5 }), r(1, 10, 11, { read: true }, 6)])
    expect(result.verdict).toBe('violation')
  })

  it('does not let an unknown-outcome operation take effect before it was invoked', () => {
    const result = check([r(1, 0, 1, { read: true }, 5), r(0, 2, null, { write: 5 })])
    expect(result.verdict).toBe('violation')
  })

  it("reports 'unknown', never a pass, when the step budget runs out", () => {
    // Ten concurrent writes and a read of the value the last-tried order cannot give cheaply.
    const ops = Array.from({ length: 10 }, (_, i) => r(i, 0, 100, { write: i + 1 }))
    ops.push(r(20, 101, 102, { read: true }, 1))
    const starved = check(ops, 3)
    expect(starved.verdict).toBe('unknown')
    expect(starved.partitions[0].verdict).toBe('unknown')
    expect(check(ops).verdict).toBe('ok')
  })

  it('counts steps and is deterministic', () => {
    const ops = Array.from({ length: 8 }, (_, i) => r(i, i, 20 + i, { write: i }))
    ops.push(r(9, 40, 41, { read: true }, 3))
    const first = searchLinearization(registerModel, prepareHistory(ops))
    const second = searchLinearization(registerModel, prepareHistory(ops))
    expect(first).toEqual(second)
    expect(first.steps).toBeGreaterThan(0)
  })

  it('memoization keeps many interchangeable concurrent operations cheap', () => {
    // 12 concurrent writes then an impossible read: without the cache this explores 12! (479 million) orders;
    // with it, at most one visit per subset of writes (2^12 = 4096) and state.
    const ops = Array.from({ length: 12 }, (_, i) => r(i, 0, 100, { write: 1 }))
    ops.push(r(30, 101, 102, { read: true }, 2))
    const result = searchLinearization(registerModel, prepareHistory(ops), { maxSteps: 100_000 })
    expect(result.verdict).toBe('violation')
    expect(result.steps).toBeLessThanOrEqual(4096 * 12)
  })

  it('rejects malformed histories loudly', () => {
    expect(() => check([r(0, 5, 4, { write: 1 })])).toThrow(/returns .* before it is invoked/)
    expect(() =>
      check([
        { id: 1, client: 0, invoke: 0, return: 1, input: { write: 1 } },
        { id: 1, client: 0, invoke: 2, return: 3, input: { write: 1 } },
      ]),
    ).toThrow(/duplicate operation id/)
  })
})
