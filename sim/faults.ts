/**
 * Faults, planned from the seed before the run starts so that a run is fully described by its scenario and tape.
 *
 * A disconnect names a client and the count of its seam parks at which its connection closes, just before it would
 * continue from that park. Parks happen at every seam site, so the same plan covers a disconnect when a command
 * arrives (dropped), before it queues for the lock, once a release handed it the lock but before it resumed
 * ('lock-handed': dropped too), mid-EXEC or mid-script (the server finishes it and releases the lease), while it serves
 * a blocked client and just before the reply (the client never learns the outcome).
 *
 * A client that cannot run has no park to wait for: while it is queued for the lock or blocked on keys (BLPOP & co.),
 * its planned disconnect is also a choice of every scheduling decision, so the strategy decides whether it happens
 * inside the wait (queued for the lock: the command is dropped once the lock comes; blocked: it leaves every key
 * queue, its reply goes nowhere). An unblock fault (an entry with `unblock`) is CLIENT UNBLOCK, TIMEOUT or ERROR, sent
 * from another connection while the client is blocked on keys, likewise at a moment the strategy chooses.
 */
import type seedrandom from 'seedrandom'

export interface DisconnectFault {
  /** 0-based index of the simulated client. */
  client: number
  /** The client's park count (1-based) at which the connection closes. */
  atPark: number
  /**
   * Not a disconnect: CLIENT UNBLOCK of this client, once, while it is blocked on keys (its reply: a nil array for
   * TIMEOUT, the UNBLOCKED error for ERROR). `atPark` is then unused. Kept in the same list so that shrinking, which
   * renumbers and drops clients' faults, treats both kinds alike.
   */
  unblock?: 'timeout' | 'error'
}

export interface FaultPlan {
  disconnects: DisconnectFault[]
}

export const NO_FAULTS: FaultPlan = Object.freeze({ disconnects: [] })

/**
 * Each client disconnects with probability `rate`, at a park drawn uniformly over roughly its whole program (every
 * operation parks three or four times).
 */
export function planFaults(prng: seedrandom.PRNG, clients: number, opsPerClient: number, rate: number): FaultPlan {
  const disconnects: DisconnectFault[] = []
  if (rate <= 0) return { disconnects }
  const span = Math.max(1, opsPerClient * 4)
  for (let client = 0; client < clients; client++) {
    if (prng.quick() < rate) disconnects.push({ client, atPark: 1 + Math.floor(prng.quick() * span) })
  }
  return { disconnects }
}

/**
 * CLIENT UNBLOCK faults for workloads with blocking commands: each client gets one with probability `rate`, TIMEOUT or
 * ERROR evenly. Drawn from a PRNG of their own, so the other draws of a scenario do not move.
 */
export function planUnblocks(prng: seedrandom.PRNG, clients: number, rate: number): DisconnectFault[] {
  const unblocks: DisconnectFault[] = []
  if (rate <= 0) return unblocks
  for (let client = 0; client < clients; client++) {
    if (prng.quick() < rate) unblocks.push({ client, atPark: 0, unblock: prng.quick() < 0.5 ? 'timeout' : 'error' })
  }
  return unblocks
}
