/**
 * How a run's violations are presented: which one heads the report, what it is called, and scripts by their names.
 *
 * - The headline is the most harmful violation, not the first checker's: a lost update or a reply no serial order can
 *   explain says more than an intrusion that only read. A replay that did not reproduce the recorded run
 *   (`nondeterminism`) heads everything, since the rest of the report may not describe the recorded run.
 * - The atomicity checker calls every intrusion into a script or EXEC `interleaved-writes`; when none of the intruding
 *   accesses wrote, the script's writes were not interleaved with anything, only observed half done: that is an
 *   `interleaved-access`.
 * - The checkers name scripts by SHA; the scenario has their sources, so reports say `script counter (5f3a…)`.
 */
import type { Violation } from '../checkers/types.ts'
import type { Access } from '../recorder.ts'
import { sha1 } from '../workloads.ts'

/** Lower is more harmful; kinds not listed (the workload invariants: a lost update, a broken total) rank with 1. */
const HARM: Record<string, number> = {
  nondeterminism: -1,
  'internal-error': 0,
  'sim-error': 0,
  linearizability: 1,
  'witness-mismatch': 1,
  'interleaved-writes': 2,
  'leaked-lease': 3,
  deadlock: 3,
  livelock: 3,
  'connection-order': 4,
  'interleaved-access': 5,
  'linearizability-unknown': 6,
}

function harm(kind: string): number {
  return HARM[kind] ?? 1
}

/** The violations, most harmful first (stable: checkers' order among equals). */
export function byHarm(violations: readonly Violation[]): Violation[] {
  return violations
    .map((v, i) => ({ v, i }))
    .sort((a, b) => harm(a.v.kind) - harm(b.v.kind) || a.i - b.i)
    .map(({ v }) => v)
}

/**
 * One violation as reports show it: an intrusion that only read is an `interleaved-access`, and script SHAs in the
 * message carry the script's name. `log` is the run's execution log (indexed by seq); `scripts` the scenario's sources.
 */
export function presentViolation(
  violation: Violation,
  log: readonly Access[] | undefined,
  scripts: Readonly<Record<string, string>> | undefined,
): Violation {
  let { kind, message } = violation
  if (kind === 'interleaved-writes' && log && violation.accesses.length > 0) {
    const wrote = violation.accesses.some((seq) => log[seq]?.kind === 'write')
    if (!wrote) kind = 'interleaved-access'
  }
  message = nameScripts(message, scripts)
  return kind === violation.kind && message === violation.message ? violation : { ...violation, kind, message }
}

/** `script 5f3a…` (a 12-hex-digit SHA prefix, as the checkers write it) becomes `script counter (5f3a…)`. */
export function nameScripts(text: string, scripts: Readonly<Record<string, string>> | undefined): string {
  if (!scripts) return text
  const names = new Map<string, string>()
  for (const [name, source] of Object.entries(scripts)) names.set(sha1(source).slice(0, 12), name)
  return text.replace(/\bscript ([0-9a-f]{12})\b/g, (whole, sha: string) => {
    const name = names.get(sha)
    return name ? `script ${name} (${sha})` : whole
  })
}

/** The violations of a run as reports show them, most harmful first. */
export function presentViolations(
  violations: readonly Violation[],
  log: readonly Access[] | undefined,
  scripts: Readonly<Record<string, string>> | undefined,
): Violation[] {
  return byHarm(violations.map((v) => presentViolation(v, log, scripts)))
}
