import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fixtureScripts } from '../sim/workloads.ts'
import { PreemptionPoints } from './schedule.ts'
import { SCRIPT_ARBITRARIES, toScenario, workload } from './arbitraries.ts'

describe('property arbitraries', () => {
  it('cover every fixture script', () => {
    expect(Object.keys(SCRIPT_ARBITRARIES).sort()).toEqual([...fixtureScripts().keys()].sort())
  })

  it('give valid scenarios: placeholders filled, unique values unique, faults on existing clients', () => {
    fc.assert(
      fc.property(workload(), (generated) => {
        const scenario = toScenario(generated)
        const text = JSON.stringify(scenario.programs)
        expect(text).not.toMatch(/\$unique|\$client/)
        const uniques = text.match(/u\d+\.\d+\.\d+/g) ?? []
        expect(new Set(uniques).size).toBe(uniques.length)
        for (const f of scenario.faults.disconnects) expect(f.client).toBeLessThan(scenario.clients)
        for (const program of scenario.programs) {
          for (const op of program) if (op.kind === 'script') expect(scenario.scripts[op.script]).toBeDefined()
        }
      }),
      { seed: 1, numRuns: 200 },
    )
  })

  it('preemption points: no point never preempts; a point picks another enabled actor', () => {
    const view = (previous: number) => ({ step: 0, enabled: [1, 2, 3], count: 3, previous })
    const none = new PreemptionPoints([])
    expect(none.choose(view(2))).toBe(1)
    const one = new PreemptionPoints([{ at: 1, pick: 1 }])
    expect(one.choose(view(2))).toBe(1) // decision 0: keep running actor 2 (index 1)
    expect(one.choose(view(2))).toBe(2) // decision 1: the first other actor after it (actor 3)
    const wrap = new PreemptionPoints([{ at: 0, pick: 2 }])
    expect(wrap.choose(view(3))).toBe(1) // from actor 3 (index 2), the second other one wraps to actor 2
  })
})
