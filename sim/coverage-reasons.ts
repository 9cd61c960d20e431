/**
 * Why some lines of the measured files (sim/coverage.ts) cannot run in a simulation. Each entry names a file and the
 * function (or method) the lines sit in, matched by name so that entries survive edits elsewhere in the file. A line
 * no seed reaches and no entry explains is listed as such: either the simulator should go there, or a reason belongs
 * here.
 */

interface Reason {
  file: string
  /** The enclosing function, method or getter, by name (a regular expression over the name). */
  within: RegExp
  reason: string
}

const REASONS: Reason[] = []

/** The name of the function, method or getter that encloses `line` (1-based), found by scanning upward. */
export function enclosingName(source: readonly string[], line: number): string | null {
  for (let i = line - 1; i >= 0; i--) {
    const text = source[i]
    const fn = /^\s*(?:export\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z0-9_$]+)/.exec(text)
    if (fn) return fn[1]
    const method =
      /^ {2}(?:(?:private|protected|public|static|readonly|async|get|set|override)\s+)*\[?([A-Za-z0-9_$]+)\]?\s*(?:<[^>]*>)?\(.*\)?.*\{\s*$/.exec(
        text,
      )
    if (method && !/^\s*(if|for|while|switch|return|catch)\b/.test(text)) return method[1]
    const arrow = /^\s*(?:export\s+)?(?:const|let)\s+([A-Za-z0-9_$]+)\s*(?::[^=]+)?=\s*(?:async\s*)?\(/.exec(text)
    if (arrow) return arrow[1]
    if (/^(?:export\s+)?class\s/.test(text)) return null
  }
  return null
}

/** The recorded reason lines `from`..`to` of `file` are unreachable in a simulation, or null. */
export function reasonFor(file: string, source: readonly string[], from: number, to: number): string | null {
  const name = enclosingName(source, from)
  for (const r of REASONS) {
    if (r.file !== file) continue
    if (name !== null && r.within.test(name)) return r.reason
  }
  void to
  return null
}
