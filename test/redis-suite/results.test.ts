import { describe, expect, it } from 'vitest'
import { formatTable, judgeUnit, parseRuntestOutput, type UnitRun } from './results.ts'

const output = [
  'Cleanup: may take some time... OK',
  'Starting test server at port 21111',
  '[ready]: 11680',
  'Testing unit/multi',
  '[\x1b[0;32;49mok\x1b[0m]: MULTI / EXEC basics (1 ms)',
  '[ok]: DISCARD (0 ms)',
  '[\x1b[0;31;49merr\x1b[0m]: EXEC fails on WATCHed key in tests/unit/multi.tcl',
  "Expected 'x' to equal 'y'",
  '[\x1b[0;36;49mignore\x1b[0m]: MULTI propagation of PUBLISH: Tag: needs:repl denied',
  "[exception]: Executing test client: ERR unknown command 'xgroup'.",
  'ok this line is not a status line',
].join('\n')

describe('redis-suite results', () => {
  it('counts ok, err, exception and ignored lines, colours or not', () => {
    const counts = parseRuntestOutput(output)
    expect(counts).toEqual({
      ok: 2,
      err: 1,
      exception: 1,
      ignored: 1,
      failures: [
        '[err] EXEC fails on WATCHed key in tests/unit/multi.tcl',
        "[exception] Executing test client: ERR unknown command 'xgroup'.",
      ],
    })
  })

  it('fails a unit below its floor, hung, crashed or without a floor; passes at or above it', () => {
    const run = (ok: number, end: UnitRun['end'] = 'done'): UnitRun => ({
      counts: { ok, err: 0, exception: 0, ignored: 0, failures: [] },
      end,
      seconds: 3,
    })
    expect(judgeUnit(run(10), 10)).toBeUndefined()
    expect(judgeUnit(run(11), 10)).toBeUndefined()
    expect(judgeUnit(run(9), 10)).toBe('ok count 9 is below its floor 10')
    expect(judgeUnit(run(10), undefined)).toBe('has no recorded floor')
    expect(judgeUnit(run(12, 'timeout'), 10)).toMatch(/per-unit timeout/)
    expect(judgeUnit(run(12, 'crash'), 10)).toMatch(/crashed/)
  })

  it('prints one row per unit and a total', () => {
    const counts = parseRuntestOutput(output)
    const table = formatTable([
      { unit: 'unit/multi', redsim: { counts, end: 'done', seconds: 2 }, floor: 2 },
      {
        unit: 'unit/other',
        redsim: { counts, end: 'timeout', seconds: 240 },
        redis: { counts, end: 'done', seconds: 1 },
        floor: 5,
        verdict: 'hung',
      },
    ]).split('\n')
    expect(table).toHaveLength(4)
    expect(table[1]).toMatch(/^unit\/multi\s+2\s+1\s+1\s+2\s+-/)
    expect(table[2]).toMatch(/2 \(timeout\).*FAIL: hung$/)
    expect(table[3]).toMatch(/^total\s+4\s+2\s+2\s+7\s+2\s+1\s+1\s+242\s+1$/)
  })
})
