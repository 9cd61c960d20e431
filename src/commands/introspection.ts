/**
 * COMMAND and its subcommands (COUNT, LIST, INFO, DOCS, GETKEYS, GETKEYSANDFLAGS, HELP), answered from the command
 * table, so they always describe exactly the commands this redsim build runs.
 */
import { stringMatch } from '../keyspace/glob.ts'
import { MapReply, type Reply, ReplyError, SetReply, SimpleString } from '../protocol/reply.ts'
import { isOption } from './args.ts'
import { aclCategories, commandDocsReply, commandInfoReply } from './command-info.ts'
import { commandHasKeys, fallbackKeyFlags, keyFlagsByPosition } from './key-specs.ts'
import type { CommandTable } from './table.ts'
import { type CommandContext, type CommandSpec, command, fullName, keyPositions } from './types.ts'
import { monitorCommand } from './monitor.ts'

/** `get` or `config|get` (any case) to its spec; undefined when either part is unknown. */
export function lookupByFullName(table: CommandTable, name: string): CommandSpec | undefined {
  const bar = name.indexOf('|')
  if (bar === -1) return table.get(name)
  const container = table.get(name.slice(0, bar))
  if (!container?.subcommands) return undefined
  return table.getSub(container, name.slice(bar + 1))
}

/** Every command and subcommand, containers before their subcommands. */
function* everyCommand(table: CommandTable): Generator<CommandSpec> {
  for (const spec of table.all()) {
    yield spec
    if (spec.subcommands) yield* spec.subcommands
  }
}

function commandAll(ctx: CommandContext): Reply {
  return [...ctx.engine.executor.table.all()].map(commandInfoReply)
}

function commandCount(ctx: CommandContext): Reply {
  return ctx.engine.executor.table.size
}

function commandInfo(ctx: CommandContext): Reply {
  const table = ctx.engine.executor.table
  if (ctx.argv.length === 2) return [...table.all()].map(commandInfoReply)
  return ctx.argv.slice(2).map((arg) => {
    const spec = lookupByFullName(table, arg.toString('latin1'))
    return spec ? commandInfoReply(spec) : null
  })
}

/** Commands without documentation in redsim are left out, which Redis's reply format allows (as for modules). */
function commandDocs(ctx: CommandContext): Reply {
  const table = ctx.engine.executor.table
  const entries: Array<[Reply, Reply]> = []
  const add = (spec: CommandSpec | undefined) => {
    const doc = spec && commandDocsReply(spec)
    if (spec && doc) entries.push([fullName(spec), doc])
  }
  if (ctx.argv.length === 2) for (const spec of table.all()) add(spec)
  else for (const arg of ctx.argv.slice(2)) add(lookupByFullName(table, arg.toString('latin1')))
  return new MapReply(entries)
}

/** COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]: full names of matching commands. */
function commandList(ctx: CommandContext): Reply {
  const { argv } = ctx
  const table = ctx.engine.executor.table
  let filter: (spec: CommandSpec) => boolean
  if (argv.length === 2) {
    filter = () => true
  } else if (argv.length === 5 && isOption(argv[2], 'FILTERBY')) {
    const value = argv[4].toString('latin1')
    if (isOption(argv[3], 'MODULE')) {
      filter = () => false // redsim loads no modules
    } else if (isOption(argv[3], 'ACLCAT')) {
      const category = value.toLowerCase()
      filter = (spec) => aclCategories(spec).includes(category)
    } else if (isOption(argv[3], 'PATTERN')) {
      filter = (spec) => stringMatch(value, fullName(spec), true)
    } else {
      return new ReplyError('ERR syntax error')
    }
  } else {
    return new ReplyError('ERR syntax error')
  }
  const names: Reply[] = []
  for (const spec of everyCommand(table)) if (filter(spec)) names.push(fullName(spec))
  return names
}

/**
 * The command COMMAND GETKEYS[ANDFLAGS] is asked about, with its key positions, or the error Redis 7.0 gives:
 * unknown command, a command without keys, wrong arity, or arguments whose keys cannot be found.
 */
function targetKeys(ctx: CommandContext): { spec: CommandSpec; argv: Buffer[]; positions: number[] } | ReplyError {
  const argv = ctx.argv.slice(2)
  const table = ctx.engine.executor.table
  let spec = table.get(argv[0].toString('latin1'))
  if (spec?.subcommands) spec = argv.length >= 2 ? table.getSub(spec, argv[1].toString('latin1')) : undefined
  if (!spec) return new ReplyError('ERR Invalid command specified')
  if (!commandHasKeys(spec)) return new ReplyError('ERR The command has no key arguments')
  if ((spec.arity > 0 && argv.length !== spec.arity) || argv.length < -spec.arity) {
    return new ReplyError('ERR Invalid number of arguments specified for command')
  }
  let positions: number[]
  try {
    positions = keyPositions(spec, argv).filter((i) => i > 0 && i < argv.length)
  } catch {
    // A key-finding function that rejects the arguments (a bad numkeys, say) found no keys.
    positions = []
  }
  if (positions.length === 0 && !spec.flags.includes('no_mandatory_keys')) {
    return new ReplyError('ERR Invalid arguments specified for command')
  }
  return { spec, argv, positions }
}

function commandGetKeys(ctx: CommandContext): Reply {
  const target = targetKeys(ctx)
  if (target instanceof ReplyError) return target
  return target.positions.map((i) => target.argv[i])
}

function commandGetKeysAndFlags(ctx: CommandContext): Reply {
  const target = targetKeys(ctx)
  if (target instanceof ReplyError) return target
  const { spec, argv, positions } = target
  const byPosition = keyFlagsByPosition(spec, argv)
  return positions.map((i) => {
    const flags = byPosition.get(i) ?? fallbackKeyFlags(spec, argv, i)
    return [argv[i], new SetReply(flags.map((f) => new SimpleString(f)))]
  })
}

const COMMAND_HELP = [
  'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
  'HELP',
  '    Prints this help.',
].map((line) => new SimpleString(line))

function commandHelp(): Reply {
  return COMMAND_HELP
}

const FLAGS = ['loading', 'stale'] as const
const CATEGORIES = ['slow', 'connection']

export const introspectionCommands: CommandSpec[] = [
  command('command', -1, FLAGS, null, CATEGORIES, commandAll, {
    subcommands: [
      command('count', 2, FLAGS, null, CATEGORIES, commandCount),
      command('list', -2, FLAGS, null, CATEGORIES, commandList),
      command('info', -2, FLAGS, null, CATEGORIES, commandInfo),
      command('docs', -2, FLAGS, null, CATEGORIES, commandDocs),
      command('getkeys', -4, FLAGS, null, CATEGORIES, commandGetKeys),
      command('getkeysandflags', -4, FLAGS, null, CATEGORIES, commandGetKeysAndFlags),
      command('help', 2, FLAGS, null, CATEGORIES, commandHelp),
    ],
  }),
  monitorCommand,
]
