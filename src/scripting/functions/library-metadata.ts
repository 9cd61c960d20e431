/**
 * The first line of a function library, `#!<engine> name=<library>` (Redis 7.0's functionExtractLibMetaData), and
 * the rule for library and function names.
 */
import { splitArgs } from '../shebang.ts'

export interface LibraryMetadata {
  /** The engine named after `#!` (Redis looks it up without regard to case). */
  readonly engine: string
  readonly name: string
  /** The code after the metadata line, starting with that line's newline so line numbers match the text sent. */
  readonly body: Buffer
}

export const NAME_RULE_ERROR =
  'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long'

/** functionsVerifyName: letters, digits and underscores, at least one. */
export function isValidName(name: string): boolean {
  return /^[A-Za-z0-9_]+$/.test(name)
}

/** Parses the metadata line, or returns Redis's error text (without the ERR prefix). */
export function parseLibraryMetadata(code: Buffer): LibraryMetadata | { error: string } {
  if (code.length < 2 || code[0] !== 0x23 || code[1] !== 0x21) return { error: 'Missing library metadata' }
  // C's strchr on the sds: a NUL byte ends the search as the end of the string would.
  let end = -1
  for (let i = 0; i < code.length && code[i] !== 0; i++) {
    if (code[i] === 0x0a) {
      end = i
      break
    }
  }
  if (end === -1) return { error: 'Invalid library metadata' }
  const parts = splitArgs(code.toString('latin1', 0, end))
  if (!parts || parts.length === 0) return { error: 'Invalid library metadata' }
  const engine = parts[0].slice(2)
  let name: string | null = null
  for (const part of parts.slice(1)) {
    if (part.slice(0, 5).toLowerCase() === 'name=') {
      if (name !== null) return { error: 'Invalid metadata value, name argument was given multiple times' }
      name = part.slice(5)
      continue
    }
    return { error: `Invalid metadata value given: ${part}` }
  }
  if (name === null) return { error: 'Library name was not given' }
  return { engine, name, body: code.subarray(end) }
}
