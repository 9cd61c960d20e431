/**
 * Redis 7.0 key specs for redsim's commands: how COMMAND INFO describes where a command's keys are and what it does
 * to them, and which flags COMMAND GETKEYSANDFLAGS reports for each key.
 *
 * A command's key specs are Redis's own (command-metadata.ts) when Redis has the command; otherwise they are derived
 * from the declaration: first/last/step become an index begin-search with a range find-keys, and the flags follow the
 * command's write/readonly flags, assuming the worst (RW access update) for writes as Redis does for scripts.
 */
import { COMMAND_METADATA, type KeySpecFlag, type KeySpecMetadata } from './command-metadata.ts'
import { isOption, parseInt64 } from './args.ts'
import { type CommandSpec, fullName } from './types.ts'

/** The key specs COMMAND INFO shows for `spec`. */
export function keySpecsOf(spec: CommandSpec): readonly KeySpecMetadata[] {
  const declared = COMMAND_METADATA[fullName(spec)]?.keySpecs
  if (declared) return declared
  if (spec.firstKey > 0) {
    const lastkey = spec.lastKey >= 0 ? spec.lastKey - spec.firstKey : spec.lastKey
    return [
      { flags: derivedFlags(spec), begin: { index: spec.firstKey }, find: { lastkey, keystep: spec.step, limit: 0 } },
    ]
  }
  if (spec.getKeys) return [{ flags: derivedFlags(spec), begin: 'unknown', find: 'unknown' }]
  return []
}

function derivedFlags(spec: CommandSpec): KeySpecFlag[] {
  if (spec.flags.includes('write')) return ['RW', 'access', 'update']
  if (spec.flags.includes('readonly')) return ['RO', 'access']
  return ['RO']
}

/**
 * Whether the command takes keys at all (COMMAND GETKEYS answers "The command has no key arguments" otherwise):
 * key positions in its declaration, and at least one key spec that is not marked not_key (SPUBLISH's channel).
 */
export function commandHasKeys(spec: CommandSpec): boolean {
  if (!spec.getKeys && spec.firstKey === 0) return false
  const specs = keySpecsOf(spec)
  return specs.length === 0 || specs.some((ks) => !ks.flags.includes('not_key'))
}

/**
 * The key-spec flags of each key position of `argv`, found by running the key specs over it the way Redis's
 * getKeysUsingKeySpecs does, skipping specs that do not apply to these arguments. Variable flags are resolved for the
 * arguments at hand (SET with or without GET, BITFIELD with or without writes).
 */
export function keyFlagsByPosition(spec: CommandSpec, argv: Buffer[]): Map<number, readonly KeySpecFlag[]> {
  const out = new Map<number, readonly KeySpecFlag[]>()
  for (const ks of keySpecsOf(spec)) {
    const range = evaluate(ks, argv)
    if (!range) continue
    const flags = ks.flags.includes('variable_flags') ? resolveVariableFlags(spec, argv, ks.flags) : ks.flags
    for (let i = range.first; i <= range.last && i < argv.length; i += range.step) if (!out.has(i)) out.set(i, flags)
  }
  return out
}

/**
 * Flags Redis's own key-finding function gives where the key specs are incomplete and Redis falls back to it
 * (getKeysFromCommandWithSpecs): SORT's sortGetKeys marks the STORE destination OW update.
 */
const NATIVE_KEY_FLAGS: Record<string, (argv: Buffer[], position: number) => readonly KeySpecFlag[] | undefined> = {
  sort: (argv, position) => (position > 1 && isOption(argv[position - 1], 'STORE') ? ['OW', 'update'] : undefined),
}

/** The flags of a key position no key spec covers: the command's own key-finding flags, else its flags' implication. */
export function fallbackKeyFlags(spec: CommandSpec, argv: Buffer[], position: number): readonly KeySpecFlag[] {
  return NATIVE_KEY_FLAGS[fullName(spec)]?.(argv, position) ?? derivedFlags(spec)
}

function evaluate(ks: KeySpecMetadata, argv: Buffer[]): { first: number; last: number; step: number } | null {
  const argc = argv.length
  let first = 0
  if (ks.begin === 'unknown' || ks.find === 'unknown') return null
  if ('index' in ks.begin) {
    first = ks.begin.index
  } else {
    const { keyword, startfrom } = ks.begin
    const start = startfrom > 0 ? startfrom : argc + startfrom
    const end = startfrom > 0 ? argc - 1 : 0
    for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
      if (i >= argc || i < 1) break
      if (isOption(argv[i], keyword.toUpperCase())) {
        first = i + 1
        break
      }
    }
    if (first === 0) return null
  }
  let last: number
  let step: number
  if ('lastkey' in ks.find) {
    const { lastkey, keystep, limit } = ks.find
    step = keystep
    if (lastkey >= 0) last = first + lastkey
    else if (limit === 0) last = argc + lastkey
    else last = first + (Math.floor((argc - first) / limit) + lastkey)
  } else {
    const { keynumidx, firstkey, keystep } = ks.find
    step = keystep
    if (keynumidx >= argc - first) return null
    const numkeys = parseInt64(argv[first + keynumidx])
    if (numkeys === null || numkeys < 0n) return null
    first += firstkey
    last = first + Number(numkeys) - 1
  }
  if (last >= argc || last < first || first >= argc) return null
  return { first, last, step }
}

/** Redis's getkeys procs for the two commands whose key flags depend on their arguments. */
function resolveVariableFlags(
  spec: CommandSpec,
  argv: Buffer[],
  flags: readonly KeySpecFlag[],
): readonly KeySpecFlag[] {
  switch (fullName(spec)) {
    case 'set':
      // SET ... GET reads the old value; a plain SET only overwrites.
      for (let i = 3; i < argv.length; i++) if (isOption(argv[i], 'GET')) return ['RW', 'access', 'update']
      return ['OW', 'update']
    case 'bitfield':
      return bitfieldIsReadOnly(argv) ? ['RO', 'access'] : ['RW', 'access', 'update']
    default:
      return flags.filter((f) => f !== 'variable_flags')
  }
}

/** BITFIELD with only GET (and OVERFLOW) operations reads; any SET, INCRBY or malformed operation may write. */
function bitfieldIsReadOnly(argv: Buffer[]): boolean {
  for (let i = 2; i < argv.length; i++) {
    const remaining = argv.length - i - 1
    if (isOption(argv[i], 'GET') && remaining >= 2) i += 2
    else if (isOption(argv[i], 'OVERFLOW') && remaining >= 1) i += 1
    else return false
  }
  return true
}
