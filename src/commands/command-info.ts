/**
 * The replies of COMMAND INFO and COMMAND DOCS for one command, in Redis 7.0's shape:
 *
 *   INFO: [name, arity, {flags}, first, last, step, {@categories}, {tips}, {key specs}, subcommands]
 *   DOCS: {summary, since, group, complexity, doc_flags, deprecated_since, replaced_by, history, subcommands}
 *
 * Braces are RESP3 sets/maps (arrays in RESP2). Flags and categories are printed in Redis's fixed order, whatever
 * order a declaration lists them in, and with the categories Redis implies from the flags added.
 */
import { MapReply, type Reply, SetReply, SimpleString } from '../protocol/reply.ts'
import { COMMAND_METADATA, type KeySpecMetadata } from './command-metadata.ts'
import { keySpecsOf } from './key-specs.ts'
import { type CommandFlag, type CommandSpec, fullName } from './types.ts'

/**
 * Flags COMMAND INFO shows, in the order Redis prints them. may_replicate and sentinel exist but Redis hides them.
 * movablekeys is not declared: it is derived from the command having a key-finding function.
 */
const SHOWN_FLAGS: readonly CommandFlag[] = [
  'write',
  'readonly',
  'denyoom',
  'admin',
  'pubsub',
  'noscript',
  'blocking',
  'loading',
  'stale',
  'skip_monitor',
  'skip_slowlog',
  'asking',
  'fast',
  'no_auth',
  'no_mandatory_keys',
  'no_async_loading',
  'no_multi',
  'movablekeys',
  'allow_busy',
]

/** ACL categories in Redis's table order. */
const CATEGORY_ORDER = [
  'keyspace',
  'read',
  'write',
  'set',
  'sortedset',
  'list',
  'hash',
  'string',
  'bitmap',
  'hyperloglog',
  'geo',
  'stream',
  'pubsub',
  'admin',
  'fast',
  'slow',
  'blocking',
  'dangerous',
  'connection',
  'transaction',
  'scripting',
]

export function shownFlags(spec: CommandSpec): CommandFlag[] {
  const has = new Set<CommandFlag>(spec.flags)
  if (spec.getKeys) has.add('movablekeys')
  return SHOWN_FLAGS.filter((f) => has.has(f))
}

/** The declared categories plus those Redis's setImplicitACLCategories adds, without '@', in table order. */
export function aclCategories(spec: CommandSpec): string[] {
  const cats = new Set(spec.categories)
  const flags = new Set(spec.flags)
  if (flags.has('write')) cats.add('write')
  if (flags.has('readonly') && !cats.has('scripting')) cats.add('read')
  if (flags.has('admin')) {
    cats.add('admin')
    cats.add('dangerous')
  }
  if (flags.has('pubsub')) cats.add('pubsub')
  if (flags.has('fast')) cats.add('fast')
  if (flags.has('blocking')) cats.add('blocking')
  if (!cats.has('fast')) cats.add('slow')
  return CATEGORY_ORDER.filter((c) => cats.has(c))
}

function keySpecReply(ks: KeySpecMetadata): Reply {
  const entries: Array<[Reply, Reply]> = []
  if (ks.notes !== undefined) entries.push(['notes', ks.notes])
  entries.push(['flags', new SetReply(ks.flags.map((f) => new SimpleString(f)))])
  let begin: MapReply
  if (ks.begin === 'unknown')
    begin = new MapReply([
      ['type', 'unknown'],
      ['spec', new MapReply([])],
    ])
  else if ('index' in ks.begin)
    begin = new MapReply([
      ['type', 'index'],
      ['spec', new MapReply([['index', ks.begin.index]])],
    ])
  else {
    const spec = new MapReply([
      ['keyword', ks.begin.keyword],
      ['startfrom', ks.begin.startfrom],
    ])
    begin = new MapReply([
      ['type', 'keyword'],
      ['spec', spec],
    ])
  }
  entries.push(['begin_search', begin])
  let find: MapReply
  if (ks.find === 'unknown')
    find = new MapReply([
      ['type', 'unknown'],
      ['spec', new MapReply([])],
    ])
  else if ('lastkey' in ks.find) {
    const { lastkey, keystep, limit } = ks.find
    const spec = new MapReply([
      ['lastkey', lastkey],
      ['keystep', keystep],
      ['limit', limit],
    ])
    find = new MapReply([
      ['type', 'range'],
      ['spec', spec],
    ])
  } else {
    const { keynumidx, firstkey, keystep } = ks.find
    const spec = new MapReply([
      ['keynumidx', keynumidx],
      ['firstkey', firstkey],
      ['keystep', keystep],
    ])
    find = new MapReply([
      ['type', 'keynum'],
      ['spec', spec],
    ])
  }
  entries.push(['find_keys', find])
  return new MapReply(entries)
}

/** One COMMAND INFO entry. */
export function commandInfoReply(spec: CommandSpec): Reply {
  const metadata = COMMAND_METADATA[fullName(spec)]
  return [
    fullName(spec),
    spec.arity,
    new SetReply(shownFlags(spec).map((f) => new SimpleString(f))),
    spec.firstKey,
    spec.lastKey,
    spec.step,
    new SetReply(aclCategories(spec).map((c) => new SimpleString(`@${c}`))),
    new SetReply(metadata?.tips ? [...metadata.tips] : []),
    new SetReply(keySpecsOf(spec).map(keySpecReply)),
    // Redis answers an empty set for a command without subcommands, an array of entries otherwise.
    spec.subcommands ? spec.subcommands.map(commandInfoReply) : new SetReply([]),
  ]
}

/** COMMAND DOCS for one command, or null when redsim has no documentation for it. */
export function commandDocsReply(spec: CommandSpec): MapReply | null {
  const doc = COMMAND_METADATA[fullName(spec)]
  if (!doc) return null
  const entries: Array<[Reply, Reply]> = [
    ['summary', doc.summary],
    ['since', doc.since],
    ['group', doc.group],
  ]
  if (doc.complexity !== undefined) entries.push(['complexity', doc.complexity])
  if (doc.docFlags) entries.push(['doc_flags', new SetReply(doc.docFlags.map((f) => new SimpleString(f)))])
  if (doc.deprecatedSince !== undefined) entries.push(['deprecated_since', doc.deprecatedSince])
  if (doc.replacedBy !== undefined) entries.push(['replaced_by', doc.replacedBy])
  if (doc.history) entries.push(['history', new SetReply(doc.history.map(([version, change]) => [version, change]))])
  if (spec.subcommands) {
    const subs: Array<[Reply, Reply]> = []
    for (const sub of spec.subcommands) {
      const subDoc = commandDocsReply(sub)
      if (subDoc) subs.push([fullName(sub), subDoc])
    }
    entries.push(['subcommands', new MapReply(subs)])
  }
  return new MapReply(entries)
}
