import { describe, expect, it } from 'vitest'
import { CORRECT_EXECUTOR } from '../../src/engine/variant.ts'
import { nonPreemptingChoice, TapeStrategy, tapeIndex } from '../../sim/decision-tape.ts'
import { DEFAULT_CONFIG, execute, resolveStrategy, runSeed } from '../../sim/run.ts'
import { DfsExplorer } from '../../sim/strategies/dfs.ts'
import { Pct } from '../../sim/strategies/pct.ts'
import { STRATEGY_NAMES } from '../../sim/strategies/strategy.ts'
import { cmd, scenario } from './helpers.ts'

const view = (enabled: number[], previous = -1, step = 0) => ({ step, enabled, count: enabled.length, previous })

describe('strategies', () => {
  it('one run per strategy passes on the correct executor', async () => {
    for (const strategy of STRATEGY_NAMES) {
      const r = await runSeed({ ...DEFAULT_CONFIG, seed: 7, strategy })
      expect(r.verdict, `${strategy}: ${r.violations[0]?.message}`).toBe('pass')
      expect(r.steps).toBeGreaterThan(0)
    }
  })

  it('the portfolio rotates random, PCT d=2, PCT d=3 and DFS across seeds', () => {
    const names = [0, 1, 2, 3, 4].map((seed) => resolveStrategy({ ...DEFAULT_CONFIG, seed }))
    expect(names.map((n) => `${n.name}${n.depth}`)).toEqual(['random0', 'pct2', 'pct3', 'dfs2', 'random0'])
  })

  it('tapes: entries are taken modulo the choices, and an exhausted tape continues without preempting', () => {
    expect(tapeIndex(7, 3)).toBe(1)
    expect(tapeIndex(-1, 3)).toBe(2)
    const tape = new TapeStrategy([5])
    expect(tape.choose(view([1, 2, 3]))).toBe(2)
    expect(tape.choose(view([1, 2, 3], 2))).toBe(1)
    expect(nonPreemptingChoice(view([1, 3], 2))).toBe(0)
  })

  it('PCT with d=1 always runs the highest-priority enabled actor', () => {
    const pct = new Pct(3, [1, 2, 3], 1, 100)
    const first = pct.choose(view([1, 2, 3, 0]))
    const winner = [1, 2, 3, 0][first]
    for (let step = 1; step < 20; step++) {
      expect([1, 2, 3, 0][pct.choose(view([1, 2, 3, 0], winner, step))]).toBe(winner)
    }
    // Without the winner, someone else is chosen, consistently.
    const rest = [1, 2, 3, 0].filter((a) => a !== winner)
    const second = rest[pct.choose(view(rest, -1, 30))]
    expect(rest[pct.choose(view(rest, second, 31))]).toBe(second)
  })

  it('PCT with d=3 changes priorities at two points', () => {
    const pct = new Pct(11, [1, 2], 3, 10)
    const picks = Array.from({ length: 12 }, (_, step) => [1, 2, 0][pct.choose(view([1, 2, 0], -1, step))])
    expect(new Set(picks).size).toBeGreaterThan(1)
  })

  it('DFS enumerates distinct schedules and exhausts a small scenario within its preemption bound', async () => {
    const sc = scenario([[cmd('SET', 'a', '1')], [cmd('GET', 'a')]])
    const seen = new Set<string>()
    for (const bound of [0, 1, 2]) {
      const explorer = new DfsExplorer(bound)
      const tapes: string[] = []
      while (explorer.next()) {
        const e = await execute({
          scenario: sc,
          strategy: explorer.strategy(),
          variant: CORRECT_EXECUTOR,
          maxSteps: 500,
        })
        expect(e.violations).toEqual([])
        tapes.push(e.tape.join(','))
        if (tapes.length > 500) break
      }
      expect(new Set(tapes).size).toBe(tapes.length)
      // Without preemptions the only freedom is who starts (nobody ran before the first step).
      if (bound === 0) expect(tapes).toEqual(['0,0,0', '1,1,1'])
      for (const t of tapes) seen.add(t)
      // GET sees nil or '1' depending on the order: both appear once a preemption is allowed.
      if (bound >= 1) expect(tapes.length).toBeGreaterThan(2)
    }
    expect(seen.size).toBeGreaterThan(3)
  })
})
