import { eventOrder, type PreparedOperation } from './history.ts'
import type { Model } from './model.ts'
import { searchLinearization } from './search.ts'

/**
 * Explaining a violation: where the history stops being linearizable, and the fewest replies that cannot all be
 * right. Both are found by re-running the search on variants of the history, each probe with its own budget. A probe
 * that runs out of budget is never taken as a proof: the answers stay sound (every reported set is a proven
 * violation) and are only marked as possibly not the tightest.
 *
 * Why replies, and not a sub-history: removing operations makes reads of the values they wrote impossible ("from
 * nowhere"), so a removal-minimal set collapses onto any read whose writer was dropped, whatever the real conflict.
 * Instead every operation stays, with its effect inside its interval, and only the *replies* outside the set are
 * left unconstrained: the set is then the conflict itself (two increments that both returned 1; a WATCHed EXEC that
 * succeeded and the script reply proving its key was written in between), in the context of everything else.
 */

export interface MinimizeOptions {
  /** Model-step budget of each probe search. */
  maxStepsPerProbe?: number
  /** Maximum number of probe searches for the whole minimization. */
  maxProbes?: number
}

export interface LinearizablePrefix {
  /** How many events (calls and returns, in time order) form the longest linearizable prefix. */
  events: number
  /** Positions of the operations invoked within that prefix. */
  operations: number[]
  /**
   * The operation whose return, the next event, cannot be explained by any linearization of what came before
   * (undefined when the whole history is linearizable or the probes were inconclusive).
   */
  blockedOperation: number | undefined
  /** False when some probe ran out of budget: the prefix is linearizable, but a longer one may be too. */
  exact: boolean
}

export interface MinimalViolation {
  /**
   * Positions (in history order) of operations whose replies cannot all be right, given the effects of every
   * operation up to the failure: with only these replies constrained the history is still not linearizable, and
   * (when `exact`) freeing any one of them makes it linearizable. Always holds the blocked operation; never an
   * unknown-outcome operation (it has no reply).
   */
  operations: number[]
  /** True when the set is 1-minimal; false if probes were cut short (it is then still a proven conflict). */
  exact: boolean
}

const DEFAULT_STEPS_PER_PROBE = 200_000
const DEFAULT_MAX_PROBES = 5_000

type Ops<Input, Output> = ReadonlyArray<PreparedOperation<Input, Output>>

/**
 * The longest prefix of the history (by events) that is linearizable. Linearizability is prefix-closed, so a binary
 * search over the cut point works; operations invoked before the cut but returning after it are pending there.
 */
export function longestLinearizablePrefix<State, Input, Output>(
  model: Model<State, Input, Output>,
  ops: Ops<Input, Output>,
  options: MinimizeOptions = {},
): LinearizablePrefix {
  const events = eventOrder(ops)
  const budget = options.maxStepsPerProbe ?? DEFAULT_STEPS_PER_PROBE
  let exact = true
  let low = 0 // a prefix known to be linearizable
  let high = events.length + 1 // the first length known not to be (events.length + 1 = none known)
  while (high - low > 1) {
    const middle = (low + high) >>> 1
    const verdict = searchLinearization(model, cutAt(ops, events, middle).ops, { maxSteps: budget }).verdict
    if (verdict === 'ok') low = middle
    else {
      if (verdict === 'unknown') exact = false
      high = middle
    }
  }
  const operations = cutAt(ops, events, low).positions
  const blocking = exact && low < events.length ? events[low] : undefined
  return {
    events: low,
    operations,
    blockedOperation: blocking === undefined ? undefined : blocking >>> 1,
    exact,
  }
}

/**
 * A 1-minimal set of conflicting replies, holding the blocked operation: cut the history just after the event where
 * the violation appears (the blocked operation's return), then free replies in shrinking chunks (delta debugging)
 * while the history still cannot be linearized.
 */
export function minimalViolation<State, Input, Output>(
  model: Model<State, Input, Output>,
  ops: Ops<Input, Output>,
  prefix: LinearizablePrefix,
  options: MinimizeOptions = {},
): MinimalViolation {
  const budget = options.maxStepsPerProbe ?? DEFAULT_STEPS_PER_PROBE
  let probesLeft = options.maxProbes ?? DEFAULT_MAX_PROBES
  let exact = true
  const events = eventOrder(ops)
  const cutLength = prefix.blockedOperation === undefined ? events.length : prefix.events + 1
  const cut = cutAt(ops, events, cutLength)
  const pinned = prefix.blockedOperation === undefined ? -1 : cut.positions.indexOf(prefix.blockedOperation)

  /** Whether the cut history, with only the replies of `constrained` (indexes into `cut.ops`) kept, still fails. */
  const fails = (constrained: readonly number[]): boolean => {
    if (probesLeft <= 0) {
      exact = false
      return false
    }
    probesLeft--
    const keep = new Set(constrained)
    if (pinned !== -1) keep.add(pinned)
    // A freed operation still takes effect within its interval; only its reply no longer constrains the search.
    const variant = cut.ops.map((op, i) => (keep.has(i) || !op.known ? op : { ...op, output: undefined }))
    const verdict = searchLinearization(model, variant, { maxSteps: budget }).verdict
    if (verdict === 'unknown') exact = false
    return verdict === 'violation'
  }

  let members = cut.ops.flatMap((op, i) => (op.known && i !== pinned ? [i] : []))
  let chunk = Math.max(1, members.length >>> 1)
  while (members.length > 0) {
    let removedAny = false
    for (let start = 0; start < members.length; ) {
      const candidate = members.slice(0, start).concat(members.slice(start + chunk))
      if (fails(candidate)) {
        members = candidate
        removedAny = true
      } else start += chunk
    }
    if (chunk > 1) chunk = Math.max(1, chunk >>> 1)
    else if (!removedAny) break
  }
  const result = pinned === -1 ? members : [...members, pinned].sort((a, b) => a - b)
  return { operations: result.map((m) => cut.positions[m]), exact }
}

/**
 * The model states the blocked operation could have been applied to (Knossos's "configurations"): every state
 * reachable by linearizing all operations that returned before its return, plus any of those still running, in an
 * order that respects real time. None of them yields the blocked operation's reply: they show what it should have
 * seen. Stops after `limit` distinct states, or when the probe budget runs out (`complete` is then false).
 */
export function statesBeforeBlocked<State, Input, Output>(
  model: Model<State, Input, Output>,
  ops: Ops<Input, Output>,
  prefix: LinearizablePrefix,
  options: MinimizeOptions & { limit?: number } = {},
): { states: State[]; complete: boolean } {
  if (prefix.blockedOperation === undefined) return { states: [], complete: false }
  const limit = options.limit ?? 8
  let budget = options.maxStepsPerProbe ?? DEFAULT_STEPS_PER_PROBE
  const cut = cutAt(ops, eventOrder(ops), prefix.events)
  const blocked = cut.positions.indexOf(prefix.blockedOperation)
  const n = cut.ops.length
  const known = cut.ops.filter((op) => op.known).length

  const states: State[] = []
  const seen = new Map<string, State[]>()
  const stack: Array<{ done: boolean[]; count: number; state: State }> = [
    { done: new Array(n).fill(false), count: 0, state: model.init() },
  ]
  while (stack.length > 0) {
    const { done, count, state } = stack.pop()!
    if (count === known && !states.some((s) => model.equal(s, state))) {
      states.push(state)
      if (states.length >= limit) return { states, complete: false }
    }
    // Real time: an operation may come next only if nothing still to linearize returned before it was invoked.
    let earliestReturn = Number.POSITIVE_INFINITY
    for (let i = 0; i < n; i++) if (!done[i] && cut.ops[i].return < earliestReturn) earliestReturn = cut.ops[i].return
    for (let i = 0; i < n; i++) {
      if (done[i] || i === blocked || cut.ops[i].invoke > earliestReturn) continue
      if (--budget < 0) return { states, complete: false }
      const next = model.step(state, cut.ops[i].input, cut.ops[i].output)
      if (next === undefined) continue
      const nextDone = done.slice()
      nextDone[i] = true
      const key = `${nextDone.map((d) => (d ? 1 : 0)).join('')}:${model.hash(next)}`
      const bucket = seen.get(key) ?? []
      if (bucket.some((s) => model.equal(s, next))) continue
      bucket.push(next)
      seen.set(key, bucket)
      stack.push({ done: nextDone, count: count + (cut.ops[i].known ? 1 : 0), state: next })
    }
  }
  return { states, complete: true }
}

/**
 * The sub-history of the first `length` events: operations invoked among them, with those whose return falls
 * later turned into pending (unknown-outcome) operations.
 */
function cutAt<Input, Output>(
  ops: Ops<Input, Output>,
  events: readonly number[],
  length: number,
): { ops: Array<PreparedOperation<Input, Output>>; positions: number[] } {
  const returned = new Set<number>()
  const invoked: number[] = []
  for (let e = 0; e < length; e++) {
    const node = events[e]
    if (node & 1) returned.add(node >>> 1)
    else invoked.push(node >>> 1)
  }
  invoked.sort((a, b) => a - b)
  const cutOps = invoked.map((position, index) => {
    const op = ops[position]
    return returned.has(position) || !op.known
      ? { ...op, index }
      : { ...op, index, return: Number.POSITIVE_INFINITY, known: false, output: undefined }
  })
  return { ops: cutOps, positions: invoked }
}
