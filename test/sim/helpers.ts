/** Helpers for simulator tests: hand-made scenarios and quick runs. */
import { CORRECT_EXECUTOR, type ExecutorVariant } from '../../src/engine/variant.ts'
import { TapeStrategy } from '../../sim/decision-tape.ts'
import { defaultMaxSteps, type Execution, execute } from '../../sim/run.ts'
import type { Strategy } from '../../sim/strategies/strategy.ts'
import type { Operation, Scenario } from '../../sim/workloads.ts'

export function scenario(programs: Operation[][], extra: Partial<Scenario> = {}): Scenario {
  return {
    workload: 'test',
    seed: 1,
    clients: programs.length,
    opsPerClient: Math.max(0, ...programs.map((p) => p.length)),
    keys: 1,
    setup: [],
    programs,
    faults: { disconnects: [] },
    timer: { events: 0, stepMs: 1 },
    scripts: {},
    ...extra,
  }
}

export function cmd(...argv: string[]): Operation {
  return { kind: 'command', argv }
}

export function run(
  sc: Scenario,
  options: { tape?: number[]; strategy?: Strategy; variant?: ExecutorVariant; maxSteps?: number } = {},
): Promise<Execution> {
  return execute({
    scenario: sc,
    strategy: options.strategy ?? new TapeStrategy(options.tape ?? []),
    variant: options.variant ?? CORRECT_EXECUTOR,
    maxSteps: options.maxSteps ?? defaultMaxSteps(sc),
    full: true,
  })
}
