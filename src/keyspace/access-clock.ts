/**
 * The per-key access stamp Redis keeps in each object's 24-bit `lru` field, and how it is read (Redis 7.0 evict.c):
 *
 * - LRU policies (and every policy that is not LFU): the LRU clock, seconds modulo 2^24, of the last access.
 *   OBJECT IDLETIME and the LRU eviction policies read the idle time from it.
 * - LFU policies: the last decrement time in minutes (16 bits) and a logarithmic access counter (8 bits), which
 *   starts at LFU_INIT_VAL, grows with probability 1 / ((counter - LFU_INIT_VAL) * lfu-log-factor + 1) per access and
 *   decays by one per lfu-decay-time minutes. OBJECT FREQ and the LFU policies read the counter.
 *
 * The stamp lives beside the key in its KeyTable (one small integer per key). Time is the start time of the running
 * command on the engine's injected clock, and the counter's coin flips come from the engine's random source, so the
 * simulator replays both exactly.
 */
import type { RandomSource } from '../engine/random.ts'

export const LRU_CLOCK_MAX = (1 << 24) - 1
/** Redis's LRU_CLOCK_RESOLUTION: the LRU clock ticks once a second. */
const LRU_CLOCK_RESOLUTION = 1000
/** A new key's LFU counter, so that it is not evicted before it had a chance to be accessed. */
export const LFU_INIT_VAL = 5

export class AccessClock {
  /** The policy is an LFU one: stamps hold counters, not LRU times. */
  lfu = false
  lfuLogFactor = 10
  lfuDecayTime = 1
  private ms = 0
  /** The LRU clock at `now`, computed when `now` is set (once per command) rather than at every key access. */
  private lru = 0

  /** Milliseconds on the engine clock: the start of the running command (set by the executor). */
  get now(): number {
    return this.ms
  }

  set now(ms: number) {
    this.ms = ms
    this.lru = Math.floor(ms / LRU_CLOCK_RESOLUTION) & LRU_CLOCK_MAX
  }
  /** The engine's random source (LFU's probabilistic increment). */
  random: RandomSource = { next: () => 0 }

  /** Redis's LRU_CLOCK(): seconds, wrapping at 24 bits. */
  lruClock(): number {
    return this.lru
  }

  /** The stamp of a newly created value (createObject). */
  initial(): number {
    return this.lfu ? (this.minutes() << 8) | LFU_INIT_VAL : this.lruClock()
  }

  /** The stamp after an access (lookupKey without LOOKUP_NOTOUCH): updateLFU, or the LRU clock. */
  touch(stamp: number): number {
    if (!this.lfu) return this.lruClock()
    let counter = this.frequency(stamp)
    if (counter < 255) {
      const base = Math.max(counter - LFU_INIT_VAL, 0)
      if (this.random.next() < 1 / (base * this.lfuLogFactor + 1)) counter++
    }
    return (this.minutes() << 8) | counter
  }

  /** estimateObjectIdleTime: milliseconds since the access an LRU stamp records. */
  idleMs(stamp: number): number {
    const clock = this.lruClock()
    const ticks = clock >= stamp ? clock - stamp : clock + (LRU_CLOCK_MAX - stamp)
    return ticks * LRU_CLOCK_RESOLUTION
  }

  /** LFUDecrAndReturn: an LFU stamp's counter after the decay due since its last decrement (the stamp is unchanged). */
  frequency(stamp: number): number {
    const counter = stamp & 255
    if (this.lfuDecayTime === 0) return counter
    const last = stamp >>> 8
    const now = this.minutes()
    const elapsed = now >= last ? now - last : 65535 - last + now
    const periods = Math.floor(elapsed / this.lfuDecayTime)
    return periods > counter ? 0 : counter - periods
  }

  /** LFUGetTimeInMinutes: minutes, wrapping at 16 bits. */
  private minutes(): number {
    return Math.floor(this.now / 60000) & 65535
  }
}
