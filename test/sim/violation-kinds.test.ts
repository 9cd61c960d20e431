/**
 * The registry of violation kinds (sim/checkers/registry.ts) against what the code reports and what the docs say:
 * every kind a checker, the seed runner or a worker can report is registered (and declared by the checker that reports
 * it), no registered kind is dead, the properties partition the kinds, and docs/simulator.md's table is current.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { CHECKERS } from '../../sim/checkers/index.ts'
import { renderKindTable, withKindTable } from '../../sim/checkers/kind-table.ts'
import { PROPERTY_SUMMARIES } from '../../sim/checkers/properties.ts'
import {
  CATCH_KINDS,
  collectKinds,
  HARNESS_KINDS,
  PROPERTIES,
  RACE_REPORT,
  SEED_RUNNER,
  VIOLATION_KINDS,
} from '../../sim/checkers/registry.ts'
import type { Checker, KindSource } from '../../sim/checkers/types.ts'

const SIM = resolve(import.meta.dirname, '../../sim')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'user' ? [] : sourceFiles(path) // user simulations report their own failures
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

/**
 * The kinds a source text reports: the first argument of `violation(...)` / `violationOf(...)`, the `invariant:`
 * of a workload invariant's violation, and a kind a report assigns. A kind passed any other way would escape this scan, so the scan also fails on
 * a `violation(` whose first argument is not a string literal.
 */
function reportedKinds(source: string): { kinds: string[]; dynamic: string[] } {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1')
  const kinds: string[] = []
  const dynamic: string[] = []
  // Calls, not the factories' own declarations (`function violation(kind: ...`).
  for (const m of code.matchAll(/(?<!function\s+)\b(?:violation|violationOf)\(\s*([^,)\s]+)/g)) {
    const literal = /^'([^']+)'$/.exec(m[1])
    if (literal) kinds.push(literal[1])
    else dynamic.push(m[0])
  }
  for (const m of code.matchAll(/\binvariant:\s*'([^']+)'/g)) kinds.push(m[1])
  // A report's refinement of a checker's kind (`kind = 'interleaved-access'`).
  for (const m of code.matchAll(/(?<![-.])\bkind\s*=\s*'([^']+)'\s*;?$/gm)) kinds.push(m[1])
  return { kinds, dynamic }
}

describe('violation kinds', () => {
  const files = sourceFiles(SIM)

  it('the scan reads every way a kind is reported', () => {
    const sample = [
      "violation('deadlock', 'x')",
      'violation(',
      "  'livelock',",
      '  `no end`,',
      ')',
      "violationOf('linearizability', message, [], [], run)",
      "violations.push({ invariant: 'queue', message, operations, keys })",
      "if (!wrote) kind = 'interleaved-access'",
      "if (outcome.kind === 'done') return",
      "html += `<tr data-kind='script'>`",
      'const kind =',
      "  'script' in op.input ? 'script' : 'command'",
      "// violation('commented-out', 'x')",
      'violation(someKind, message)',
      'export function violation(kind: string, message: string) {}',
    ].join('\n')
    expect(reportedKinds(sample)).toEqual({
      kinds: ['deadlock', 'livelock', 'linearizability', 'queue', 'interleaved-access'],
      dynamic: ['violation(someKind'],
    })
  })

  it('every kind the simulator reports is registered, and none registered is dead', () => {
    const reported = new Map<string, string[]>()
    const dynamic: string[] = []
    for (const file of files) {
      const found = reportedKinds(readFileSync(file, 'utf8'))
      for (const kind of found.kinds) reported.set(kind, [...(reported.get(kind) ?? []), relative(SIM, file)])
      dynamic.push(...found.dynamic.map((call) => `${relative(SIM, file)}: ${call}`))
    }
    expect(dynamic).toEqual([])
    expect(reported.size).toBeGreaterThan(10)
    const unregistered = [...reported].filter(([kind]) => !VIOLATION_KINDS.has(kind as never))
    expect(unregistered).toEqual([])
    const dead = [...VIOLATION_KINDS.keys()].filter((kind) => !reported.has(kind))
    expect(dead).toEqual([])
  })

  it('each checker module reports only the kinds its checkers declare', async () => {
    const checkerFiles = files.filter((f) => f.startsWith(join(SIM, 'checkers')))
    let judged = 0
    for (const file of checkerFiles) {
      const exported = Object.values(await import(pathToFileURL(file).href)) as unknown[]
      const checkers = exported.filter((value): value is Checker => CHECKERS.includes(value as Checker))
      const declared = new Set(checkers.flatMap((c) => c.kinds.map((k) => k.kind)))
      const kinds = reportedKinds(readFileSync(file, 'utf8')).kinds
      if (checkers.length === 0) {
        expect(kinds, `${relative(SIM, file)} reports kinds but exports no registered checker`).toEqual([])
        continue
      }
      judged++
      expect(
        kinds.filter((k) => !declared.has(k)),
        `${relative(SIM, file)} reports kinds its checkers do not declare`,
      ).toEqual([])
    }
    // Every registered checker was found in its module.
    expect(judged).toBeGreaterThanOrEqual(6)
  })

  it('the registry holds every checker and the seed runner, once each, in reporting order', () => {
    const names = CHECKERS.map((c) => c.name)
    expect(new Set(names).size).toBe(names.length)
    const sources = [...VIOLATION_KINDS.values()].flatMap((k) => k.sources)
    for (const name of [...names, SEED_RUNNER.name, RACE_REPORT.name]) expect(sources).toContain(name)
    expect(VIOLATION_KINDS.get('connection-order')?.sources).toEqual(['scheduler', 'connection-order'])
  })

  it('refuses a kind declared two different ways, or twice by one source', () => {
    const spec = { kind: 'k', property: 'clean-run', catches: true, description: 'd' } as const
    const a: KindSource = { name: 'a', kinds: [spec] }
    expect(collectKinds([a, { name: 'b', kinds: [spec] }]).get('k')?.sources).toEqual(['a', 'b'])
    expect(() => collectKinds([a, { name: 'b', kinds: [{ ...spec, catches: false }] }])).toThrow(
      "violation kind 'k' is declared differently by a and b",
    )
    expect(() => collectKinds([a, { name: 'b', kinds: [{ ...spec, property: 'invariants' }] }])).toThrow(/differently/)
    expect(() => collectKinds([{ name: 'a', kinds: [spec, spec] }])).toThrow("a declares 'k' twice")
  })

  it('the properties partition the kinds that have one, and what catches a mutant', () => {
    expect(Object.keys(PROPERTIES).sort()).toEqual(Object.keys(PROPERTY_SUMMARIES).sort())
    for (const [name, kinds] of Object.entries(PROPERTIES)) {
      expect(kinds.length, name).toBeGreaterThan(0)
      for (const kind of kinds) expect(VIOLATION_KINDS.get(kind)?.property).toBe(name)
    }
    const withProperty = [...VIOLATION_KINDS.values()].filter((k) => k.property !== null).map((k) => k.kind)
    expect(Object.values(PROPERTIES).flat().sort()).toEqual(withProperty.sort())
    for (const k of VIOLATION_KINDS.values()) {
      expect(CATCH_KINDS.has(k.kind), k.kind).toBe(k.catches)
      expect(HARNESS_KINDS.has(k.kind), k.kind).toBe(k.harness === true)
      // A kind that catches must be one some property run can report; a harness failure never catches.
      if (k.catches) expect(k.property, k.kind).not.toBeNull()
      if (k.harness) expect(k.catches, k.kind).toBe(false)
    }
  })

  it("docs/simulator.md's table matches the registry (npm run docs:checkers rewrites it)", () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../../docs/simulator.md'), 'utf8')
    const table = renderKindTable(VIOLATION_KINDS.values())
    for (const kind of VIOLATION_KINDS.keys()) expect(table).toContain(`\`${kind}\``)
    expect(withKindTable(doc, table)).toBe(doc)
  })
})
