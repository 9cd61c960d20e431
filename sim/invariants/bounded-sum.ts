import { isError, type Op, returnOf } from './types.ts'

/**
 * The arithmetic shared by the counter and transfer invariants: a value that only changes by known deltas (each
 * applied atomically at some point of its operation's interval) must, when observed, lie between what the
 * acknowledged deltas force and what the uncertain ones allow.
 *
 * For an observation during [invoke, return]:
 *   definite = deltas acknowledged before it was invoked (they certainly happened before it), plus its own;
 *   optional = deltas invoked before it returned that are not definite, acknowledged or of unknown outcome
 *              (each may fall before or after it, or never happen when unknown);
 *   initial + definite + (negative optionals) <= observed <= initial + definite + (positive optionals).
 */

export interface Delta {
  op: Op
  id: number
  amount: number
}

export interface Observation {
  op: Op
  id: number
  value: number
  /** The delta this observation belongs to (an increment's reply is the value right after its own delta). */
  own?: Delta
}

export interface BoundsBreach {
  observation: Observation
  low: number
  high: number
  /** The deltas that certainly preceded the observation. */
  definite: Delta[]
}

/** Deltas whose operations may have taken effect: acknowledged without error, or of unknown outcome. */
export function effective(deltas: readonly Delta[]): Delta[] {
  return deltas.filter((d) => !isError(d.op.output))
}

export function checkBounds(
  initial: number,
  deltas: readonly Delta[],
  observations: readonly Observation[],
): BoundsBreach[] {
  const breaches: BoundsBreach[] = []
  const live = effective(deltas)
  for (const observation of observations) {
    const invoked = observation.op.invoke
    const returned = returnOf(observation.op)
    let base = initial
    let low = 0
    let high = 0
    const definite: Delta[] = []
    for (const delta of live) {
      const certain = delta === observation.own || (delta.op.return !== null && returnOf(delta.op) < invoked)
      if (certain) {
        base += delta.amount
        definite.push(delta)
      } else if (delta.op.invoke <= returned) {
        if (delta.amount < 0) low += delta.amount
        else high += delta.amount
      }
    }
    if (observation.value < base + low || observation.value > base + high) {
      breaches.push({ observation, low: base + low, high: base + high, definite })
    }
  }
  return breaches
}

/** A decimal integer reply/value as a number (nil counts as 0, an absent counter); undefined when not an integer. */
export function integerValue(value: unknown): number | undefined {
  if (value === null) return 0
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined
  if (typeof value === 'string' && /^-?(0|[1-9][0-9]*)$/.test(value)) return Number(value)
  return undefined
}
