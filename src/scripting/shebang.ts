/**
 * The `#!lua flags=...` first line of a script (Redis 7.0's evalExtractShebangFlags). A script without one runs in
 * EVAL compatibility mode; with one, its declared flags apply (no-writes makes it read-only).
 */

export interface ScriptFlags {
  /** The script starts with a shebang line (not compatibility mode). */
  readonly shebang: boolean
  readonly noWrites: boolean
  readonly allowOom: boolean
  readonly allowStale: boolean
  readonly noCluster: boolean
  readonly allowCrossSlotKeys: boolean
}

export const COMPAT_FLAGS: ScriptFlags = Object.freeze({
  shebang: false,
  noWrites: false,
  allowOom: false,
  allowStale: false,
  noCluster: false,
  allowCrossSlotKeys: false,
})

const FLAG_NAMES: Record<string, keyof Omit<ScriptFlags, 'shebang'>> = {
  'no-writes': 'noWrites',
  'allow-oom': 'allowOom',
  'allow-stale': 'allowStale',
  'no-cluster': 'noCluster',
  'allow-cross-slot-keys': 'allowCrossSlotKeys',
}

export type ShebangResult = { flags: ScriptFlags; length: number } | { error: string }

/** Parses the shebang of `body`; `length` is how many bytes to skip before compiling (the newline is kept). */
export function parseShebang(body: Buffer): ShebangResult {
  if (body.length < 2 || body[0] !== 0x23 || body[1] !== 0x21) return { flags: COMPAT_FLAGS, length: 0 }
  // C's strchr: the line must end with '\n' before any NUL byte.
  let end = -1
  for (let i = 0; i < body.length && body[i] !== 0; i++) {
    if (body[i] === 0x0a) {
      end = i
      break
    }
  }
  if (end === -1) return { error: 'ERR Invalid script shebang' }
  const parts = splitArgs(body.toString('latin1', 0, end))
  if (!parts || parts.length === 0) return { error: 'ERR Invalid engine in script shebang' }
  if (parts[0] !== '#!lua') return { error: `ERR Unexpected engine in script shebang: ${parts[0]}` }
  const flags: { -readonly [K in keyof ScriptFlags]: ScriptFlags[K] } = { ...COMPAT_FLAGS, shebang: true }
  for (const part of parts.slice(1)) {
    if (!part.startsWith('flags=')) return { error: `ERR Unknown lua shebang option: ${part}` }
    const list = part.slice(6)
    if (list.length === 0) continue
    for (const name of list.split(',')) {
      const key = FLAG_NAMES[name]
      if (!key) return { error: `ERR Unexpected flag in script shebang: ${name}` }
      flags[key] = true
    }
  }
  return { flags, length: end }
}

const HEX = /^[0-9a-fA-F]{2}$/

/**
 * Redis's sdssplitargs: whitespace-separated words, "double quoted" with C escapes, 'single quoted' with \' only.
 * A closing quote must be followed by whitespace or the end; an unterminated quote fails (null).
 */
export function splitArgs(line: string): string[] | null {
  const out: string[] = []
  let i = 0
  const n = line.length
  const isSpace = (c: string) => c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\v' || c === '\f'
  while (true) {
    while (i < n && isSpace(line[i])) i++
    if (i >= n) return out
    let current = ''
    let inDouble = false
    let inSingle = false
    let done = false
    while (!done) {
      if (inDouble) {
        if (i >= n) return null
        const c = line[i]
        if (c === '\\' && line[i + 1] === 'x' && HEX.test(line.slice(i + 2, i + 4))) {
          current += String.fromCharCode(Number.parseInt(line.slice(i + 2, i + 4), 16))
          i += 3
        } else if (c === '\\' && i + 1 < n) {
          i++
          const e = line[i]
          const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' }
          current += escapes[e] ?? e
        } else if (c === '"') {
          if (i + 1 < n && !isSpace(line[i + 1])) return null
          done = true
        } else {
          current += c
        }
      } else if (inSingle) {
        if (i >= n) return null
        const c = line[i]
        if (c === '\\' && line[i + 1] === "'") {
          i++
          current += "'"
        } else if (c === "'") {
          if (i + 1 < n && !isSpace(line[i + 1])) return null
          done = true
        } else {
          current += c
        }
      } else if (i >= n) {
        done = true
      } else {
        const c = line[i]
        if (isSpace(c)) done = true
        else if (c === '"') inDouble = true
        else if (c === "'") inSingle = true
        else current += c
      }
      if (i < n) i++
    }
    out.push(current)
  }
}
