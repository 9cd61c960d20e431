import { describe, expect, it } from 'vitest'
import { Lease, LeaseError, Lock } from '../../src/engine/lock.ts'
import { type Actor, productionSeam, type SchedulingSeam } from '../../src/engine/seam.ts'

const a: Actor = { id: 1, name: 'a' }
const b: Actor = { id: 2, name: 'b' }
const c: Actor = { id: 3, name: 'c' }

describe('Lock and Lease', () => {
  it('hands out a lease synchronously when free and counts acquisitions', () => {
    const lock = new Lock(productionSeam)
    const lease = lock.tryAcquire(a)
    expect(lease).toBeInstanceOf(Lease)
    expect(lock.holder).toBe(a)
    expect(lock.tryAcquire(b)).toBeNull()
    lease!.release()
    expect(lock.holder).toBeNull()
    expect(lock.acquisitions).toBe(1)
  })

  it('release is idempotent and a released lease is dead', () => {
    const lock = new Lock(productionSeam)
    const lease = lock.tryAcquire(a)!
    lease.release()
    lease.release()
    expect(lease.alive).toBe(false)
    expect(() => lock.assertHeld(lease)).toThrow(LeaseError)
    // A second release must not have freed someone else's hold.
    const next = lock.tryAcquire(b)!
    lease.release()
    expect(lock.holder).toBe(b)
    next.release()
  })

  it('rejects foreign, dead and mismatched-holder leases', () => {
    const one = new Lock(productionSeam)
    const two = new Lock(productionSeam)
    const lease = one.tryAcquire(a)!
    expect(() => two.assertHeld(lease)).toThrow(/another lock/)
    expect(() => one.assertHeld(lease, b)).toThrow(/used by b/)
    expect(() => one.assertHeld(lease, a)).not.toThrow()
    lease.release()
  })

  it('cannot be forged', () => {
    const lock = new Lock(productionSeam)
    // The constructor demands a module-private token.
    expect(() => new (Lease as any)(Symbol('mint-lease'), lock, a, 1)).toThrow(/only be created/)
  })

  it('wakes waiters in FIFO order and tells the seam who waits and who is handed the lock', async () => {
    const events: string[] = []
    const seam: SchedulingSeam = {
      point: () => undefined,
      lockWaiting: (x) => events.push(`wait ${x.name}`),
      lockHandedTo: (x) => events.push(`handoff ${x.name}`),
    }
    const lock = new Lock(seam)
    const first = lock.tryAcquire(a)!
    const order: string[] = []
    const pb = lock.acquire(b).then((l) => {
      order.push('b')
      l.release()
    })
    const pc = lock.acquire(c).then((l) => {
      order.push('c')
      l.release()
    })
    expect(lock.waiters.map((x) => x.name)).toEqual(['b', 'c'])
    first.release()
    await Promise.all([pb, pc])
    expect(order).toEqual(['b', 'c'])
    expect(events).toEqual(['wait b', 'wait c', 'handoff b', 'handoff c'])
    expect(lock.acquisitions).toBe(3)
    expect(lock.holder).toBeNull()
  })

  it('a waiter does not get the lock while the holder keeps it', async () => {
    const lock = new Lock(productionSeam)
    const held = lock.tryAcquire(a)!
    let got = false
    const p = lock.acquire(b).then((l) => {
      got = true
      return l
    })
    for (let i = 0; i < 20; i++) await Promise.resolve()
    expect(got).toBe(false)
    held.release()
    const l = await p
    expect(got).toBe(true)
    expect(lock.holder).toBe(b)
    l.release()
  })

  it('takes and releases an uncontended lock without engaging async-mutex', () => {
    const lock = new Lock(productionSeam)
    for (let i = 0; i < 3; i++) {
      const lease = lock.tryAcquire(a)!
      expect(lease.serial).toBe(i + 1)
      expect(lock.mutexEngaged).toBe(false)
      lease.release()
    }
    expect(lock.acquisitions).toBe(3)
    expect(lock.holder).toBeNull()
  })

  it('engages async-mutex when a waiter arrives during a fast-path hold, and disengages once the queue drains', async () => {
    const lock = new Lock(productionSeam)
    const held = lock.tryAcquire(a)!
    expect(lock.mutexEngaged).toBe(false)
    const pb = lock.acquire(b)
    // The waiter locked the mutex on the holder's behalf and queued behind it.
    expect(lock.mutexEngaged).toBe(true)
    expect(lock.waiters).toEqual([b])
    held.release()
    const lb = await pb
    expect(lock.holder).toBe(b)
    expect(lock.mutexEngaged).toBe(true)
    lb.release()
    expect(lock.mutexEngaged).toBe(false)
    // Back on the fast path.
    const again = lock.tryAcquire(c)!
    expect(lock.mutexEngaged).toBe(false)
    again.release()
    expect(lock.acquisitions).toBe(3)
  })

  it('nobody overtakes a waiter that was handed the lock but has not resumed yet', async () => {
    const lock = new Lock(productionSeam)
    const held = lock.tryAcquire(a)!
    const pb = lock.acquire(b)
    held.release()
    // b owns the lock now, although its continuation has not run: neither tryAcquire nor acquire may take it.
    expect(lock.holder).toBeNull()
    expect(lock.tryAcquire(c)).toBeNull()
    const pc = lock.acquire(c)
    const lb = await pb
    expect(lock.holder).toBe(b)
    lb.release()
    const lc = await pc
    expect(lock.holder).toBe(c)
    lc.release()
    expect(lock.acquisitions).toBe(3)
    expect(lock.mutexEngaged).toBe(false)
  })
})
