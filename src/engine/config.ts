/**
 * CONFIG parameters redsim honours. Each is declared once with its aliases, kind, bounds and default; CONFIG GET,
 * CONFIG SET (several pairs, all-or-nothing, as in 7.0) and the code reading a setting all go through this registry.
 *
 * Validation and normalisation follow Redis 7.0's config.c: integers are parsed strictly (string2ll: no sign '+', no
 * spaces, no leading zeros), memory values as memtoull (`1gb`, `100mb`, `10k`, leading zeros allowed), booleans and
 * enums case-insensitively, and the error texts are Redis's.
 */
import { MEMORY_UNITS } from './memory-units.ts'
import { ReplyError } from '../protocol/reply.ts'
import { DEFAULT_OUTPUT_BUFFER_LIMITS, normalizeOutputBufferLimits } from './output-buffer-limits.ts'

type Kind =
  | { type: 'string' }
  | { type: 'bool' }
  /** Bounds are bigints so that LLONG_MAX appears exactly in error messages. `clamp` is applied after validation. */
  | { type: 'int'; min: bigint; max: bigint; clamp?: readonly [number, number] }
  | { type: 'memory'; min: bigint; max: bigint }
  | { type: 'enum'; values: readonly string[] }
  /**
   * Parameters with their own syntax (save, notify-keyspace-events): the canonical value, or why it is invalid.
   * `current` is the canonical value being replaced (client-output-buffer-limit changes only the classes it names).
   */
  | { type: 'custom'; normalize: (raw: string, current: string) => string | { invalid: string } }

export interface ConfigParam {
  readonly name: string
  readonly aliases?: readonly string[]
  readonly kind: Kind
  readonly default: string
  /** Redis refuses CONFIG SET for parameters fixed at startup ("can't set immutable config"). */
  readonly immutable?: boolean
  /** PROTECTED_CONFIG (dir, dbfilename): set at startup only while enable-protected-configs is no, its default. */
  readonly protected?: boolean
  /** Like Redis's HIDDEN_CONFIG: CONFIG GET shows it only when asked for by exact name, never for a pattern. */
  readonly hidden?: boolean
}

const INT_MAX = 2147483647n
const UINT_MAX = 4294967295n
const LLONG_MAX = 9223372036854775807n

/** The parameters. Issue-specific modules (encodings, scripting) add theirs here, next to the rest. */
export const CONFIG_PARAMS: ConfigParam[] = [
  { name: 'requirepass', kind: { type: 'string' }, default: '' },
  { name: 'proto-max-bulk-len', kind: { type: 'memory', min: 1024n * 1024n, max: LLONG_MAX }, default: '536870912' },
  // Checked after every read of a connection (src/server/request-limits.ts).
  {
    name: 'client-query-buffer-limit',
    kind: { type: 'memory', min: 1024n * 1024n, max: LLONG_MAX },
    default: '1073741824',
  },
  {
    name: 'busy-reply-threshold',
    aliases: ['lua-time-limit'],
    kind: { type: 'int', min: 0n, max: LLONG_MAX },
    default: '5000',
  },
  { name: 'maxclients', kind: { type: 'int', min: 1n, max: UINT_MAX }, default: '10000' },
  { name: 'timeout', kind: { type: 'int', min: 0n, max: INT_MAX }, default: '0' },
  // Redis accepts any int but keeps hz within [CONFIG_MIN_HZ, CONFIG_MAX_HZ].
  { name: 'hz', kind: { type: 'int', min: 0n, max: INT_MAX, clamp: [1, 500] }, default: '10' },
  { name: 'databases', kind: { type: 'int', min: 1n, max: INT_MAX }, default: '16', immutable: true },
  { name: 'port', kind: { type: 'int', min: 0n, max: 65535n }, default: '6379' },
  { name: 'bind', kind: { type: 'string' }, default: '127.0.0.1' },
  { name: 'maxmemory', kind: { type: 'memory', min: 0n, max: LLONG_MAX }, default: '0' },
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
  // Eviction (src/engine/eviction.ts) and the LFU counter (src/keyspace/access-clock.ts). redsim evicts until under the
  // limit without a time budget, so maxmemory-eviction-tenacity is accepted and has no effect.
  { name: 'maxmemory-samples', kind: { type: 'int', min: 1n, max: INT_MAX }, default: '5' },
  { name: 'maxmemory-eviction-tenacity', kind: { type: 'int', min: 0n, max: 100n }, default: '10' },
  { name: 'lfu-log-factor', kind: { type: 'int', min: 0n, max: INT_MAX }, default: '10' },
  { name: 'lfu-decay-time', kind: { type: 'int', min: 0n, max: INT_MAX }, default: '1' },
  // RDB snapshots (src/persistence/snapshots.ts). dir is the server's working directory when empty (the command line
  // sets it to the absolute path, as redis-server reports it).
  { name: 'save', kind: { type: 'custom', normalize: normalizeSave }, default: '3600 1 300 100 60 10000' },
  { name: 'dir', kind: { type: 'string' }, default: '', protected: true },
  {
    name: 'dbfilename',
    kind: { type: 'custom', normalize: normalizeDbfilename },
    default: 'dump.rdb',
    protected: true,
  },
  { name: 'rdbcompression', kind: { type: 'bool' }, default: 'yes' },
  { name: 'rdbchecksum', kind: { type: 'bool' }, default: 'yes', immutable: true },
  { name: 'stop-writes-on-bgsave-error', kind: { type: 'bool' }, default: 'yes' },
  // redsim has no append-only file: `appendonly yes` is refused rather than accepted and ignored.
  { name: 'appendonly', kind: { type: 'custom', normalize: normalizeAppendonly }, default: 'no' },
  { name: 'notify-keyspace-events', kind: { type: 'custom', normalize: normalizeKeyspaceEvents }, default: '' },
  // redsim runs in the foreground only: `daemonize yes` at startup is refused; CONFIG SET answers Redis's immutable error.
  { name: 'daemonize', kind: { type: 'custom', normalize: normalizeDaemonize }, default: 'no', immutable: true },
  // redsim has no replicas, so the backlog sizes nothing; the value is kept and read back as Redis would (at least
  // 16kb, Redis's CONFIG_REPL_BACKLOG_MIN_SIZE), so clients and tools that tune it work unchanged.
  { name: 'repl-backlog-size', kind: { type: 'custom', normalize: normalizeReplBacklogSize }, default: '1048576' },
  { name: 'loglevel', kind: { type: 'enum', values: ['debug', 'verbose', 'notice', 'warning'] }, default: 'notice' },
  { name: 'slowlog-log-slower-than', kind: { type: 'int', min: -1n, max: LLONG_MAX }, default: '10000' },
  { name: 'slowlog-max-len', kind: { type: 'int', min: 0n, max: LLONG_MAX }, default: '128' },
  { name: 'lazyfree-lazy-user-flush', kind: { type: 'bool' }, default: 'no' },
  // Not a Redis parameter (Redis toggles this with DEBUG SET-ACTIVE-EXPIRE); hidden so that CONFIG GET * output
  // stays Redis's, while tests and the simulator can still switch active expiry off.
  { name: 'active-expire-enabled', kind: { type: 'bool' }, default: 'yes', hidden: true },
  // Not a Redis parameter: Lua instructions between two slices of a script's count hook (Redis's fixed 100,000). The
  // simulator lowers it so that a cheap loop crosses many slices, each a point where it may pause the script, move the
  // clock and make it busy, without spending real seconds in the interpreter. Hidden, like the one above.
  { name: 'lua-slice-instructions', kind: { type: 'int', min: 1n, max: INT_MAX }, default: '100000', hidden: true },
  // Encoding thresholds (src/keyspace/encoding.ts): OBJECT ENCODING and the compact encodings' behaviour follow them.
  // Defaults are redis-server's built-in ones (redis.conf ships 128 for hashes; the binary's default is 512).
  encodingParam('hash-max-listpack-entries', 'hash-max-ziplist-entries', 'int', '512'),
  encodingParam('hash-max-listpack-value', 'hash-max-ziplist-value', 'memory', '64'),
  {
    name: 'list-max-listpack-size',
    aliases: ['list-max-ziplist-size'],
    kind: { type: 'int', min: -INT_MAX - 1n, max: INT_MAX },
    default: '-2',
  },
  { name: 'list-compress-depth', kind: { type: 'int', min: 0n, max: INT_MAX }, default: '0' },
  encodingParam('set-max-intset-entries', null, 'int', '512'),
  encodingParam('zset-max-listpack-entries', 'zset-max-ziplist-entries', 'int', '128'),
  encodingParam('zset-max-listpack-value', 'zset-max-ziplist-value', 'memory', '64'),
  encodingParam('hll-sparse-max-bytes', null, 'memory', '3000'),
  // Stream nodes close at these sizes (src/keyspace/types/stream.ts); approximate trimming removes whole nodes.
  encodingParam('stream-node-max-bytes', null, 'memory', '4096'),
  encodingParam('stream-node-max-entries', null, 'int', '100'),
  // Connections (src/server/): non-loopback clients refused while no password is set; output limits per class.
  { name: 'protected-mode', kind: { type: 'bool' }, default: 'yes' },
  {
    name: 'client-output-buffer-limit',
    kind: { type: 'custom', normalize: normalizeOutputBufferLimits },
    default: DEFAULT_OUTPUT_BUFFER_LIMITS,
  },
]

/** A size_t encoding threshold (0..LONG_MAX), as an integer or a memory value, with its old ziplist alias. */
function encodingParam(name: string, alias: string | null, type: 'int' | 'memory', value: string): ConfigParam {
  return { name, aliases: alias ? [alias] : undefined, kind: { type, min: 0n, max: LLONG_MAX }, default: value }
}

export class ConfigRegistry {
  /** By lower-case name and alias; Redis looks parameters up case-insensitively. */
  private readonly params = new Map<string, ConfigParam>()
  private readonly values = new Map<string, string>()
  /** Called after a successful CONFIG SET of a parameter, with its canonical name. */
  onChange: ((name: string, value: string) => void) | null = null
  /** Listeners of `watch`, by canonical name. */
  private readonly watchers = new Map<string, Array<(value: string) => void>>()

  constructor(params: readonly ConfigParam[] = CONFIG_PARAMS) {
    for (const p of params) this.declare(p)
  }

  declare(param: ConfigParam): void {
    this.params.set(param.name, param)
    for (const alias of param.aliases ?? []) this.params.set(alias, param)
    this.values.set(param.name, param.default)
  }

  /**
   * Calls `listener` with the value of `name` now and again after every change, so that hot paths can keep a parsed
   * copy instead of looking the parameter up per command.
   */
  watch(name: string, listener: (value: string) => void): void {
    const p = this.params.get(name)
    if (!p) throw new Error(`undeclared config parameter ${name}`)
    let list = this.watchers.get(p.name)
    if (!list) this.watchers.set(p.name, (list = []))
    list.push(listener)
    listener(this.values.get(p.name)!)
  }

  private changed(name: string, value: string): void {
    const list = this.watchers.get(name)
    if (list) for (const listener of list) listener(value)
    this.onChange?.(name, value)
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

  /**
   * CONFIG GET, as Redis 7.0 answers it: a pattern without glob characters is looked up directly and answered under
   * the name as given (`CONFIG GET MAXCLIENTS` -> `MAXCLIENTS`); a glob pattern (matched by `glob`, which should fold
   * case) is tried against every name and alias except hidden ones. Each name appears once, compared without case.
   */
  match(patterns: string[], glob: (pattern: string, text: string) => boolean): Array<[string, string]> {
    const out = new Map<string, [string, string]>()
    for (const pattern of patterns) {
      if (!/[[*?]/.test(pattern)) {
        const key = pattern.toLowerCase()
        const p = this.params.get(key)
        if (p && !out.has(key)) out.set(key, [pattern, this.values.get(p.name)!])
        continue
      }
      for (const [name, p] of this.params) {
        if (p.hidden || out.has(name)) continue
        if (glob(pattern, name)) out.set(name, [name, this.values.get(p.name)!])
      }
    }
    return [...out.values()]
  }

  /** Validates and stores one value (startup configuration: immutable parameters allowed); error reply on failure. */
  set(name: string, raw: string): ReplyError | null {
    const p = this.params.get(name.toLowerCase())
    if (!p) return unknownOption(name)
    const result = normalize(p, name, raw, this.values.get(p.name)!)
    if (result instanceof ReplyError) return result
    this.values.set(p.name, result)
    this.changed(p.name, result)
    return null
  }

  /**
   * CONFIG SET with several pairs, all or nothing (7.0). First every name is checked in order (unknown, immutable,
   * repeated: the first problem found is the reply), then every value, and only then is anything stored. A name and
   * its alias are different arguments to Redis, so `lua-time-limit 1 busy-reply-threshold 2` is allowed (last wins).
   */
  setMany(pairs: Array<[string, string]>): ReplyError | null {
    const seen = new Set<string>()
    const params: ConfigParam[] = []
    for (const [name] of pairs) {
      const key = name.toLowerCase()
      const p = this.params.get(key)
      if (!p) return unknownOption(name)
      if (p.immutable) return failed(name, "can't set immutable config")
      if (p.protected) return failed(name, "can't set protected config")
      if (seen.has(key)) return failed(name, 'duplicate parameter')
      seen.add(key)
      params.push(p)
    }
    const normalized: string[] = []
    for (let i = 0; i < pairs.length; i++) {
      const result = normalize(params[i], pairs[i][0], pairs[i][1], this.values.get(params[i].name)!)
      if (result instanceof ReplyError) return result
      normalized.push(result)
    }
    for (let i = 0; i < params.length; i++) {
      this.values.set(params[i].name, normalized[i])
      this.changed(params[i].name, normalized[i])
    }
    return null
  }

  /** Canonical names, each once. */
  names(): string[] {
    return [...new Set([...this.params.values()].map((p) => p.name))]
  }
}

function unknownOption(name: string): ReplyError {
  return new ReplyError(`ERR Unknown option or number of arguments for CONFIG SET - '${name}'`)
}

/** `name` is the parameter as the client spelled it: Redis's message names the argument, alias or not. */
function failed(name: string, why: string): ReplyError {
  return new ReplyError(`ERR CONFIG SET failed (possibly related to argument '${name}') - ${why}`)
}

/** Redis's memtoull: digits (leading zeros fine, empty means 0) and an optional unit; null when not a memory value. */
function parseMemoryExact(raw: string): bigint | null {
  const m = /^(\d*)([a-z]*)$/i.exec(raw)
  if (!m) return null
  const unit = MEMORY_UNITS[m[2].toLowerCase()]
  if (unit === undefined) return null
  return (m[1] === '' ? 0n : BigInt(m[1])) * unit
}

/** Parses `1gb`, `100mb`, `10k`, plain bytes, as Redis's memtoull does. */
export function parseMemory(raw: string): number | null {
  const v = parseMemoryExact(raw)
  return v === null ? null : Number(v)
}

/** Redis's string2ll accepts exactly this: optional '-', no leading zeros, 1 to 20 characters. */
const STRICT_INTEGER = /^(0|-?[1-9]\d{0,18})$/

function normalize(p: ConfigParam, name: string, raw: string, current: string): string | ReplyError {
  const k = p.kind
  switch (k.type) {
    case 'string':
      return raw
    case 'bool': {
      const v = raw.toLowerCase()
      if (v !== 'yes' && v !== 'no') return failed(name, "argument must be 'yes' or 'no'")
      return v
    }
    case 'enum': {
      const v = raw.toLowerCase()
      if (!k.values.includes(v)) return failed(name, `argument(s) must be one of the following: ${k.values.join(', ')}`)
      return v
    }
    case 'int': {
      if (!STRICT_INTEGER.test(raw)) return failed(name, "argument couldn't be parsed into an integer")
      const n = BigInt(raw)
      if (n > LLONG_MAX || n < -LLONG_MAX - 1n) return failed(name, "argument couldn't be parsed into an integer")
      if (n < k.min || n > k.max) return failed(name, `argument must be between ${k.min} and ${k.max} inclusive`)
      if (k.clamp) return String(Math.min(Math.max(Number(n), k.clamp[0]), k.clamp[1]))
      return String(n)
    }
    case 'memory': {
      const n = parseMemoryExact(raw)
      if (n === null) return failed(name, 'argument must be a memory value')
      if (n < k.min || n > k.max) return failed(name, `argument must be between ${k.min} and ${k.max} inclusive`)
      return String(n)
    }
    case 'custom': {
      const result = k.normalize(raw, current)
      return typeof result === 'string' ? result : failed(name, result.invalid)
    }
  }
}

/** C's strtoll followed by a check that it consumed everything: leading spaces and a sign are fine, '' is 0. */
function strtollWhole(token: string): number | null {
  if (token === '') return 0
  if (!/^[\t\n\v\f\r ]*[+-]?\d+$/.test(token)) return null
  return Number(token.trim())
}

/**
 * `save`: pairs of "<seconds> <changes>" separated by single spaces (Redis splits on each space, so runs of spaces
 * produce empty tokens, which read as 0 and fail the seconds >= 1 check), or "" for none.
 */
function normalizeSave(raw: string): string | { invalid: string } {
  if (raw === '') return ''
  const tokens = raw.split(' ')
  const invalid = { invalid: 'Invalid save parameters' }
  if (tokens.length % 2 !== 0) return invalid
  const numbers: number[] = []
  for (let i = 0; i < tokens.length; i++) {
    const v = strtollWhole(tokens[i])
    if (v === null || (i % 2 === 0 && v < 1) || (i % 2 === 1 && v < 0)) return invalid
    numbers.push(v)
  }
  return numbers.join(' ')
}

/** dbfilename: a bare file name, as Redis's pathIsBaseName requires. */
function normalizeDbfilename(raw: string): string | { invalid: string } {
  return raw.includes('/') ? { invalid: "dbfilename can't be a path, just a filename" } : raw
}

/** appendonly: only `no`, since redsim persists through RDB snapshots alone. */
function normalizeAppendonly(raw: string): string | { invalid: string } {
  const value = raw.toLowerCase()
  if (value === 'no') return 'no'
  if (value === 'yes') return { invalid: 'redsim does not support AOF persistence; use RDB snapshots (save, BGSAVE)' }
  return { invalid: "argument must be 'yes' or 'no'" }
}

function normalizeDaemonize(raw: string): string | { invalid: string } {
  const value = raw.toLowerCase()
  if (value === 'no') return 'no'
  if (value === 'yes') return { invalid: 'redsim runs in the foreground only; use a service manager to detach it' }
  return { invalid: "argument must be 'yes' or 'no'" }
}

function normalizeReplBacklogSize(raw: string): string | { invalid: string } {
  const n = parseMemoryExact(raw)
  if (n === null) return { invalid: 'argument must be a memory value' }
  if (n < 1n || n > LLONG_MAX) return { invalid: `argument must be between 1 and ${LLONG_MAX} inclusive` }
  return String(n < 16384n ? 16384n : n)
}

/** notify-keyspace-events classes, in the order Redis prints them back. `A` is an alias for g$lshzxetd. */
const EVENT_CLASSES = 'g$lshzxetd'

function normalizeKeyspaceEvents(raw: string): string | { invalid: string } {
  const set = new Set<string>()
  for (const c of raw) {
    if (c === 'A') {
      for (const a of EVENT_CLASSES) set.add(a)
    } else if (EVENT_CLASSES.includes(c) || 'KEmn'.includes(c)) {
      set.add(c)
    } else {
      return { invalid: "Invalid event class character. Use 'Ag$lshzxeKEtmdn'." }
    }
  }
  let out = ''
  // As keyspaceEventsFlagsToString: with every class set only 'A' is printed (and 'n' is then dropped from the text).
  if ([...EVENT_CLASSES].every((c) => set.has(c))) {
    out = 'A'
  } else {
    for (const c of `${EVENT_CLASSES}n`) if (set.has(c)) out += c
  }
  for (const c of 'KEm') if (set.has(c)) out += c
  return out
}
