import { describe, expect, it } from 'vitest'
import type { HistoryOperation } from '../../sim/linearizability/history.ts'
import {
  checkCounters,
  checkInvariants,
  checkListAppends,
  checkLocks,
  checkTransfers,
} from '../../sim/invariants/index.ts'
import { cmd, op, script } from './helpers.ts'

const withIds = (ops: HistoryOperation[]) => ops.map((o, id) => ({ ...o, id }))
const counter = (client: number, invoke: number, ret: number | null, reply?: number) =>
  op(client, invoke, ret, script('counter', ['c'], ['1']), reply)

describe('invariant: the counter equals the acknowledged increments', () => {
  it('accepts increments and reads consistent with some order', () => {
    const history = withIds([
      counter(1, 0, 5, 2),
      op(2, 1, 4, cmd('INCR', 'c'), 1),
      op(3, 6, 7, cmd('GET', 'c'), '2'),
      op(3, 8, 9, cmd('INCRBY', 'c', '10'), 12),
    ])
    expect(checkCounters(history)).toEqual([])
  })

  it('catches a lost update: two increments returning the same value, and a read missing one', () => {
    const history = withIds([counter(1, 0, 5, 1), counter(2, 1, 6, 1), op(3, 7, 8, cmd('GET', 'c'), '1')])
    const violations = checkCounters(history)
    expect(violations.map((v) => v.operations)).toEqual([
      [2, 0, 1],
      [0, 1],
    ])
    expect(violations[0].message).toMatch(/a read saw 1 .* allow only 2/)
    expect(violations[1].message).toMatch(/both returned 1 \(a lost update\)/)
  })

  it('bounds by unknown-outcome increments: they may or may not count', () => {
    const base = [counter(1, 0, 1, 1), counter(2, 2, null)]
    for (const seen of ['1', '2']) {
      expect(checkCounters(withIds([...base, op(3, 10, 11, cmd('GET', 'c'), seen)]))).toEqual([])
    }
    expect(checkCounters(withIds([...base, op(3, 10, 11, cmd('GET', 'c'), '3')]))).toHaveLength(1)
    expect(checkCounters(withIds([...base, op(3, 10, 11, cmd('GET', 'c'), null)]))).toHaveLength(1)
  })

  it('a read overlapping an increment may see it or not', () => {
    const history = (seen: string) => withIds([op(1, 0, 10, cmd('INCR', 'c'), 1), op(2, 2, 3, cmd('GET', 'c'), seen)])
    expect(checkCounters(history('0'))).toEqual([])
    expect(checkCounters(history('1'))).toEqual([])
    expect(checkCounters(history('2'))).toHaveLength(1)
  })

  it('starts from an initializing SET and ignores failed increments', () => {
    const history = withIds([
      op(0, 0, 1, cmd('SET', 'c', '40'), 'OK'),
      counter(1, 2, 3, 41),
      op(2, 4, 5, script('counter', ['c'], ['x']), { error: 'ERR user_script:1: attempt to perform arithmetic' }),
      op(3, 6, 7, cmd('GET', 'c'), '41'),
    ])
    expect(checkCounters(history)).toEqual([])
  })

  it('several initializing SETs: the last one counts when it began after the others returned', () => {
    // Two overlapping SETs before the increment: either may have been last, so 0 + 1 and 7 + 1 are both possible.
    const overlapping = (reply: number) =>
      withIds([
        op(1, 2, 11, cmd('SET', 'c', '0'), 'OK'),
        op(2, 3, 7, cmd('SET', 'c', '7'), 'OK'),
        counter(1, 12, 18, reply),
      ])
    expect(checkCounters(overlapping(1))).toEqual([])
    expect(checkCounters(overlapping(8))).toEqual([])
    // One after the other: only the second value can be the start.
    const ordered = (reply: number) =>
      withIds([
        op(1, 2, 4, cmd('SET', 'c', '0'), 'OK'),
        op(2, 5, 7, cmd('SET', 'c', '7'), 'OK'),
        counter(1, 12, 18, reply),
      ])
    expect(checkCounters(ordered(8))).toEqual([])
    expect(checkCounters(ordered(1))).toHaveLength(1)
  })

  it('skips keys with other writers (a SET in the middle) or expiry', () => {
    const reset = withIds([
      counter(1, 0, 1, 1),
      op(2, 2, 3, cmd('SET', 'c', '7'), 'OK'),
      op(3, 4, 5, cmd('GET', 'c'), '7'),
    ])
    expect(checkCounters(reset)).toEqual([])
    const expiring = withIds([
      counter(1, 0, 1, 1),
      op(2, 2, 3, cmd('PEXPIRE', 'c', '5'), 1),
      op(3, 9, 10, cmd('GET', 'c'), null),
    ])
    expect(checkCounters(expiring)).toEqual([])
  })
})

describe('invariant: transfers keep the total', () => {
  const setup = op(0, 0, 1, cmd('MSET', 'b0', '100', 'b1', '100', 'b2', '0'), 'OK')
  const transfer = (
    client: number,
    invoke: number,
    ret: number | null,
    from: string,
    to: string,
    amount: number,
    reply?: number,
  ) => op(client, invoke, ret, script('transfer', [from, to], [String(amount)]), reply)

  it('accepts balances consistent with the acknowledged transfers', () => {
    const history = withIds([
      setup,
      transfer(1, 2, 5, 'b0', 'b1', 30, 1),
      transfer(2, 3, 6, 'b1', 'b2', 500, 0),
      op(3, 7, 8, cmd('MGET', 'b0', 'b1', 'b2'), ['70', '130', null]),
      op(
        3,
        9,
        10,
        {
          multi: [
            ['GET', 'b0'],
            ['GET', 'b2'],
          ],
        },
        ['70', null],
      ),
    ])
    expect(checkTransfers(history)).toEqual([])
  })

  it('catches a total that changed (a per-call-lock interleaving)', () => {
    const history = withIds([
      setup,
      transfer(1, 2, 5, 'b0', 'b1', 30, 1),
      transfer(2, 3, 6, 'b1', 'b0', 20, 1),
      op(3, 7, 8, cmd('MGET', 'b0', 'b1', 'b2'), ['120', '130', '0']),
    ])
    const violations = checkTransfers(history)
    expect(violations.map((v) => v.message)).toEqual([
      'balance b0 read as 120 (operation 3), but the transfers allow only 90',
      'balance b1 read as 130 (operation 3), but the transfers allow only 110',
      'the balances read by operation 3 sum to 250, not the total 200',
    ])
  })

  it('allows an unknown-outcome transfer to have moved or not, but never half', () => {
    const base = [setup, transfer(1, 2, null, 'b0', 'b1', 30)]
    const read = (a: string, b: string) => op(3, 7, 8, cmd('MGET', 'b0', 'b1', 'b2'), [a, b, '0'])
    expect(checkTransfers(withIds([...base, read('100', '100')]))).toEqual([])
    expect(checkTransfers(withIds([...base, read('70', '130')]))).toEqual([])
    expect(checkTransfers(withIds([...base, read('70', '100')]))).toHaveLength(1) // the sum is off
  })

  it('does not judge accounts that something else writes after the setup', () => {
    const history = withIds([
      setup,
      transfer(1, 2, 5, 'b0', 'b1', 30, 1),
      op(2, 6, 7, cmd('SET', 'b0', '999'), 'OK'),
      op(3, 8, 9, cmd('MGET', 'b0', 'b1', 'b2'), ['999', '130', '0']),
    ])
    expect(checkTransfers(history)).toEqual([])
  })
})

describe('invariant: lock holders are exclusive', () => {
  const lock = (client: number, invoke: number, ret: number | null, action: string, reply?: number) =>
    op(client, invoke, ret, script('lock', ['lock'], [action, `c${client}`]), reply)

  it('accepts holds one after the other, including overlapping hand-overs', () => {
    const history = withIds([
      lock(1, 0, 1, 'acquire', 1),
      lock(2, 2, 3, 'acquire', 0),
      lock(1, 4, 10, 'release', 1),
      lock(2, 5, 8, 'acquire', 1), // may have run after c1's release took effect (before 8)
      lock(2, 11, 12, 'release', 1),
    ])
    expect(checkLocks(history)).toEqual([])
  })

  it('catches two owners holding it at once', () => {
    const history = withIds([
      lock(1, 0, 1, 'acquire', 1),
      lock(2, 2, 3, 'acquire', 1),
      lock(1, 4, 5, 'release', 1),
      lock(2, 6, 7, 'release', 1),
    ])
    const violations = checkLocks(history)
    expect(violations).toHaveLength(1)
    expect(violations[0].message).toBe('lock lock: c1 (operation 0) and c2 (operation 1) both held it at the same time')
    expect(violations[0].operations).toEqual([0, 1, 2, 3])
  })

  it('an unknown-outcome release may have freed it; a never-released lock stays held', () => {
    const freed = withIds([lock(1, 0, 1, 'acquire', 1), lock(1, 2, null, 'release'), lock(2, 5, 6, 'acquire', 1)])
    expect(checkLocks(freed)).toEqual([])
    const held = withIds([lock(1, 0, 1, 'acquire', 1), lock(2, 5, 6, 'acquire', 1)])
    expect(checkLocks(held)).toHaveLength(1)
  })

  it('catches a release by an owner that never acquired', () => {
    const history = withIds([lock(1, 0, 1, 'acquire', 1), lock(2, 2, 3, 'release', 1)])
    expect(checkLocks(history).map((v) => v.message)).toEqual([
      'lock lock: c2 released it (operation 1) without ever acquiring it',
    ])
  })
})

describe('invariant: list-append reads are prefixes of each other', () => {
  const append = (client: number, invoke: number, ret: number | null, value: string, reply?: string[]) =>
    op(client, invoke, ret, script('list-append', ['l'], [value]), reply)

  it('accepts reads that extend each other', () => {
    const history = withIds([
      append(1, 0, 3, 'a', ['a']),
      append(2, 1, 4, 'b', ['a', 'b']),
      op(3, 2, 5, cmd('RPUSH', 'l', 'c'), 3),
      op(1, 6, 7, cmd('LRANGE', 'l', '0', '-1'), ['a', 'b', 'c']),
      append(2, 5, null, 'd'),
    ])
    expect(checkListAppends(history)).toEqual([])
  })

  it('an append that answered with an error (refused while a script was busy) wrote nothing', () => {
    const busy = { error: 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.' }
    const history = withIds([
      op(1, 0, 5, script('list-append', ['l'], ['x']), busy),
      op(2, 1, 4, cmd('RPUSH', 'l', 'y'), busy),
      op(3, 6, 7, cmd('LRANGE', 'l', '0', '-1'), []),
    ])
    expect(checkListAppends(history)).toEqual([])
    // The same appends acknowledged: the read must hold them.
    const acknowledged = withIds([append(1, 0, 5, 'x', ['x']), op(3, 6, 7, cmd('LRANGE', 'l', '0', '-1'), [])])
    expect(checkListAppends(acknowledged).map((v) => v.message)).toContain(
      'list l: read 1 misses "x", acknowledged before it began',
    )
  })

  it('catches reads that diverge, lose elements, or invent them', () => {
    const diverge = withIds([append(1, 0, 10, 'x', ['x']), append(2, 1, 11, 'y', ['y'])])
    expect(checkListAppends(diverge).map((v) => v.message)).toContain(
      'list l: reads 1 and 0 are not prefixes of each other',
    )

    const shrink = withIds([
      append(1, 0, 1, 'x', ['x']),
      append(2, 2, 3, 'y', ['x', 'y']),
      op(3, 4, 5, cmd('LRANGE', 'l', '0', '-1'), ['x']),
    ])
    const messages = checkListAppends(shrink).map((v) => v.message)
    expect(messages).toContain('list l: read 2 is shorter than read 1, which finished before it began')
    expect(messages).toContain('list l: read 2 misses "y", acknowledged before it began')

    const phantom = withIds([append(1, 0, 1, 'x', ['x', 'ghost'])])
    expect(checkListAppends(phantom).map((v) => v.message)).toContain(
      'list l: read 0 holds "ghost", which no append had written yet',
    )
  })

  it('checks that a value sits where its append put it', () => {
    const history = withIds([op(1, 0, 1, cmd('RPUSH', 'l', 'a'), 2), op(2, 2, 3, cmd('LRANGE', 'l', '0', '-1'), ['a'])])
    expect(checkListAppends(history).map((v) => v.message)).toEqual([
      'list l: read 1 holds "a" at index 0, but its append (operation 0) put it at 1',
    ])
  })
})

describe('all invariants together', () => {
  it('run over one history and name their invariant', () => {
    const history = withIds([
      counter(1, 0, 5, 1),
      counter(2, 1, 6, 1),
      op(3, 0, 1, script('lock', ['lk'], ['acquire', 'c3']), 1),
      op(4, 2, 3, script('lock', ['lk'], ['acquire', 'c4']), 1),
    ])
    expect(checkInvariants(history).map((v) => v.invariant)).toEqual(['counter', 'lock-exclusive'])
  })
})
