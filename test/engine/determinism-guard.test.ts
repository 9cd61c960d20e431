/**
 * Determinism is a product feature: the executor, keyspace, commands and Lua host read time and randomness only
 * through the injected clock and random source, and never touch timers or I/O. This test fails the build when a
 * forbidden call appears in those folders.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..', '..')
const GUARDED = ['src/engine', 'src/keyspace', 'src/commands', 'src/scripting', 'src/protocol']
/** The only files allowed to read the real clock or entropy: the default implementations of the injected seams. */
const ALLOWED = new Set(['src/engine/clock.ts', 'src/engine/random.ts'])
const FORBIDDEN: Array<[RegExp, string]> = [
  [/\bDate\.now\s*\(/, 'Date.now()'],
  [/\bnew Date\s*\(\s*\)/, 'new Date()'],
  [/\bMath\.random\s*\(/, 'Math.random()'],
  [/\bperformance\.now\s*\(/, 'performance.now()'],
  [/\bprocess\.hrtime\b/, 'process.hrtime'],
  [/\bset(Timeout|Interval|Immediate)\s*\(/, 'timers'],
  [/from ['"]node:(fs|net|http|child_process|dgram)['"]/, 'real I/O modules'],
]

function sourceFiles(dir: string): string[] {
  let out: string[] = []
  let entries: string[]
  try {
    entries = readdirSync(dir)
  } catch {
    return out
  }
  for (const name of entries) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) out = out.concat(sourceFiles(path))
    else if (name.endsWith('.ts')) out.push(path)
  }
  return out
}

/** Drops comments so that prose explaining the rule does not trip it. */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1')
}

describe('determinism guard', () => {
  const files = GUARDED.flatMap((d) => sourceFiles(join(ROOT, d)))

  it('finds the guarded sources', () => {
    expect(files.length).toBeGreaterThan(10)
  })

  it('no wall clock, unseeded randomness, timers or real I/O outside the injected defaults', () => {
    const violations: string[] = []
    for (const file of files) {
      const rel = relative(ROOT, file)
      if (ALLOWED.has(rel)) continue
      const text = stripComments(readFileSync(file, 'utf8'))
      for (const [pattern, what] of FORBIDDEN) if (pattern.test(text)) violations.push(`${rel}: ${what}`)
    }
    expect(violations).toEqual([])
  })

  it('the guard itself catches a violation', () => {
    const sample = stripComments('const t = Date.now() // fine in a comment: Math.random()')
    expect(FORBIDDEN.some(([p]) => p.test(sample))).toBe(true)
    expect(FORBIDDEN.some(([p]) => p.test(stripComments('// Date.now()')))).toBe(false)
  })
})
