/**
 * sim:coverage names the function around each unreached line to find a recorded reason: the lookup must find the
 * innermost function, method or arrow const, skip control-flow lines, and give no reason where none is recorded.
 */
import { describe, expect, it } from 'vitest'
import { enclosingName, reasonFor } from '../../sim/coverage-reasons.ts'

const source = [
  'export function stderrLogger(clock, minLevel) {', // 1
  '  const current = () => minLevel', // 2
  '  return (level, message) => {', // 3
  '    if (level) {', // 4
  '      write(message)', // 5
  '    }', // 6
  '  }', // 7
  '}', // 8
  'export class Lock {', // 9
  '  tryAcquire(actor: Actor): Lease | null {', // 10
  '    return null', // 11
  '  }', // 12
  '}', // 13
]

describe('coverage reasons', () => {
  it('finds the enclosing function or method, past returns and ifs', () => {
    expect(enclosingName(source, 5)).toBe('stderrLogger')
    expect(enclosingName(source, 11)).toBe('tryAcquire')
    expect(enclosingName(source, 9)).toBe(null)
  })

  it('gives the recorded reason by file and function, and none elsewhere', () => {
    expect(reasonFor('src/engine/logger.ts', source, 5, 5)).toMatch(/production-only/)
    expect(reasonFor('src/engine/lock.ts', source, 11, 11)).toBe(null)
    expect(reasonFor('src/engine/logger.ts', source, 11, 11)).toBe(null)
  })
})
