/**
 * The database lock and its lease. This is the heart of redsim's atomicity: a command, a whole EXEC or a whole script
 * runs while its caller holds the one `Lease` for the database, and nested commands run under that lease instead of
 * acquiring again.
 *
 * A lease is a capability, not a flag: only the object the lock handed out is accepted (`assertHeld`), it knows its
 * holder, its release is idempotent, and after release it is dead. Using a dead, foreign or forged lease throws: that
 * is a programming error in redsim, never a client-visible condition.
 *
 * async-mutex provides the FIFO wait queue, and only it: the uncontended path never touches the mutex. Its `acquire()`
 * allocates a generator, several promises and closures even when it succeeds at once, which was a third of the cost
 * of a GET. So a lease taken while nobody holds or waits for the lock is granted by `tryAcquire` without the mutex,
 * and the mutex is locked lazily, on the holder's behalf, when the first waiter arrives (a free mutex locks
 * synchronously). From then on async-mutex orders the waiters and hands the lock over; once its queue empties, the
 * mutex is unlocked again and the next acquisition is back on the fast path.
 *
 * The lock is free exactly when nobody holds a lease AND the mutex is unlocked: between a release and the woken
 * waiter resuming, async-mutex has already given the mutex to that waiter, so nobody can overtake it. That window is
 * a seam point of its own ('lock-handed'), so the simulator lets others arrive, time pass and clients disconnect
 * inside it.
 */
import { Mutex } from 'async-mutex'
import type { Actor, SchedulingSeam } from './seam.ts'
import { CORRECT_EXECUTOR, type ExecutorVariant } from './variant.ts'

/** Module-private token so that only `Lock` can mint leases. */
const MINT = Symbol('mint-lease')

export class Lease {
  #released = false

  constructor(
    token: typeof MINT,
    readonly lock: Lock,
    readonly holder: Actor,
    /** 1-based count of acquisitions on this lock, for traces. */
    readonly serial: number,
    /** Mutant handoff-overtaken only: taken on the fast path while a hand-over was in flight (owns no mutex). */
    readonly overtook = false,
  ) {
    if (token !== MINT) throw new Error('a Lease can only be created by Lock.acquire')
  }

  get alive(): boolean {
    return !this.#released
  }

  /** Releases the lock. Idempotent, so it can sit in every `finally` without double-release bugs. */
  release(): void {
    if (this.#released) return
    this.#released = true
    this.lock[MINT](this)
  }
}

export class LeaseError extends Error {}

export class Lock {
  private readonly mutex = new Mutex()
  private currentLease: Lease | null = null
  /** Mutant handoff-overtaken only: live leases granted before the current one (their holders run at once). */
  private readonly overlapping: Lease[] = []
  /** A release handed the mutex to a waiter that has not taken its lease yet. */
  private handing = false
  /** Actors waiting, in the mutex's FIFO order, so a release can tell the seam whom it wakes. */
  private readonly waiting: Actor[] = []
  /** Total acquisitions; tests and benchmarks read it. */
  acquisitions = 0
  /** False only in the simulator's handoff-overtaken mutant (src/engine/variant.ts). */
  private readonly reservedForHandOver: boolean

  constructor(
    private readonly seam: SchedulingSeam,
    variant: ExecutorVariant = CORRECT_EXECUTOR,
  ) {
    this.reservedForHandOver = variant.lockReservedForHandOver
  }

  /** The actor holding the lock, or null. */
  get holder(): Actor | null {
    return this.currentLease?.holder ?? null
  }

  get waiters(): readonly Actor[] {
    return this.waiting
  }

  /** Takes the lock at once if nobody holds it or waits for it; otherwise null. Never allocates but the lease. */
  tryAcquire(actor: Actor): Lease | null {
    if (this.currentLease !== null) return null
    // No lease but an engaged mutex: a release handed the lock to a waiter that has not resumed yet. It is reserved.
    if (this.mutex.isLocked()) return this.reservedForHandOver ? null : this.overtake(actor)
    return this.grant(actor)
  }

  /** Waits in FIFO order for the lock. */
  async acquire(actor: Actor): Promise<Lease> {
    const now = this.tryAcquire(actor)
    if (now) return now
    // The holder took the lock on the fast path, without the mutex: lock the mutex for it now (a free mutex locks
    // synchronously, before this line returns) so that this waiter queues behind it. Its release unlocks it.
    if (!this.mutex.isLocked()) void this.mutex.acquire()
    this.waiting.push(actor)
    this.seam.lockWaiting?.(actor)
    await this.mutex.acquire()
    const first = this.waiting.shift()
    if (first !== actor) throw new LeaseError('lock waiters woke out of order')
    // Handed over, not resumed: the mutex is ours, no lease exists yet, and others may run before we go on.
    const handed = this.seam.point('lock-handed', actor)
    if (handed) await handed
    this.handing = false
    return this.grant(actor)
  }

  private grant(actor: Actor): Lease {
    const current = this.currentLease
    if (current) {
      if (this.reservedForHandOver) {
        throw new LeaseError(`lock granted to ${actor.name} while held by ${current.holder.name}`)
      }
      // Mutant handoff-overtaken: the waiter resumes while the newcomer that overtook it still holds the lock.
      this.overlapping.push(current)
    }
    this.acquisitions++
    this.currentLease = new Lease(MINT, this, actor, this.acquisitions)
    return this.currentLease
  }

  /** Mutant handoff-overtaken: the fast path grants the lock reserved for a waiter that has not resumed yet. */
  private overtake(actor: Actor): Lease {
    this.acquisitions++
    this.currentLease = new Lease(MINT, this, actor, this.acquisitions, true)
    return this.currentLease
  }

  /** Throws unless `lease` is the live lease of this lock (and, when given, held by `actor`). */
  assertHeld(lease: Lease, actor?: Actor): void {
    if (lease.lock !== this) throw new LeaseError('lease belongs to another lock')
    const live = this.currentLease === lease || (this.overlapping.length > 0 && this.overlapping.includes(lease))
    if (!lease.alive || !live) throw new LeaseError(`dead lease used by ${lease.holder.name}`)
    if (actor && lease.holder !== actor) {
      throw new LeaseError(`lease of ${lease.holder.name} used by ${actor.name}`)
    }
  }

  /** Called only by `Lease.release`. */
  [MINT](lease: Lease): void {
    if (this.currentLease !== lease) {
      const at = this.overlapping.indexOf(lease)
      if (at === -1) throw new LeaseError('released a lease that does not hold the lock')
      // Mutant handoff-overtaken: a lease that was running alongside the current one ends; the current one goes on.
      this.overlapping.splice(at, 1)
      if (!lease.overtook) this.releaseMutex()
      return
    }
    this.currentLease = this.overlapping.length > 0 ? this.overlapping.pop()! : null
    // An overtaking lease owns no mutex while a hand-over it overtook is in flight: that waiter keeps it. Otherwise
    // (it was the last holder and a waiter queued behind it since) the mutex was locked on its behalf.
    if (lease.overtook && (this.handing || this.currentLease !== null)) return
    this.releaseMutex()
  }

  private releaseMutex(): void {
    const next = this.waiting[0]
    if (next) {
      this.handing = true
      this.seam.lockHandedTo?.(next)
    }
    // Hands the mutex to the first waiter, or unlocks it; a no-op when the lease was taken and kept uncontended.
    this.mutex.release()
  }

  /** Whether async-mutex is in use right now (a waiter queued during this hold); tests check the fast path with it. */
  get mutexEngaged(): boolean {
    return this.mutex.isLocked()
  }
}
