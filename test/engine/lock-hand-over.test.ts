import { describe, expect, it } from 'vitest'
import { Lock } from '../../src/engine/lock.ts'
import type { Actor, SchedulingSeam, SeamSite } from '../../src/engine/seam.ts'
import { CORRECT_EXECUTOR } from '../../src/engine/variant.ts'

const a: Actor = { id: 1, name: 'a' }
const b: Actor = { id: 2, name: 'b' }
const c: Actor = { id: 3, name: 'c' }

/** A seam that holds an actor at 'lock-handed' until the test lets it go. */
function holdingSeam() {
  const held = new Map<string, () => void>()
  const seam: SchedulingSeam = {
    point(site: SeamSite, actor: Actor): void | Promise<void> {
      if (site !== 'lock-handed') return undefined
      return new Promise<void>((resolve) => held.set(actor.name, resolve))
    },
  }
  return { seam, held }
}

/** Lets pending promise continuations run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

describe('the window between a release and the woken waiter resuming', () => {
  it('is a seam point of its own, where the lock stays reserved for the waiter: the fast path grants nobody', async () => {
    const { seam, held } = holdingSeam()
    const lock = new Lock(seam)
    const first = lock.tryAcquire(a)!
    const waiter = lock.acquire(b)
    first.release()
    await settle()
    // b was handed the lock and parked at 'lock-handed': no lease yet, and a newcomer cannot take it.
    expect([...held.keys()]).toEqual(['b'])
    expect(lock.holder).toBeNull()
    expect(lock.tryAcquire(c)).toBeNull()
    held.get('b')!()
    const lease = await waiter
    expect(lock.holder).toBe(b)
    lease.release()
    expect(lock.tryAcquire(c)).not.toBeNull()
  })

  it('a lock whose fast path ignores the pending hand-over lets a newcomer in, and both end up holding it', async () => {
    const { seam, held } = holdingSeam()
    const lock = new Lock(seam, { ...CORRECT_EXECUTOR, name: 'test', lockReservedForHandOver: false })
    const first = lock.tryAcquire(a)!
    const waiter = lock.acquire(b)
    first.release()
    await settle()
    const intruder = lock.tryAcquire(c)
    expect(intruder).not.toBeNull()
    held.get('b')!()
    const lease = await waiter
    // Two live leases at once: exactly what the simulator's checkers must notice.
    expect(() => lock.assertHeld(intruder!)).not.toThrow()
    expect(() => lock.assertHeld(lease)).not.toThrow()
    intruder!.release()
    lease.release()
    expect(lock.holder).toBeNull()
    expect(lock.mutexEngaged).toBe(false)
  })
})
