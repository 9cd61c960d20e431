import { describe, expect, it } from 'vitest'
import { DEFAULT_CONFIG, runSeed } from '../../sim/run.ts'
import {
  buildScenario,
  fixtureScripts,
  hasCommand,
  scriptAvailable,
  WorkloadError,
  workloads,
} from '../../sim/workloads.ts'

describe('workloads', () => {
  it('every fixture workload runs on the correct executor, or says clearly what this build lacks', async () => {
    expect(workloads().size).toBeGreaterThanOrEqual(11)
    for (const [name, spec] of workloads()) {
      const missing = (spec.requires ?? []).filter((c) => !hasCommand(c))
      const runnable =
        (spec.commands ?? []).some((c) => hasCommand(c.argv[0])) ||
        (spec.scripts ?? []).some((s) => scriptAvailable(s.script))
      if (missing.length > 0 || !runnable) {
        expect(() => buildScenario(name, 1)).toThrow(WorkloadError)
        continue
      }
      for (const seed of [1, 2]) {
        const r = await runSeed({ ...DEFAULT_CONFIG, seed, workload: name, strategy: 'random' })
        expect(r.verdict, `${name} seed ${seed}: ${r.violations[0]?.message}`).toBe('pass')
        expect(r.operations).toBeGreaterThan(0)
      }
    }
  })

  it('the real-world scripts are fixtures, each declaring the commands it needs', () => {
    const scripts = fixtureScripts()
    expect([...scripts.keys()].sort()).toEqual([
      'append-or-raise',
      'cas',
      'counter',
      'guarded-incr',
      'list-append',
      'lock',
      'rate-limiter',
      'slow-swap',
      'steps',
      'transfer',
      'ttl-read',
    ])
    for (const script of scripts.values()) {
      expect(script.requires.length).toBeGreaterThan(0)
      expect(script.sha).toMatch(/^[0-9a-f]{40}$/)
    }
  })

  it('swarm draws sizes and features from the seed; flags override the sizes', () => {
    const sizes = new Set<string>()
    for (let seed = 1; seed <= 20; seed++) {
      const s = buildScenario('swarm', seed)
      sizes.add(`${s.clients}/${s.opsPerClient}/${s.keys}`)
      expect(s.programs).toHaveLength(s.clients)
    }
    expect(sizes.size).toBeGreaterThan(5)
    const fixed = buildScenario('swarm', 3, { clients: 4, ops: 7, keys: 2, faults: false })
    expect(fixed.programs.map((p) => p.length)).toEqual([7, 7, 7, 7])
    expect(fixed.faults.disconnects).toEqual([])
    expect(JSON.stringify(buildScenario('swarm', 3))).toBe(JSON.stringify(buildScenario('swarm', 3)))
  })

  it('uses only commands the table has, and includes script operations exactly when EVAL exists', () => {
    const kinds = new Set<string>()
    for (let seed = 1; seed <= 30; seed++) {
      for (const program of buildScenario('swarm', seed).programs) {
        for (const op of program) {
          kinds.add(op.kind)
          if (op.kind === 'command') expect(hasCommand(op.argv[0])).toBe(true)
        }
      }
    }
    expect(kinds.has('script')).toBe(hasCommand('eval'))
    expect(kinds.has('multi')).toBe(true)
    expect(kinds.has('command')).toBe(true)
  })

  it('unknown workloads are an error', () => {
    expect(() => buildScenario('nope', 1)).toThrow(/unknown workload 'nope'/)
  })
})
