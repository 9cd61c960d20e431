/**
 * The linearizability checker is a black box that knows nothing of the simulator or the server: every module under
 * sim/linearizability imports only its siblings (and node built-ins), so it can be published and read on its own.
 * Its adapters to the simulator live in sim/checkers.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../../sim/linearizability')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return /\.(ts|mts|js|mjs)$/.test(entry.name) ? [path] : []
  })
}

/** Every module specifier a source text names: imports and re-exports (type-only too), `import()` and `require`. */
function specifiersIn(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1')
  const pattern = /\bfrom\s*(['"])([^'"]+)\1|\bimport\s*(['"])([^'"]+)\3|\b(?:import|require)\s*\(\s*(['"])([^'"]+)\5/g
  return [...code.matchAll(pattern)].map((m) => m[2] ?? m[4] ?? m[6])
}

function specifiers(file: string): string[] {
  return specifiersIn(readFileSync(file, 'utf8'))
}

/** Why a specifier reaches outside the folder, or null when it stays inside. */
function outsideReach(file: string, specifier: string): string | null {
  if (specifier.startsWith('.')) {
    const target = resolve(dirname(file), specifier)
    return target === ROOT || target.startsWith(ROOT + sep) ? null : `imports ${relative(ROOT, target)}`
  }
  const bare = specifier.replace(/^node:/, '')
  if (specifier.startsWith('node:') || builtinModules.includes(bare)) return null
  return `imports the package '${specifier}'`
}

describe('sim/linearizability is self-contained', () => {
  const files = sourceFiles(ROOT)

  it('finds the checker sources and every form of import', () => {
    // Guards the scan itself: an empty file list or an unparsed import would let anything through.
    expect(files.map((f) => relative(ROOT, f))).toContain('checker.ts')
    expect(specifiers(join(ROOT, 'checker.ts'))).toContain('./history.ts')
    const sample = [
      'import {',
      '  a,',
      '  type B,',
      "} from '../a.ts'",
      'import type { C } from "../c.ts"',
      "import './side-effect.ts'",
      "export { d } from '../d.ts'",
      "export * from 'some-package'",
      "const e = await import('../e.ts')",
      "const f = require('node:fs')",
      "// import { g } from '../commented-out.ts'",
      "/* import { h } from '../block-comment.ts' */",
    ].join('\n')
    expect(specifiersIn(sample)).toEqual([
      '../a.ts',
      '../c.ts',
      './side-effect.ts',
      '../d.ts',
      'some-package',
      '../e.ts',
      'node:fs',
    ])
  })

  it('flags imports that leave the folder', () => {
    const file = join(ROOT, 'checker.ts')
    expect(outsideReach(file, '../model/redis-model.ts')).toBe(`imports ${join('..', 'model', 'redis-model.ts')}`)
    expect(outsideReach(file, 'fast-check')).toBe("imports the package 'fast-check'")
    expect(outsideReach(file, './search.ts')).toBeNull()
    expect(outsideReach(file, 'node:crypto')).toBeNull()
  })

  it('imports nothing outside itself', () => {
    const escapes = files.flatMap((file) =>
      specifiers(file)
        .map((specifier) => outsideReach(file, specifier))
        .filter((why): why is string => why !== null)
        .map((why) => `${relative(ROOT, file)} ${why}`),
    )
    expect(escapes).toEqual([])
  })
})
