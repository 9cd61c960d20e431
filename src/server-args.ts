/**
 * The server's command line, read as redis-server reads it: an optional configuration file first, then any config
 * parameter as `--name value [value ...]` (the words up to the next `--name` are joined with spaces, so
 * `--save 900 1 300 10` works as in Redis). File lines are `name value ...`, `#` starts a comment. Later settings win.
 *
 * Values are returned as text; the engine stores their UTF-8 bytes, as Redis sees its argv, so a password like `密码` is
 * the six bytes a client sends for it.
 *
 * Hand-written rather than node:util parseArgs: the option names are the config registry's, open-ended and
 * multi-word, which parseArgs's fixed option table cannot express.
 */
import { CONFIG_PARAMS } from './engine/config.ts'

export interface ServerArgs {
  /** name -> value (text), in the order given; validated by the engine's config registry. */
  config: Array<[string, string]>
  help: boolean
  version: boolean
}

export class ServerArgsError extends Error {}

const KNOWN = new Set(CONFIG_PARAMS.flatMap((p) => [p.name, ...(p.aliases ?? [])]))

/** Splits one configuration-file line the way Redis's sdssplitargs does for the common cases: words and quotes. */
export function splitConfigLine(line: string): string[] {
  const words: string[] = []
  let i = 0
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i])) i++
    if (i >= line.length) break
    let word = ''
    if (line[i] === '"' || line[i] === "'") {
      const quote = line[i++]
      while (i < line.length && line[i] !== quote) {
        if (quote === '"' && line[i] === '\\' && i + 1 < line.length) {
          const next = line[++i]
          word += next === 'n' ? '\n' : next === 'r' ? '\r' : next === 't' ? '\t' : next
        } else {
          word += line[i]
        }
        i++
      }
      if (i >= line.length) throw new ServerArgsError('unbalanced quotes in configuration line')
      i++
    } else {
      while (i < line.length && !/\s/.test(line[i])) word += line[i++]
    }
    words.push(word)
  }
  return words
}

function checkName(name: string, where: string): string {
  const lower = name.toLowerCase()
  if (!KNOWN.has(lower)) throw new ServerArgsError(`${where}: Bad directive or wrong number of arguments: '${name}'`)
  return lower
}

/** Parses a configuration file's text into name/value pairs. */
export function parseConfigFile(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = []
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const words = splitConfigLine(line)
    const name = checkName(words[0], `line ${index + 1}`)
    out.push([name, words.slice(1).join(' ')])
  })
  return out
}

/** Parses argv (without node and the script); `readFile` reads a configuration file named first. */
export function parseServerArgs(argv: readonly string[], readFile: (path: string) => string): ServerArgs {
  const result: ServerArgs = { config: [], help: false, version: false }
  let i = 0
  if (argv.length > 0 && !argv[0].startsWith('--') && argv[0] !== '-h' && argv[0] !== '-v') {
    result.config.push(...parseConfigFile(readFile(argv[0])))
    i = 1
  }
  while (i < argv.length) {
    const arg = argv[i++]
    if (arg === '--help' || arg === '-h') {
      result.help = true
      continue
    }
    if (arg === '--version' || arg === '-v') {
      result.version = true
      continue
    }
    if (!arg.startsWith('--') || arg.length === 2) throw new ServerArgsError(`unexpected argument '${arg}'`)
    const name = checkName(arg.slice(2), 'command line')
    const words: string[] = []
    while (i < argv.length && !(argv[i].startsWith('--') && argv[i].length > 2)) words.push(argv[i++])
    result.config.push([name, words.join(' ')])
  }
  return result
}
