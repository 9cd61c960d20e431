/**
 * FUNCTION (LOAD, DELETE, FLUSH, LIST, DUMP, RESTORE, STATS, KILL, HELP), FCALL and FCALL_RO: Redis 7.0 Functions.
 * The libraries live in the engine's function registry (src/scripting/functions/); a function runs in the Lua host
 * exactly as an EVAL script does, under the lease of the command that called it: FCALL's own acquisition, or EXEC's
 * when the FCALL was queued in MULTI. Nothing here touches the lock.
 */
import { MapReply, OK, type Reply, ReplyError, SetReply, SimpleString } from '../protocol/reply.ts'
import { BUSY_ERROR } from '../scripting/busy.ts'
import { flagNames } from '../scripting/functions/function-loader.ts'
import {
  decodeFunctionsPayload,
  encodeFunctionsPayload,
  verifyPayload,
} from '../scripting/functions/function-payload.ts'
import { functionLibraries, LibrarySet, replaceFunctionLibraries } from '../scripting/functions/function-registry.ts'
import { existingScriptingHost, scriptingHost } from '../scripting/lua-host.ts'
import { stringMatch } from '../keyspace/glob.ts'
import { isOption, parseInt64 } from './args.ts'
import { type CommandContext, type CommandSpec, command } from './types.ts'

/** The engine name FUNCTION LIST and FUNCTION STATS report (Redis registers its Lua engine as "LUA"). */
const ENGINE_NAME = 'LUA'

function subcommandSyntaxError(ctx: CommandContext): ReplyError {
  const sub = ctx.argv[1].toString('latin1').slice(0, 128)
  return new ReplyError(`ERR unknown subcommand or wrong number of arguments for '${sub}'. Try FUNCTION HELP.`)
}

function errorOf(text: string): ReplyError {
  return new ReplyError(`ERR ${text}`)
}

// FCALL / FCALL_RO

/** The key count of an FCALL argv, or Redis's error (checked after the function is found, as Redis does). */
function keyCount(argv: Buffer[]): number | ReplyError {
  const parsed = parseInt64(argv[2])
  if (parsed === null) return new ReplyError('ERR Bad number of keys provided')
  if (parsed > BigInt(argv.length - 3)) return new ReplyError("ERR Number of keys can't be greater than number of args")
  if (parsed < 0n) return new ReplyError("ERR Number of keys can't be negative")
  return Number(parsed)
}

/** FCALL key positions for COMMAND GETKEYS and the simulator's recorder: argv[3 .. 3+numkeys). */
function fcallKeys(argv: Buffer[]): number[] {
  if (argv.length < 3) return []
  const n = keyCount(argv)
  if (n instanceof ReplyError) return []
  const out: number[] = []
  for (let i = 0; i < n; i++) out.push(3 + i)
  return out
}

function fcall(ctx: CommandContext, readOnlyCommand: boolean): Reply | Promise<Reply> {
  const { argv, engine } = ctx
  const fn = functionLibraries(engine).functions.get(argv[1].toString('latin1').toLowerCase())
  if (!fn) return new ReplyError('ERR Function not found')
  const numkeys = keyCount(argv)
  if (numkeys instanceof ReplyError) return numkeys
  // scriptPrepareForRun: a function that may write is refused by FCALL_RO, and while memory is over maxmemory
  // unless it declared allow-oom.
  if (readOnlyCommand && !fn.flags.noWrites) {
    return new ReplyError('ERR Can not execute a script with write flag using *_ro command.')
  }
  const oom = engine.eviction.refusesScript(fn.flags)
  if (oom) return oom
  const keys = argv.slice(3, 3 + numkeys)
  const args = argv.slice(3 + numkeys)
  return scriptingHost(engine).runFunction(ctx, fn, keys, args, readOnlyCommand || fn.flags.noWrites)
}

// FUNCTION subcommands

function functionLoad(ctx: CommandContext): Reply {
  const { argv } = ctx
  let replace = false
  let pos = 2
  while (pos < argv.length - 1) {
    const arg = argv[pos++]
    if (isOption(arg, 'REPLACE')) {
      replace = true
      continue
    }
    return errorOf(`Unknown option given: ${arg.toString('latin1')}`)
  }
  if (pos >= argv.length) return errorOf('Function code is missing')
  const created = functionLibraries(ctx.engine).create(ctx.engine, argv[pos], replace)
  if (typeof created !== 'string') return errorOf(created.error)
  return Buffer.from(created, 'latin1')
}

function functionDelete(ctx: CommandContext): Reply {
  const libraries = functionLibraries(ctx.engine)
  const library = libraries.libraries.get(ctx.argv[2].toString('latin1'))
  if (!library) return errorOf('Library not found')
  libraries.unlink(library)
  return OK
}

function functionFlush(ctx: CommandContext): Reply {
  const { argv } = ctx
  if (argv.length > 3) return subcommandSyntaxError(ctx)
  if (argv.length === 3 && !isOption(argv[2], 'SYNC') && !isOption(argv[2], 'ASYNC')) {
    return errorOf('FUNCTION FLUSH only supports SYNC|ASYNC option')
  }
  // SYNC and ASYNC differ only in when Redis frees the memory: the libraries are gone either way.
  replaceFunctionLibraries(ctx.engine)
  return OK
}

function functionList(ctx: CommandContext): Reply {
  const { argv } = ctx
  let withCode = false
  let pattern: Buffer | null = null
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i]
    if (!withCode && isOption(arg, 'WITHCODE')) {
      withCode = true
      continue
    }
    if (pattern === null && isOption(arg, 'LIBRARYNAME')) {
      if (i >= argv.length - 1) return errorOf('library name argument was not given')
      pattern = argv[++i]
      continue
    }
    return errorOf(`Unknown argument ${arg.toString('latin1')}`)
  }
  const out: Reply[] = []
  for (const library of functionLibraries(ctx.engine).libraries.values()) {
    const name = Buffer.from(library.name, 'latin1')
    if (pattern !== null && !stringMatch(pattern.toString('latin1'), library.name, true)) continue
    const functions: Reply[] = []
    for (const fn of library.functions.values()) {
      functions.push(
        new MapReply([
          ['name', Buffer.from(fn.name, 'latin1')],
          ['description', fn.description ?? null],
          ['flags', new SetReply(flagNames(fn.flags).map((flag) => new SimpleString(flag)))],
        ]),
      )
    }
    const entries: Array<[Reply, Reply]> = [
      ['library_name', name],
      ['engine', ENGINE_NAME],
      ['functions', functions],
    ]
    if (withCode) entries.push(['library_code', library.code])
    out.push(new MapReply(entries))
  }
  return out
}

function functionDump(ctx: CommandContext): Reply {
  const libraries = functionLibraries(ctx.engine).libraries.values()
  return encodeFunctionsPayload([...libraries].map((library) => library.code))
}

function functionRestore(ctx: CommandContext): Reply {
  const { argv, engine } = ctx
  if (argv.length > 4) return subcommandSyntaxError(ctx)
  let policy: 'append' | 'replace' | 'flush' = 'append'
  if (argv.length === 4) {
    if (isOption(argv[3], 'APPEND')) policy = 'append'
    else if (isOption(argv[3], 'REPLACE')) policy = 'replace'
    else if (isOption(argv[3], 'FLUSH')) policy = 'flush'
    else return errorOf('Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.')
  }
  const payload = argv[2]
  if (!verifyPayload(payload)) return errorOf('DUMP payload version or checksum are wrong')
  const codes = decodeFunctionsPayload(payload)
  if (!Array.isArray(codes)) return errorOf(codes.error)
  const restored = new LibrarySet()
  for (const code of codes) {
    const created = restored.create(engine, code, false)
    if (typeof created !== 'string') return errorOf(created.error)
  }
  if (policy === 'flush') {
    replaceFunctionLibraries(engine, restored)
    return OK
  }
  const joined = functionLibraries(engine).join(restored, policy === 'replace')
  return joined ? errorOf(joined.error) : OK
}

function functionStats(ctx: CommandContext): Reply {
  const { engine } = ctx
  const run = existingScriptingHost(engine)?.current ?? null
  if (run && run.script.kind === 'eval') return new ReplyError(BUSY_ERROR)
  const running: Reply = run
    ? new MapReply([
        ['name', Buffer.from(run.script.name, 'latin1')],
        ['command', run.ctx.argv],
        ['duration_ms', Math.floor(engine.clock.now() - run.startedAt)],
      ])
    : null
  const libraries = functionLibraries(engine)
  return new MapReply([
    ['running_script', running],
    [
      'engines',
      new MapReply([
        [
          ENGINE_NAME,
          new MapReply([
            ['libraries_count', libraries.libraries.size],
            ['functions_count', libraries.functionCount],
          ]),
        ],
      ]),
    ],
  ])
}

function functionKill(ctx: CommandContext): Reply {
  return scriptingHost(ctx.engine).busy.kill('function')
}

const FUNCTION_HELP = [
  'FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'LOAD [REPLACE] <FUNCTION CODE>',
  '    Create a new library with the given library name and code.',
  'DELETE <LIBRARY NAME>',
  '    Delete the given library.',
  'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
  '    Return general information on all the libraries:',
  '    * Library name',
  '    * The engine used to run the Library',
  '    * Library description',
  '    * Functions list',
  '    * Library code (if WITHCODE is given)',
  '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
  'STATS',
  '    Return information about the current function running:',
  '    * Function name',
  '    * Command used to run the function',
  '    * Duration in MS that the function is running',
  '    If no function is running, return nil',
  '    In addition, returns a list of available engines.',
  'KILL',
  '    Kill the current running function.',
  'FLUSH [ASYNC|SYNC]',
  '    Delete all the libraries.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the libraries.',
  '    * SYNC: Synchronously flush the libraries.',
  'DUMP',
  '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
  'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
  '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
  '    control how to handle existing libraries (default APPEND):',
  '    * FLUSH: delete all existing libraries.',
  '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
  '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
  '      libraries with the new libraries (notice that even on this option there is a chance of failure',
  '      in case of functions name collision with another library).',
  'HELP',
  '    Prints this help.',
]

function functionHelp(): Reply {
  return FUNCTION_HELP.map((line) => new SimpleString(line))
}

const SCRIPTING = ['slow', 'scripting']
const WRITE_SCRIPTING = ['write', 'slow', 'scripting']

export const functionCommands: CommandSpec[] = [
  command(
    'fcall',
    -3,
    ['noscript', 'stale', 'skip_monitor', 'no_mandatory_keys', 'movablekeys'],
    null,
    SCRIPTING,
    (ctx) => fcall(ctx, false),
    { getKeys: fcallKeys },
  ),
  command(
    'fcall_ro',
    -3,
    ['readonly', 'noscript', 'stale', 'skip_monitor', 'no_mandatory_keys', 'movablekeys'],
    null,
    SCRIPTING,
    (ctx) => fcall(ctx, true),
    { getKeys: fcallKeys },
  ),
  command('function', -2, [], null, ['slow'], () => null, {
    subcommands: [
      command('delete', 3, ['write', 'noscript'], null, WRITE_SCRIPTING, functionDelete),
      command('dump', 2, ['noscript'], null, SCRIPTING, functionDump),
      command('flush', -2, ['write', 'noscript'], null, WRITE_SCRIPTING, functionFlush),
      command('help', 2, ['loading', 'stale'], null, SCRIPTING, functionHelp),
      command('kill', 2, ['noscript', 'allow_busy'], null, SCRIPTING, functionKill),
      command('list', -2, ['noscript'], null, SCRIPTING, functionList),
      command('load', -3, ['write', 'denyoom', 'noscript'], null, WRITE_SCRIPTING, functionLoad),
      command('restore', -3, ['write', 'denyoom', 'noscript'], null, WRITE_SCRIPTING, functionRestore),
      command('stats', 2, ['noscript', 'allow_busy'], null, SCRIPTING, functionStats),
    ],
  }),
]
