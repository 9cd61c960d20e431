/**
 * CONFIG parameters redsim honours. Each is declared once with its aliases, kind, bounds and default; CONFIG GET,
 * CONFIG SET (several pairs, all-or-nothing, as in 7.0) and the code reading a setting all go through this registry.
 */
import { ReplyError } from '../protocol/reply.ts'

type Kind =
  | { type: 'string' }
  | { type: 'bool' }
  | { type: 'int'; min: number; max: number }
  | { type: 'memory'; min: number; max: number }
  | { type: 'enum'; values: readonly string[] }

export interface ConfigParam {
  readonly name: string
  readonly aliases?: readonly string[]
  readonly kind: Kind
  readonly default: string
  /** Redis refuses CONFIG SET for parameters fixed at startup ("can't set immutable config"). */
  readonly immutable?: boolean
}

const INT_MAX = 2147483647
const LLONG_MAX = Number.MAX_SAFE_INTEGER

/** The parameters. Issue-specific modules (encodings, scripting) add theirs here, next to the rest. */
export const CONFIG_PARAMS: ConfigParam[] = [
  { name: 'requirepass', kind: { type: 'string' }, default: '' },
  { name: 'proto-max-bulk-len', kind: { type: 'memory', min: 1024 * 1024, max: LLONG_MAX }, default: '536870912' },
  {
    name: 'busy-reply-threshold',
    aliases: ['lua-time-limit'],
    kind: { type: 'int', min: 0, max: LLONG_MAX },
    default: '5000',
  },
  { name: 'maxclients', kind: { type: 'int', min: 1, max: INT_MAX }, default: '10000' },
  { name: 'timeout', kind: { type: 'int', min: 0, max: INT_MAX }, default: '0' },
  { name: 'hz', kind: { type: 'int', min: 0, max: INT_MAX }, default: '10' },
  { name: 'databases', kind: { type: 'int', min: 1, max: INT_MAX }, default: '16', immutable: true },
  { name: 'port', kind: { type: 'int', min: 0, max: 65535 }, default: '6379' },
  { name: 'bind', kind: { type: 'string' }, default: '127.0.0.1' },
  { name: 'maxmemory', kind: { type: 'memory', min: 0, max: LLONG_MAX }, default: '0' },
  {
    name: 'maxmemory-policy',
    kind: {
      type: 'enum',
      values: [
        'volatile-lru',
        'volatile-lfu',
        'volatile-random',
        'volatile-ttl',
        'allkeys-lru',
        'allkeys-lfu',
        'allkeys-random',
        'noeviction',
      ],
    },
    default: 'noeviction',
  },
  { name: 'save', kind: { type: 'string' }, default: '' },
  { name: 'appendonly', kind: { type: 'bool' }, default: 'no' },
  { name: 'notify-keyspace-events', kind: { type: 'string' }, default: '' },
  { name: 'loglevel', kind: { type: 'enum', values: ['debug', 'verbose', 'notice', 'warning'] }, default: 'notice' },
  { name: 'slowlog-log-slower-than', kind: { type: 'int', min: -1, max: LLONG_MAX }, default: '10000' },
  { name: 'slowlog-max-len', kind: { type: 'int', min: 0, max: LLONG_MAX }, default: '128' },
  { name: 'lazyfree-lazy-user-flush', kind: { type: 'bool' }, default: 'no' },
  { name: 'active-expire-enabled', kind: { type: 'bool' }, default: 'yes' },
]

export class ConfigRegistry {
  private readonly params = new Map<string, ConfigParam>()
  private readonly values = new Map<string, string>()
  /** Called after a successful CONFIG SET of a parameter, with its canonical name. */
  onChange: ((name: string, value: string) => void) | null = null

  constructor(params: readonly ConfigParam[] = CONFIG_PARAMS) {
    for (const p of params) this.declare(p)
  }

  declare(param: ConfigParam): void {
    this.params.set(param.name, param)
    for (const alias of param.aliases ?? []) this.params.set(alias, param)
    this.values.set(param.name, param.default)
  }

  has(name: string): boolean {
    return this.params.has(name.toLowerCase())
  }

  /** The current value of a parameter (by name or alias). Throws for undeclared names: that is a redsim bug. */
  get(name: string): string {
    const p = this.params.get(name)
    if (!p) throw new Error(`undeclared config parameter ${name}`)
    return this.values.get(p.name)!
  }

  getNumber(name: string): number {
    return Number(this.get(name))
  }

  /** CONFIG GET: every parameter (and alias) whose name matches one of the glob patterns, as name/value pairs. */
  match(patterns: string[], glob: (pattern: string, text: string) => boolean): Array<[string, string]> {
    const out = new Map<string, string>()
    for (const pattern of patterns) {
      const lower = pattern.toLowerCase()
      for (const [name, p] of this.params) {
        if (!out.has(name) && glob(lower, name)) out.set(name, this.values.get(p.name)!)
      }
    }
    return [...out]
  }

  /** Validates and stores one value; returns the error reply instead of throwing. */
  set(name: string, raw: string): ReplyError | null {
    const p = this.params.get(name.toLowerCase())
    if (!p) return new ReplyError(`ERR Unknown option or number of arguments for CONFIG SET - '${name}'`)
    const result = normalize(p, raw)
    if (result instanceof ReplyError) return result
    this.values.set(p.name, result)
    this.onChange?.(p.name, result)
    return null
  }

  /** CONFIG SET with several pairs: validates all first, applies all or none (7.0 behaviour). */
  setMany(pairs: Array<[string, string]>): ReplyError | null {
    const normalized: Array<[ConfigParam, string]> = []
    const seen = new Set<string>()
    for (const [name, raw] of pairs) {
      const p = this.params.get(name.toLowerCase())
      if (!p) return new ReplyError(`ERR Unknown option or number of arguments for CONFIG SET - '${name}'`)
      if (p.immutable) {
        return new ReplyError(`ERR CONFIG SET failed (possibly related to argument '${name}') - can't set immutable config`)
      }
      if (seen.has(p.name)) {
        return new ReplyError(`ERR CONFIG SET failed (possibly related to argument '${name}') - duplicate parameter`)
      }
      seen.add(p.name)
      const result = normalize(p, raw)
      if (result instanceof ReplyError) return result
      normalized.push([p, result])
    }
    for (const [p, value] of normalized) {
      this.values.set(p.name, value)
      this.onChange?.(p.name, value)
    }
    return null
  }

  /** Canonical names, each once. */
  names(): string[] {
    return [...new Set([...this.params.values()].map((p) => p.name))]
  }
}

function failed(name: string, why: string): ReplyError {
  return new ReplyError(`ERR CONFIG SET failed (possibly related to argument '${name}') - ${why}`)
}

/** Parses `1gb`, `100mb`, `10k`, plain bytes, as Redis's memtoull does. */
export function parseMemory(raw: string): number | null {
  const m = /^(\d+)(b|k|kb|m|mb|g|gb)?$/i.exec(raw)
  if (!m) return null
  const units: Record<string, number> = {
    b: 1,
    k: 1000,
    kb: 1024,
    m: 1000 * 1000,
    mb: 1024 * 1024,
    g: 1000 * 1000 * 1000,
    gb: 1024 * 1024 * 1024,
  }
  return Number(m[1]) * units[(m[2] ?? 'b').toLowerCase()]
}

function normalize(p: ConfigParam, raw: string): string | ReplyError {
  const k = p.kind
  switch (k.type) {
    case 'string':
      return raw
    case 'bool': {
      const v = raw.toLowerCase()
      if (v !== 'yes' && v !== 'no') return failed(p.name, "argument must be 'yes' or 'no'")
      return v
    }
    case 'enum': {
      const v = raw.toLowerCase()
      if (!k.values.includes(v)) return failed(p.name, 'argument(s) must be one of the following: ' + k.values.join(', '))
      return v
    }
    case 'int': {
      if (!/^-?\d+$/.test(raw)) return failed(p.name, "argument couldn't be parsed into an integer")
      const n = Number(raw)
      if (n < k.min || n > k.max) return failed(p.name, `argument must be between ${k.min} and ${k.max} inclusive`)
      return String(n)
    }
    case 'memory': {
      const n = parseMemory(raw)
      if (n === null) return failed(p.name, 'argument must be a memory value')
      if (n < k.min || n > k.max) return failed(p.name, `argument must be between ${k.min} and ${k.max} inclusive`)
      return String(n)
    }
  }
}
