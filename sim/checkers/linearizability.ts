/**
 * The linearizability checker as a simulator checker (sim/checkers/types.ts): it reads only the run's history, never
 * the executor's order or the keyspace, and judges it against the sequential Redis model (sim/model).
 * Register it by adding `linearizability` to CHECKERS in sim/checkers/index.ts.
 */
import type { Checker, RecordedRun, Violation } from './types.ts'
import { attachClients, redisModel } from '../model/redis-model.ts'
import { type CheckOptions, checkLinearizability, type LinearizabilityResult } from '../linearizability/checker.ts'
import type { History } from '../linearizability/history.ts'
import { type LinearizabilityView, linearizabilityView } from '../linearizability/report.ts'

/**
 * Search budget per partition in the simulator: simulated histories are small (a few clients, tens of operations),
 * so this is far above what a correct run needs, yet bounds the time a pathological one can take. Running out is
 * reported, never passed.
 */
export const SIM_CHECK_OPTIONS: CheckOptions = { maxSteps: 200_000, maxStepsPerProbe: 50_000, maxProbes: 500 }

/** Checks a simulated history (the recorder's); throws only on a malformed history. */
export function checkSimHistory(history: History, options: CheckOptions = SIM_CHECK_OPTIONS): LinearizabilityResult {
  return checkLinearizability(redisModel(), attachClients(history), options)
}

/** The JSON-safe explanation of a check, for race reports and their HTML timeline. */
export function explainSimHistory(history: History, result: LinearizabilityResult): LinearizabilityView {
  return linearizabilityView(redisModel(), attachClients(history), result)
}

export const linearizability = {
  name: 'linearizability',
  kinds: [
    {
      kind: 'linearizability',
      property: 'linearizable',
      catches: true,
      description: 'no order of the operations within their intervals explains the replies under the sequential model',
    },
    {
      kind: 'linearizability-unknown',
      property: 'linearizable',
      catches: false,
      description:
        'not judged: the search budget ran out, or the model does not specify a command of the history (never a pass)',
    },
  ],
  check(run: RecordedRun): Violation[] {
    const history: History = run.history
    let result: LinearizabilityResult
    try {
      result = checkSimHistory(history)
    } catch (error) {
      // A command or script the model does not specify: the history cannot be judged, which is not a pass.
      return [
        violationOf('linearizability-unknown', `linearizability not judged: ${(error as Error).message}`, [], [], run),
      ]
    }
    if (result.verdict === 'ok') return []
    const model = redisModel()
    const byId = new Map(history.map((op, index) => [op.id ?? index, op]))
    const describe = (id: number): string => {
      const op = byId.get(id)!
      return `#${id} ${model.describeOperation(attachClients([op])[0].input, op.return === null ? undefined : op.output)}`
    }
    const violations: Violation[] = []
    for (const part of result.partitions) {
      if (part.verdict === 'unknown') {
        violations.push(
          violationOf(
            'linearizability-unknown',
            `keys ${part.keys.join(', ')}: search budget exhausted after ${part.steps} steps over ` +
              `${part.operations.length} operations, not known to be linearizable`,
            part.operations,
            part.keys,
            run,
          ),
        )
      } else if (part.verdict === 'violation') {
        const explanation = part.explanation
        const culprits = explanation?.minimal.length ? explanation.minimal : part.operations
        const blocked = explanation?.blockedOperation
        const head = blocked === undefined ? 'no linearization' : `no linearization explains ${describe(blocked)}`
        violations.push(
          violationOf(
            'linearizability',
            `keys ${part.keys.join(', ')}: ${head}; replies that cannot all be right: ${culprits.map(describe).join(', ')}`,
            culprits,
            part.keys,
            run,
          ),
        )
      }
    }
    return violations
  },
} as const satisfies Checker

function violationOf(
  kind: 'linearizability' | 'linearizability-unknown',
  message: string,
  operations: number[],
  keys: string[],
  run: RecordedRun,
): Violation {
  const clients = new Set<number>()
  for (const op of run.history) if (operations.includes(op.id)) clients.add(op.client)
  return { kind, message, operations, clients: [...clients], keys, accesses: [] }
}
