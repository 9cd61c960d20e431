/**
 * Virtual time for a user simulation: while a run is on, `setTimeout`, `setInterval`, `setImmediate`, `Date`,
 * `process.hrtime` and `performance.now` (on the global object and in `node:timers`) are @sinonjs/fake-timers fakes
 * driven by the simulator, so client libraries' timeouts, retries and reconnects and the user's own sleeps and clock
 * readings happen on the simulator's clock and in its order. The engine reads the same clock. `process.nextTick` and
 * promise jobs stay real: they are deterministic already and client libraries depend on their exact order.
 *
 * `Math.random` is replaced by a generator seeded from the run's seed for the same reason (ioredis draws its
 * reconnect jitter from it), and restored afterwards.
 */
import { syncBuiltinESMExports } from 'node:module'
import FakeTimers from '@sinonjs/fake-timers'
import seedrandom from 'seedrandom'
import type { Clock } from '../../src/engine/clock.ts'

/** Where virtual time starts: a fixed instant, so `Date.now()` is part of the deterministic run. */
export const VIRTUAL_EPOCH = 1_700_000_000_000

/** The real `setImmediate`, captured by fake-timers when it loaded: the one way the driver lets real microtasks run. */
const realSetImmediate = FakeTimers.timers.setImmediate as (callback: () => void) => unknown

/** Resolves after every promise job and `nextTick` queued so far (and those they queue) has run. */
export function settleMicrotasks(): Promise<void> {
  return new Promise<void>((resolve) => {
    realSetImmediate(resolve)
  })
}

/** The fields of a fake timer the driver reads. */
interface FakeTimer {
  callAt: number
}
/** fake-timers keeps its pending timers in a heap; peeking at it is the only way to ask "is one due now?". */
interface TimerHeapView {
  peek(): FakeTimer | undefined
}

/** The run whose fakes are installed: the globals are one per process, so runs cannot overlap. */
let active: VirtualTime | null = null

export class VirtualTime {
  private readonly clock: FakeTimers.Clock
  private readonly realRandom = Math.random
  private uninstalled = false

  /** The engine's clock: the same virtual time as the fakes. */
  readonly engineClock: Clock

  constructor(seed: number) {
    if (active) throw new Error('simulations run one at a time per process (they replace the global timers and Date)')
    if ((Date as unknown as { isFake?: boolean }).isFake) {
      throw new Error('fake timers are already installed (vi.useFakeTimers?): a simulation installs its own')
    }
    this.clock = FakeTimers.install({
      now: VIRTUAL_EPOCH,
      toFake: [
        'setTimeout',
        'clearTimeout',
        'setInterval',
        'clearInterval',
        'setImmediate',
        'clearImmediate',
        'Date',
        'hrtime',
        'performance',
      ],
      // A run that schedules timers in a loop at one instant is reported by the driver, not by an exception here.
      loopLimit: 1_000_000,
    })
    active = this
    // fake-timers replaces the functions on `node:timers`'s CommonJS exports; ES module imports of it
    // (`import { setTimeout } from 'node:timers'`) are separate bindings, updated only when asked to.
    syncBuiltinESMExports()
    const prng = seedrandom(`${seed}:user-random`)
    Math.random = () => prng.quick()
    const clock = this.clock
    this.engineClock = {
      now: () => clock.now,
      nowMicros: () => BigInt(Math.floor(clock.now * 1000)),
    }
  }

  /** Virtual milliseconds since the epoch. */
  get now(): number {
    return this.clock.now
  }

  /** Milliseconds since the run started. */
  get elapsed(): number {
    return this.clock.now - VIRTUAL_EPOCH
  }

  /** Pending fake timers (timeouts, intervals, immediates). */
  get pending(): number {
    return this.clock.countTimers()
  }

  /** When the earliest pending timer is due, or undefined. */
  nextDue(): number | undefined {
    const heap = (this.clock as unknown as { timerHeap?: TimerHeapView }).timerHeap
    if (heap) return heap.peek()?.callAt
    // Without the heap (a fake-timers release that renamed it), say "now" whenever any timer is pending: immediates
    // then still run before the next decision, at the cost of firing later timers early.
    return this.clock.countTimers() > 0 ? this.clock.now : undefined
  }

  /** Whether a timer is due at the current instant (an immediate, a zero timeout). */
  get dueNow(): boolean {
    const due = this.nextDue()
    return due !== undefined && due <= this.clock.now
  }

  /** Moves time to the earliest pending timer and runs it. */
  fireNext(): void {
    this.clock.next()
  }

  /** Restores the real timers, Date and Math.random. Idempotent. */
  uninstall(): void {
    if (this.uninstalled) return
    this.uninstalled = true
    this.clock.uninstall()
    syncBuiltinESMExports()
    Math.random = this.realRandom
    active = null
  }
}
