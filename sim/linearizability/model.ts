/**
 * The sequential specification a history is checked against, in the shape of Porcupine's `Model`.
 *
 * The checker knows nothing about the system under test: it only asks the model "from this state, can this input
 * have produced this output, and what is the state afterwards?". Everything Redis-specific lives in sim/model/.
 *
 * States must be immutable values: the search keeps old states on its stack and in its cache and steps from them
 * again after backtracking, so `step` must return a new state rather than change the one it was given.
 */
export interface Model<State, Input, Output> {
  /** The state before any operation (e.g. the empty keyspace). */
  init(): State

  /**
   * Applies `input` to `state`. `output` is what the client observed; `undefined` means the outcome is unknown (the
   * client disconnected), so any output is acceptable and only the effect matters. Returns the next state, or
   * `undefined` when `state` cannot produce `output` for `input` (the operation cannot be linearized here).
   */
  step(state: State, input: Input, output: Output | undefined): State | undefined

  /** A 32-bit hash of a state; equal states must hash equally. Used with `equal` to memoize the search. */
  hash(state: State): number

  /** Structural equality of two states. */
  equal(a: State, b: State): boolean

  /**
   * What the operation touches, for P-compositionality: operations whose key sets are disjoint (transitively) are
   * checked as independent sub-histories. `'all'` means the operation may observe or change anything (e.g. DBSIZE):
   * every operation then falls into one partition. `'broadcast'` marks an instantaneous global event that each
   * partition must see (a clock tick, invoke = return): it is copied into every partition. Omit the method to never
   * split.
   */
  keys?(input: Input): readonly string[] | 'all' | 'broadcast'

  /** One line for reports and the visualizer, e.g. `INCR counter -> 3`. */
  describeOperation(input: Input, output: Output | undefined): string

  /** A short human-readable rendering of a state, for the visualizer's "state after this step" column. */
  describeState(state: State): string
}
