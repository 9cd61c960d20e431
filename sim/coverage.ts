/**
 * `npm run sim:coverage [-- --seeds N --seed S --json]`: which lines and branches of the concurrency core the
 * simulator alone executes. A checker cannot catch a bug on a path no seed takes, so this measures where the
 * simulator goes rather than how many planted bugs it finds.
 *
 * It runs `sim/cli.ts --runs N --workers 1` (the swarm workload, one in-process worker) under c8, which collects
 * V8's own coverage and maps it back to the TypeScript sources, and reads c8's JSON report. Nothing is measured by
 * hand: c8 is the well-kept tool for this, and V8's block coverage is exact for branches as well as lines.
 *
 * The measured files are the executor, lock, seam, timers and blocking code (src/engine/), the Lua host (the files of
 * src/scripting/ itself, not the Lua libraries under lua51/ and libs/), the in-process connection and EXEC. Every
 * line no seed reached is listed, with the reason it cannot be reached in a simulation when one is recorded in
 * sim/coverage-reasons.ts, so that a new unreached line stands out.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { reasonFor } from './coverage-reasons.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** The files the simulator is meant to reach (globs as c8 reads them). */
export const MEASURED = [
  'src/engine/*.ts',
  'src/scripting/*.ts',
  'src/server/local-connection.ts',
  'src/commands/transactions.ts',
]
/** Declarations only: nothing to execute. */
const EXCLUDED = ['src/scripting/fengari.d.ts']

/** The goal: lines and branches of the measured files reached by 2,000 swarm seeds. */
export const GOAL = { lines: 90, branches: 80 }

interface IstanbulFile {
  path: string
  statementMap: Record<string, { start: { line: number }; end: { line: number } }>
  s: Record<string, number>
  branchMap: Record<string, { locations: Array<{ start: { line: number } }> }>
  b: Record<string, number[]>
}

export interface FileCoverage {
  file: string
  lines: { covered: number; total: number }
  branches: { covered: number; total: number }
  /** Unreached lines, grouped into ranges of consecutive lines. */
  uncovered: Array<{ from: number; to: number; reason: string | null }>
}

/** Per-file line and branch coverage from c8's istanbul-format JSON. */
export function summarize(report: Record<string, IstanbulFile>): FileCoverage[] {
  const out: FileCoverage[] = []
  for (const data of Object.values(report)) {
    const file = relative(ROOT, data.path)
    const lineHit = new Map<number, boolean>()
    for (const [id, loc] of Object.entries(data.statementMap)) {
      const hit = (data.s[id] ?? 0) > 0
      for (let line = loc.start.line; line <= loc.end.line; line++)
        lineHit.set(line, (lineHit.get(line) ?? false) || hit)
    }
    let branchesCovered = 0
    let branchesTotal = 0
    for (const counts of Object.values(data.b)) {
      branchesTotal += counts.length
      branchesCovered += counts.filter((n) => n > 0).length
    }
    const missing = [...lineHit]
      .filter(([, hit]) => !hit)
      .map(([line]) => line)
      .sort((a, b) => a - b)
    const source = readFileSync(data.path, 'utf8').split('\n')
    const uncovered: FileCoverage['uncovered'] = []
    for (const line of missing) {
      const last = uncovered.at(-1)
      if (last && last.to === line - 1) last.to = line
      else uncovered.push({ from: line, to: line, reason: null })
    }
    for (const range of uncovered) range.reason = reasonFor(file, source, range.from, range.to)
    out.push({
      file,
      lines: { covered: [...lineHit.values()].filter(Boolean).length, total: lineHit.size },
      branches: { covered: branchesCovered, total: branchesTotal },
      uncovered,
    })
  }
  return out.sort((a, b) => a.file.localeCompare(b.file))
}

function percent(part: { covered: number; total: number }): number {
  return part.total === 0 ? 100 : (100 * part.covered) / part.total
}

export function totals(files: readonly FileCoverage[]): {
  lines: { covered: number; total: number }
  branches: { covered: number; total: number }
} {
  const sum = (pick: (f: FileCoverage) => { covered: number; total: number }) => ({
    covered: files.reduce((n, f) => n + pick(f).covered, 0),
    total: files.reduce((n, f) => n + pick(f).total, 0),
  })
  return { lines: sum((f) => f.lines), branches: sum((f) => f.branches) }
}

function main(): number {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string', default: '2000' },
      seed: { type: 'string', default: '1' },
      workload: { type: 'string', default: 'swarm' },
      json: { type: 'boolean', default: false },
    },
  })
  const out = mkdtempSync(join(tmpdir(), 'redsim-sim-coverage-'))
  try {
    const c8 = join(ROOT, 'node_modules', '.bin', 'c8')
    const args = [
      '--reporter=json',
      `--report-dir=${out}`,
      `--temp-directory=${join(out, 'raw')}`,
      '--all',
      ...MEASURED.flatMap((glob) => ['--include', glob]),
      ...EXCLUDED.flatMap((glob) => ['--exclude', glob]),
      process.execPath,
      '--import',
      'tsx',
      'sim/cli.ts',
      '--runs',
      String(values.seeds),
      '--seed',
      String(values.seed),
      '--workload',
      String(values.workload),
      '--workers',
      '1',
      '--no-shrink',
      '--report-dir',
      join(out, 'reports'),
    ]
    const run = spawnSync(c8, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' })
    const simSummary = run.stdout.trim().split('\n').slice(0, 2).join('\n')
    if (run.status !== 0 && run.status !== 1) {
      process.stderr.write(`${run.stdout}\nsimulation under c8 failed (status ${run.status})\n`)
      return 2
    }
    const files = summarize(JSON.parse(readFileSync(join(out, 'coverage-final.json'), 'utf8')))
    const all = totals(files)
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ seeds: Number(values.seeds), totals: all, files }, null, 2)}\n`)
      return 0
    }
    const lines = [simSummary, '', 'file                                  lines            branches']
    for (const f of files) {
      lines.push(
        `${f.file.padEnd(37)} ${percent(f.lines).toFixed(1).padStart(5)}% ${`${f.lines.covered}/${f.lines.total}`.padStart(9)}  ` +
          `${percent(f.branches).toFixed(1).padStart(5)}% ${`${f.branches.covered}/${f.branches.total}`.padStart(9)}`,
      )
    }
    lines.push(
      `${'all measured files'.padEnd(37)} ${percent(all.lines).toFixed(1).padStart(5)}% ${`${all.lines.covered}/${all.lines.total}`.padStart(9)}  ` +
        `${percent(all.branches).toFixed(1).padStart(5)}% ${`${all.branches.covered}/${all.branches.total}`.padStart(9)}`,
      '',
      'unreached lines (with the reason a simulation cannot reach them, where one is recorded):',
    )
    let unexplained = 0
    for (const f of files) {
      for (const r of f.uncovered) {
        if (!r.reason) unexplained += r.to - r.from + 1
        lines.push(
          `  ${f.file}:${r.from === r.to ? r.from : `${r.from}-${r.to}`}  ${r.reason ?? '(no reason recorded)'}`,
        )
      }
    }
    const met = percent(all.lines) >= GOAL.lines && percent(all.branches) >= GOAL.branches
    lines.push(
      '',
      `${unexplained} unreached lines have no recorded reason`,
      `goal (${values.seeds} seeds): ${GOAL.lines}% of lines and ${GOAL.branches}% of branches: ${met ? 'met' : 'NOT met'}`,
    )
    process.stdout.write(`${lines.join('\n')}\n`)
    return 0
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main()
