import { eventOrder, type PreparedOperation } from './history.ts'
import type { Model } from './model.ts'
import { searchLinearization } from './search.ts'

/**
 * Explaining a violation: where the history stops being linearizable, and the fewest operations that still cannot
 * be linearized together. Both are found by re-running the search on sub-histories, each probe with its own budget.
 * A probe that runs out of budget is never taken as a proof: the answers stay sound (every reported set is a proven
 * violation) and are only marked as possibly not the tightest.
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
  /** Positions of the operations of a sub-history that cannot be linearized, in history order. */
  operations: number[]
  /**
   * Members whose return lies after the cut where the violation appears: in the sub-history they are pending
   * (unknown outcome), i.e. only their possible effect matters, not their reply.
   */
  pending: number[]
  /** True when removing any single member makes the rest linearizable (1-minimal); false if probes were cut short. */
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
 * A 1-minimal non-linearizable sub-history of a non-linearizable history: first cut it just after the event where
 * the violation appears, then drop operations in shrinking chunks (delta debugging) while what remains still fails.
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

  /** Whether the members (indexes into `cut.ops`) are proven not linearizable. */
  const fails = (members: readonly number[]): boolean => {
    if (probesLeft <= 0) {
      exact = false
      return false
    }
    probesLeft--
    const sub = members.map((m, index) => ({ ...cut.ops[m], index }))
    const verdict = searchLinearization(model, sub, { maxSteps: budget }).verdict
    if (verdict === 'unknown') exact = false
    return verdict === 'violation'
  }

  let members = cut.ops.map((_, i) => i)
  let chunk = Math.max(1, members.length >>> 1)
  for (;;) {
    let removedAny = false
    for (let start = 0; start < members.length; ) {
      const candidate = members.slice(0, start).concat(members.slice(start + chunk))
      if (candidate.length > 0 && fails(candidate)) {
        members = candidate
        removedAny = true
      } else start += chunk
    }
    if (chunk > 1) chunk = Math.max(1, chunk >>> 1)
    else if (!removedAny) break
  }

  return {
    operations: members.map((m) => cut.positions[m]),
    pending: members.filter((m) => !cut.ops[m].known && ops[cut.positions[m]].known).map((m) => cut.positions[m]),
    exact,
  }
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
