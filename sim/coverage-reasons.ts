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

const NEAR_HEAP_LIMIT = 'runs only near the heap limit, which a simulated run (tens of MB) never approaches'
const MUTANT_ONLY = 'consulted only when the simulator assembles a mutant executor; sim:coverage runs the correct one'

const REASONS: Reason[] = [
  {
    file: 'src/engine/logger.ts',
    within: /^(formatLogLine|stderrLogger)$/,
    reason: "production-only: the server's stderr log; simulated engines log nowhere",
  },
  {
    file: 'src/engine/logger.ts',
    within: /^memoryLogger$/,
    reason: "a tests' logger: simulated engines log nowhere",
  },
  {
    file: 'src/engine/random.ts',
    within: /^systemRandom$/,
    reason: 'production-only: simulated engines get a seeded random source',
  },
  { file: 'src/engine/heap-headroom.ts', within: /^(collectGarbage|readHeapFor|mb)$/, reason: NEAR_HEAP_LIMIT },
  {
    file: 'src/scripting/script-memory.ts',
    within: /^(checkHeapInLibrary|overCeilingConfirmed)$/,
    reason: NEAR_HEAP_LIMIT,
  },
  { file: 'src/engine/variant.ts', within: /^(isScriptCommand|scriptHoldsLease)$/, reason: MUTANT_ONLY },
]

/** The name a line declares when it opens a function, method, getter or arrow-function block, else null. */
function headerName(text: string): string | null {
  if (!/\{\s*$/.test(text)) return null
  const fn = /^\s*(?:export\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z0-9_$]+)/.exec(text)
  if (fn) return fn[1]
  if (/^\s*(if|for|while|switch|return|catch|else|try|do)\b/.test(text)) return null
  const method =
    /^ {2}(?:(?:private|protected|public|static|readonly|async|get|set|override)\s+)*\[?([A-Za-z0-9_$]+)\]?\s*(?:<[^>]*>)?\(/.exec(
      text,
    )
  if (method) return method[1]
  const arrow = /^\s*(?:export\s+)?(?:const|let)\s+([A-Za-z0-9_$]+)\s*(?::[^=]+)?=\s*(?:async\s*)?\(/.exec(text)
  return arrow ? arrow[1] : null
}

function count(text: string, char: string): number {
  let n = 0
  for (const c of text) if (c === char) n++
  return n
}

/**
 * The name of the function, method or getter whose block encloses `line` (1-based): scanning upward, the first line
 * that opens a block still open at `line` and declares a name. Braces are counted as text, which is close enough for
 * this code base's formatting (Biome's), and a class line ends the search.
 */
export function enclosingName(source: readonly string[], line: number): string | null {
  const own = headerName(source[line - 1] ?? '')
  if (own !== null) return own
  let depth = 0
  for (let i = line - 2; i >= 0; i--) {
    const text = source[i]
    if (/^(?:export\s+)?(?:abstract\s+)?class\s/.test(text)) return null
    depth += count(text, '}') - count(text, '{')
    if (depth < 0) {
      depth = 0
      const name = headerName(text)
      if (name !== null) return name
    }
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
