import { OperationSet } from './bitset.ts'
import { eventOrder, type PreparedOperation } from './history.ts'
import type { Model } from './model.ts'

/**
 * Wing & Gong's linearizability search with Lowe's memoization, over one (sub)history.
 *
 * The history is a doubly linked list of call and return events in time order. The search walks it from the head:
 * at a call it tries to linearize that operation next (step the model; on success lift the operation's call and
 * return out of the list and restart from the head); at a return it has met an operation that should already be
 * linearized, so it backtracks to the last choice and tries the next candidate. Lowe's cache records every
 * (set of linearized operations, model state) pair already explored: reaching one again cannot lead anywhere new.
 *
 * It is iterative (an explicit stack, no recursion depth limit), the list is "dancing links" (lift and unlift in
 * O(1) because they happen in stack order), the linearized set is a bitset with an O(1) Zobrist hash, and every
 * model step counts against a budget: running out is reported as 'unknown', never as a pass.
 *
 * Unknown-outcome operations have no return event: nothing ever forces them to be linearized. The search succeeds
 * as soon as every operation with a known outcome is linearized, because the rest can always be placed after all of
 * them (taking effect there, where nothing observes it, is the same as never taking effect).
 */

export interface SearchOptions {
  /** Maximum number of model steps before giving up with 'unknown'. */
  maxSteps?: number
}

export const DEFAULT_MAX_STEPS = 1_000_000

export type SearchResult =
  | {
      verdict: 'ok'
      steps: number
      /** Positions (in the searched array) in linearization order; unknown-outcome operations left out did not apply. */
      linearization: number[]
    }
  | {
      verdict: 'violation' | 'unknown'
      steps: number
      /** The deepest partial linearization the search reached (positions in order), for reports and the visualizer. */
      longestPartial: number[]
    }

interface CacheEntry<State> {
  high: number
  words: Uint32Array
  state: State
}

const END = -1

export function searchLinearization<State, Input, Output>(
  model: Model<State, Input, Output>,
  ops: ReadonlyArray<PreparedOperation<Input, Output>>,
  options: SearchOptions = {},
): SearchResult {
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS
  const n = ops.length
  let knownCount = 0
  for (const op of ops) if (op.known) knownCount++
  if (knownCount === 0) return { verdict: 'ok', steps: 0, linearization: [] }

  // Node 2i is the call of operation i, node 2i+1 its return; node 2n is the head sentinel.
  const head = 2 * n
  const next = new Int32Array(2 * n + 1)
  const prev = new Int32Array(2 * n + 1)
  linkEvents(ops, head, next, prev)

  const linearized = new OperationSet(n)
  const cache = new Map<number, Array<CacheEntry<State>>>()
  const stackOps = new Int32Array(n)
  const stackStates: State[] = new Array(n)
  let depth = 0
  let linearizedKnown = 0
  // The deepest partial linearization so far, copied into a typed array (backtracking from a new depth is frequent;
  // an Array per copy was a third of the search's allocations) and turned into an array only for the result.
  const longest = new Int32Array(n)
  let longestDepth = 0
  let state = model.init()
  let steps = 0
  let entry = next[head]

  const lift = (i: number): void => {
    const call = 2 * i
    next[prev[call]] = next[call]
    if (next[call] !== END) prev[next[call]] = prev[call]
    if (ops[i].known) {
      const ret = call + 1
      next[prev[ret]] = next[ret]
      if (next[ret] !== END) prev[next[ret]] = prev[ret]
    }
  }
  const unlift = (i: number): void => {
    const call = 2 * i
    if (ops[i].known) {
      const ret = call + 1
      next[prev[ret]] = ret
      if (next[ret] !== END) prev[next[ret]] = ret
    }
    next[prev[call]] = call
    if (next[call] !== END) prev[next[call]] = call
  }
  /** Records (linearized, state) unless already explored; returns whether it was new. */
  const remember = (candidate: State): boolean => {
    const key = (linearized.hashLow ^ Math.imul(model.hash(candidate), 0x9e3779b1)) >>> 0
    let bucket = cache.get(key)
    if (bucket === undefined) {
      bucket = []
      cache.set(key, bucket)
    } else {
      for (const seen of bucket) {
        if (seen.high === linearized.hashHigh && linearized.equals(seen.words) && model.equal(seen.state, candidate)) {
          return false
        }
      }
    }
    bucket.push({ high: linearized.hashHigh, words: linearized.snapshot(), state: candidate })
    return true
  }

  for (;;) {
    if (entry !== END && (entry & 1) === 0) {
      // A call: try to linearize this operation next.
      const i = entry >>> 1
      if (++steps > maxSteps) return { verdict: 'unknown', steps: maxSteps, longestPartial: partialOf(depth) }
      const op = ops[i]
      const after = model.step(state, op.input, op.output)
      if (after !== undefined) {
        linearized.toggle(i)
        if (remember(after)) {
          stackOps[depth] = i
          stackStates[depth] = state
          depth++
          state = after
          lift(i)
          if (op.known && ++linearizedKnown === knownCount) {
            return { verdict: 'ok', steps, linearization: partialOf(depth) }
          }
          entry = next[head]
          continue
        }
        linearized.toggle(i)
      }
      entry = next[entry]
      continue
    }
    // A return of an operation not linearized yet (or the end of the list): undo the last choice.
    if (depth > longestDepth) {
      longest.set(stackOps.subarray(0, depth))
      longestDepth = depth
    }
    if (depth === 0)
      return { verdict: 'violation', steps, longestPartial: Array.from(longest.subarray(0, longestDepth)) }
    depth--
    const i = stackOps[depth]
    state = stackStates[depth]
    stackStates[depth] = undefined as State
    linearized.toggle(i)
    unlift(i)
    if (ops[i].known) linearizedKnown--
    entry = next[2 * i]
  }

  function partialOf(length: number): number[] {
    return Array.from(stackOps.subarray(0, length))
  }
}

/** Links the events into the list in the search's order (see `eventOrder`). */
function linkEvents<Input, Output>(
  ops: ReadonlyArray<PreparedOperation<Input, Output>>,
  head: number,
  next: Int32Array,
  prev: Int32Array,
): void {
  let last = head
  for (const node of eventOrder(ops)) {
    next[last] = node
    prev[node] = last
    last = node
  }
  next[last] = END
}
