/**
 * Faults, planned from the seed before the run starts so that a run is fully described by its scenario and tape.
 *
 * A disconnect names a client and the count of its seam parks at which its connection closes, just before it would
 * continue from that park. Parks happen at every seam site, so the same plan covers a disconnect when a command
 * arrives (dropped), while it waits for the lock (the executor drops it once it acquires), mid-EXEC or mid-script (the
 * server finishes it and releases the lease) and just before the reply (the client never learns the outcome).
 */
import type seedrandom from 'seedrandom'

export interface DisconnectFault {
  /** 0-based index of the simulated client. */
  client: number
  /** The client's park count (1-based) at which the connection closes. */
  atPark: number
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
