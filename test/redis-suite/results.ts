/**
 * Reading a `runtest` run's output: how many tests ended `[ok]`, `[err]` and `[exception]` (an exception stops the
 * unit, so the tests after it never run), the names of the failed ones; and judging a unit's outcome for redsim
 * against its recorded floor.
 */

export interface UnitCounts {
  ok: number
  err: number
  exception: number
  /** Tests the tags or the external mode left out (`[ignore]`), the same on both servers. */
  ignored: number
  /** The first line of each `[err]` and `[exception]`, for the report. */
  failures: string[]
}

/** How a unit's run ended, besides its counts: it finished, was stopped at the per-unit timeout, or the server died. */
export type UnitEnd = 'done' | 'timeout' | 'crash'

export interface UnitRun {
  counts: UnitCounts
  end: UnitEnd
  seconds: number
}

const ANSI = /\x1b\[[0-9;]*m/g
const STATUS_LINE = /^\[(ok|err|exception|ignore)\]: ?(.*)$/

/** Counts a `runtest` output (colours or not). Lines other than the status lines are ignored. */
export function parseRuntestOutput(output: string): UnitCounts {
  const counts: UnitCounts = { ok: 0, err: 0, exception: 0, ignored: 0, failures: [] }
  for (const raw of output.split('\n')) {
    const match = STATUS_LINE.exec(raw.replace(ANSI, '').trimEnd())
    if (!match) continue
    const [, status, rest] = match
    if (status === 'ok') counts.ok++
    else if (status === 'ignore') counts.ignored++
    else {
      if (status === 'err') counts.err++
      else counts.exception++
      counts.failures.push(`[${status}] ${rest}`)
    }
  }
  return counts
}

/** Why redsim's run of a unit fails the suite, or undefined when it passes: below its floor, hung, or crashed. */
export function judgeUnit(run: UnitRun, floor: number | undefined): string | undefined {
  if (run.end === 'timeout') return `did not finish within the per-unit timeout (${run.seconds.toFixed(0)} s)`
  if (run.end === 'crash') return 'the server stopped answering (crashed) during the unit'
  if (floor === undefined) return 'has no recorded floor'
  if (run.counts.ok < floor) return `ok count ${run.counts.ok} is below its floor ${floor}`
  return undefined
}

/** The table printed at the end: one row per unit, redsim next to redis-server. */
export function formatTable(
  rows: { unit: string; redsim: UnitRun; redis?: UnitRun; floor?: number; verdict?: string }[],
): string {
  const header = ['unit', 'redsim ok', 'err', 'exc', 'floor', 'redis ok', 'err', 'exc', 'redsim s', 'redis s', '']
  const body = rows.map((r) => [
    r.unit,
    String(r.redsim.counts.ok) + (r.redsim.end === 'done' ? '' : ` (${r.redsim.end})`),
    String(r.redsim.counts.err),
    String(r.redsim.counts.exception),
    r.floor === undefined ? '-' : String(r.floor),
    r.redis ? String(r.redis.counts.ok) + (r.redis.end === 'done' ? '' : ` (${r.redis.end})`) : '-',
    r.redis ? String(r.redis.counts.err) : '-',
    r.redis ? String(r.redis.counts.exception) : '-',
    r.redsim.seconds.toFixed(0),
    r.redis ? r.redis.seconds.toFixed(0) : '-',
    r.verdict ? `FAIL: ${r.verdict}` : '',
  ])
  const total = (pick: (r: (typeof rows)[number]) => number | undefined) =>
    String(rows.reduce((sum, r) => sum + (pick(r) ?? 0), 0))
  body.push([
    'total',
    total((r) => r.redsim.counts.ok),
    total((r) => r.redsim.counts.err),
    total((r) => r.redsim.counts.exception),
    total((r) => r.floor),
    total((r) => r.redis?.counts.ok),
    total((r) => r.redis?.counts.err),
    total((r) => r.redis?.counts.exception),
    total((r) => Math.round(r.redsim.seconds)),
    total((r) => (r.redis ? Math.round(r.redis.seconds) : undefined)),
    '',
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd()
  return [line(header), ...body.map(line)].join('\n')
}
