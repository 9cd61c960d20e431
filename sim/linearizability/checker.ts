import { type History, type PreparedOperation, prepareHistory } from './history.ts'
import {
  type LinearizablePrefix,
  longestLinearizablePrefix,
  type MinimizeOptions,
  minimalViolation,
  statesBeforeBlocked,
} from './minimize.ts'
import type { Model } from './model.ts'
import { partitionByKeys } from './partition.ts'
import { DEFAULT_MAX_STEPS, searchLinearization } from './search.ts'

/**
 * The black-box linearizability checker: split the history into independent sub-histories (P-compositionality),
 * search each for a linearization, and explain any violation. Only the history and the model are used.
 *
 * Verdicts: 'violation' if any partition is proven non-linearizable; otherwise 'unknown' if any search ran out of
 * budget (never a pass); otherwise 'ok'.
 */

export type Verdict = 'ok' | 'violation' | 'unknown'

export interface CheckOptions extends MinimizeOptions {
  /** Model-step budget of each partition's search (default 1,000,000). */
  maxSteps?: number
  /** Explain violations with the longest linearizable prefix and a minimal failing set (default true). */
  explain?: boolean
  /** Split by keys (default true when the model can name the keys an operation touches). */
  partition?: boolean
}

export interface PartitionResult {
  keys: string[]
  /** Ids of the partition's operations, in history order. */
  operations: number[]
  verdict: Verdict
  steps: number
  /** For 'ok': a witness order (ids). Unknown-outcome operations left out of it did not take effect. */
  linearization?: number[]
  /** For 'violation' and 'unknown': the deepest partial linearization the search reached (ids, in order). */
  longestPartial?: number[]
  /** For an explained 'violation'. */
  explanation?: ViolationExplanation
}

export interface ViolationExplanation {
  /** The longest linearizable prefix of the partition's history, by events. */
  prefixEvents: number
  /** Ids of the operations invoked within that prefix. */
  prefixOperations: number[]
  /** The operation whose reply (its return, the next event) no linearization of the prefix can produce. */
  blockedOperation: number | undefined
  /**
   * Ids of operations whose replies cannot all be right, given the effects of every operation up to the failure
   * (the others' replies left free): always the blocked one, plus what it conflicts with. 1-minimal when `exact`.
   * A read of a value no linearization can produce conflicts with nothing but itself: `statesBefore` then says what
   * it could have seen.
   */
  minimal: number[]
  /**
   * The model states (described; at most 8, fewer if the probe budget ran out) the blocked operation could have been
   * applied to, given everything before its return: none of them produces its reply. They show what it should have
   * seen.
   */
  statesBefore: string[]
  /** False when the prefix or the minimal set may not be the tightest because some probe ran out of budget. */
  exact: boolean
}

export interface LinearizabilityResult {
  verdict: Verdict
  partitions: PartitionResult[]
  /** Total model steps spent by the searches (not counting the explanation's probes). */
  steps: number
}

export function checkLinearizability<State, Input, Output>(
  model: Model<State, Input, Output>,
  history: History<Input, Output>,
  options: CheckOptions = {},
): LinearizabilityResult {
  const ops = prepareHistory(history)
  const keysOf = model.keys?.bind(model)
  const touched = keysOf === undefined ? undefined : ops.map((op) => keysOf(op.input))
  touched?.forEach((keys, i) => {
    if (keys === 'broadcast' && !(ops[i].known && ops[i].return === ops[i].invoke)) {
      throw new Error(`history: broadcast operation ${ops[i].id} must be instantaneous (invoke = return)`)
    }
  })
  const split =
    options.partition !== false && touched !== undefined
      ? partitionByKeys(touched, (keys) => keys)
      : [{ keys: [], members: ops.map((_, i) => i) }]

  const partitions: PartitionResult[] = []
  let steps = 0
  let verdict: Verdict = 'ok'
  for (const part of split) {
    const sub = part.members.map((m, index) => ({ ...ops[m], index }))
    const result = checkPartition(model, sub, options)
    result.keys = part.keys
    partitions.push(result)
    steps += result.steps
    if (result.verdict === 'violation') verdict = 'violation'
    else if (result.verdict === 'unknown' && verdict === 'ok') verdict = 'unknown'
  }
  return { verdict, partitions, steps }
}

/** Checks one sub-history (operations indexed 0..n-1) and maps positions back to operation ids. */
function checkPartition<State, Input, Output>(
  model: Model<State, Input, Output>,
  ops: Array<PreparedOperation<Input, Output>>,
  options: CheckOptions,
): PartitionResult {
  const ids = (positions: readonly number[]): number[] => positions.map((p) => ops[p].id)
  const search = searchLinearization(model, ops, { maxSteps: options.maxSteps ?? DEFAULT_MAX_STEPS })
  const result: PartitionResult = {
    keys: [],
    operations: ids(ops.map((_, i) => i)),
    verdict: search.verdict,
    steps: search.steps,
  }
  if (search.verdict === 'ok') {
    result.linearization = ids(search.linearization)
    return result
  }
  result.longestPartial = ids(search.longestPartial)
  if (search.verdict === 'violation' && options.explain !== false) {
    const prefix: LinearizablePrefix = longestLinearizablePrefix(model, ops, options)
    const minimal = minimalViolation(model, ops, prefix, options)
    const before = statesBeforeBlocked(model, ops, prefix, options)
    result.explanation = {
      prefixEvents: prefix.events,
      prefixOperations: ids(prefix.operations),
      blockedOperation: prefix.blockedOperation === undefined ? undefined : ops[prefix.blockedOperation].id,
      minimal: ids(minimal.operations),
      statesBefore: before.states.map((state) => model.describeState(state)),
      exact: prefix.exact && minimal.exact,
    }
  }
  return result
}
