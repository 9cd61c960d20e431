/**
 * The injected clock. Everything in the engine that needs time (expiry, TTL, TIME, busy-script thresholds, client
 * idle times) asks this object, so the simulator can run on virtual time and the same seed replays bit for bit.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch, with a fractional part where the clock has one. */
  now(): number
  /** Microseconds since the Unix epoch as a bigint, for TIME. */
  nowMicros(): bigint
}

/** The production clock: the only place in src/ that reads wall-clock time. */
export const systemClock: Clock = {
  now: () => Date.now(),
  nowMicros: () => {
    const ms = Date.now()
    const subMs = Math.floor((performance.now() % 1) * 1000)
    return BigInt(ms) * 1000n + BigInt(subMs)
  },
}

/** A clock that only moves when told to: the simulator's virtual time, also handy in tests. */
export class ManualClock implements Clock {
  constructor(private ms = 1_700_000_000_000) {}
  now(): number {
    return this.ms
  }
  nowMicros(): bigint {
    return BigInt(Math.floor(this.ms * 1000))
  }
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('a clock cannot go backwards')
    this.ms += ms
  }
  set(ms: number): void {
    this.ms = ms
  }
}
