import type { LinearizabilityResult, PartitionResult, Verdict } from './checker.ts'
import { type History, prepareHistory } from './history.ts'
import type { Model } from './model.ts'

/**
 * A JSON-safe, self-describing view of a check, for race reports and the HTML visualizer: each partition's
 * operations (client lane, interval, one-line description), the linearization found (or the deepest partial one)
 * with the model state after each step, and for a violation the blocked operation and the minimal failing set.
 */

export interface OperationView {
  id: number
  client: number | string
  invoke: number
  /** null when the outcome is unknown. */
  return: number | null
  description: string
}

export interface StepView {
  id: number
  /** The model state right after this operation took effect. */
  state: string
}

export interface PartitionView {
  keys: string[]
  verdict: Verdict
  steps: number
  operations: OperationView[]
  /** The witness order ('ok') or the deepest partial linearization the search reached. */
  linearization: StepView[]
  blocked?: OperationView
  minimal?: OperationView[]
  prefixEvents?: number
  /** States the blocked operation could have been applied to (none gives its reply). */
  statesBefore?: string[]
  exact?: boolean
}

export interface LinearizabilityView {
  verdict: Verdict
  steps: number
  partitions: PartitionView[]
}

export interface ViewOptions {
  /** Also describe partitions that passed (default false: reports stay small). */
  includePassing?: boolean
}

export function linearizabilityView<State, Input, Output>(
  model: Model<State, Input, Output>,
  history: History<Input, Output>,
  result: LinearizabilityResult,
  options: ViewOptions = {},
): LinearizabilityView {
  const ops = prepareHistory(history)
  const byId = new Map(ops.map((op) => [op.id, op]))
  const opView = (id: number): OperationView => {
    const op = byId.get(id)!
    return {
      id,
      client: op.client,
      invoke: op.invoke,
      return: op.known ? op.return : null,
      description: model.describeOperation(op.input, op.output),
    }
  }
  const replay = (order: readonly number[]): StepView[] => {
    const steps: StepView[] = []
    let state = model.init()
    for (const id of order) {
      const op = byId.get(id)!
      const next = model.step(state, op.input, op.output)
      if (next === undefined) break
      state = next
      steps.push({ id, state: model.describeState(state) })
    }
    return steps
  }
  const partitionView = (part: PartitionResult): PartitionView => {
    const view: PartitionView = {
      keys: part.keys,
      verdict: part.verdict,
      steps: part.steps,
      operations: part.operations.map(opView),
      linearization: replay(part.linearization ?? part.longestPartial ?? []),
    }
    const explanation = part.explanation
    if (explanation !== undefined) {
      if (explanation.blockedOperation !== undefined) view.blocked = opView(explanation.blockedOperation)
      view.minimal = explanation.minimal.map(opView)
      view.prefixEvents = explanation.prefixEvents
      view.statesBefore = explanation.statesBefore
      view.exact = explanation.exact
    }
    return view
  }
  return {
    verdict: result.verdict,
    steps: result.steps,
    partitions: result.partitions.filter((p) => options.includePassing || p.verdict !== 'ok').map(partitionView),
  }
}

/** A plain-text summary of a view, for the terminal and the top of a race report. */
export function formatLinearizability(view: LinearizabilityView): string {
  const lines = [`linearizability: ${view.verdict} (${view.steps} search steps)`]
  for (const part of view.partitions) {
    if (part.verdict === 'ok') continue
    lines.push(`  keys [${part.keys.join(', ')}]: ${part.verdict}, ${part.operations.length} operations`)
    if (part.verdict === 'unknown') {
      lines.push('    search budget exhausted: this partition is NOT known to be linearizable')
      continue
    }
    if (part.blocked) {
      lines.push(`    first reply no linearization explains: ${formatOperation(part.blocked)}`)
      if (part.statesBefore?.length) {
        lines.push('    the states it could have been applied to:')
        for (const state of part.statesBefore) lines.push(`      ${state}`)
      }
    }
    if (part.minimal) {
      const exact = part.exact ? '' : ' (not proven minimal: some probes ran out of budget)'
      lines.push(`    replies that cannot all be right, given the effects of the other operations${exact}:`)
      for (const op of part.minimal) lines.push(`      ${formatOperation(op)}`)
    }
  }
  return lines.join('\n')
}

function formatOperation(op: OperationView): string {
  const end = op.return === null ? 'unknown' : String(op.return)
  return `#${op.id} client ${op.client} [${op.invoke}, ${end}] ${op.description}`
}
