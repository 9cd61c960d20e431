/**
 * Drives the engine's timers (src/engine/timers.ts) in real time: one real timer, always armed for the earliest due
 * time, re-armed whenever that changes. The engine itself never touches real time; the TCP server (and anyone using an
 * Engine with the system clock outside the simulator) calls this.
 */
import type { Engine } from '../engine/engine.ts'

/** Starts driving `engine.timers` on real timers; returns the function that stops it. */
export function driveTimersInRealTime(engine: Engine): () => void {
  let armed: NodeJS.Timeout | null = null
  let armedFor = Number.POSITIVE_INFINITY
  let stopped = false

  const fire = () => {
    armed = null
    armedFor = Number.POSITIVE_INFINITY
    engine.runDueTimers()
    arm()
  }

  function arm(): void {
    if (stopped) return
    const due = engine.timers.nextDue()
    if (due === undefined) {
      if (armed) clearTimeout(armed)
      armed = null
      armedFor = Number.POSITIVE_INFINITY
      return
    }
    if (armed && armedFor <= due) return
    if (armed) clearTimeout(armed)
    // setTimeout takes at most a 32-bit delay; a later timer is simply re-armed when this one fires.
    const delay = Math.min(Math.max(0, due - engine.clock.now()), 2 ** 31 - 1)
    armedFor = due
    armed = setTimeout(fire, delay)
    armed.unref()
  }

  engine.timers.onChange = arm
  arm()
  return () => {
    stopped = true
    engine.timers.onChange = null
    if (armed) clearTimeout(armed)
    armed = null
  }
}
