/**
 * The one command table. Each area's module declares its commands; this file only assembles them and answers
 * lookups. Adding a command means adding one declaration in its area's module.
 */
import { ReplyError } from '../protocol/reply.ts'
import { connectionCommands } from './connection.ts'
import { dumpRestoreCommands } from './dump-restore.ts'
import { functionCommands } from './functions.ts'
import { geoCommands } from './geo.ts'
import { hashCommands } from './hashes.ts'
import { introspectionCommands } from './introspection.ts'
import { keyCommands } from './keys.ts'
import { listCommands } from './lists.ts'
import { memoryCommands } from './memory.ts'
import { scriptingCommands } from './scripting.ts'
import { serverCommands } from './server.ts'
import { setCommands } from './sets.ts'
import { streamCommands } from './streams.ts'
import { stringCommands } from './strings.ts'
import { transactionCommands } from './transactions.ts'
import { bitmapCommands } from './bitmaps.ts'
import { hyperloglogCommands } from './hyperloglog.ts'
import { objectCommands } from './object.ts'
import { pubsubCommands } from './pubsub.ts'
import { sortCommands } from './sort.ts'
import type { CommandSpec } from './types.ts'
import { zsetCommands } from './zsets.ts'

export const ALL_COMMANDS: readonly CommandSpec[] = [
  ...stringCommands,
  ...keyCommands,
  ...dumpRestoreCommands,
  ...connectionCommands,
  ...serverCommands,
  ...transactionCommands,
  ...introspectionCommands,
  ...scriptingCommands,
  ...functionCommands,
  ...hashCommands,
  ...listCommands,
  ...setCommands,
  ...zsetCommands,
  ...geoCommands,
  ...streamCommands,
  ...objectCommands,
  ...memoryCommands,
  ...bitmapCommands,
  ...hyperloglogCommands,
  ...sortCommands,
  ...pubsubCommands,
]

export type Resolution = { spec: CommandSpec } | { error: ReplyError }

let shared: CommandTable | null = null

/**
 * The table of every command, built once per process: it is immutable after construction (its maps are private and
 * filled only by the constructor), and engines are cheap to create only if they do not each rebuild it (the
 * simulator makes two engines per seed).
 */
export function defaultCommandTable(): CommandTable {
  shared ??= new CommandTable()
  return shared
}

export class CommandTable {
  private readonly byName = new Map<string, CommandSpec>()
  /** Upper-case spellings too, so that `SET` (redis-cli, redis-benchmark) resolves without a toLowerCase copy. */
  private readonly byUpperName = new Map<string, CommandSpec>()
  private readonly subByName = new Map<CommandSpec, Map<string, CommandSpec>>()

  constructor(specs: readonly CommandSpec[] = ALL_COMMANDS) {
    for (const spec of specs) {
      if (this.byName.has(spec.name)) throw new Error(`command ${spec.name} declared twice`)
      this.byName.set(spec.name, spec)
      this.byUpperName.set(spec.name.toUpperCase(), spec)
      if (spec.subcommands) {
        const subs = new Map<string, CommandSpec>()
        for (const sub of spec.subcommands) subs.set(sub.name, sub)
        this.subByName.set(spec, subs)
      }
    }
  }

  get size(): number {
    return this.byName.size
  }

  all(): IterableIterator<CommandSpec> {
    return this.byName.values()
  }

  /** Top-level lookup by (any-case) name. */
  get(name: string): CommandSpec | undefined {
    return this.byName.get(name) ?? this.byUpperName.get(name) ?? this.byName.get(name.toLowerCase())
  }

  /** Subcommand lookup under a container. */
  getSub(container: CommandSpec, name: string): CommandSpec | undefined {
    return this.subByName.get(container)?.get(name.toLowerCase())
  }

  /**
   * Finds the command argv names, with Redis's rules and error strings: an unknown command, an unknown subcommand
   * of a container, or (checked here too) the wrong number of arguments.
   */
  resolve(argv: Buffer[]): Resolution {
    const name = argv[0].toString('latin1')
    const base = this.get(name)
    if (!base) return { error: unknownCommandError(argv) }
    let spec = base
    if (base.subcommands && argv.length >= 2) {
      const sub = this.getSub(base, argv[1].toString('latin1'))
      if (!sub) {
        return {
          error: new ReplyError(
            `ERR unknown subcommand '${cString(argv[1], 128)}'. Try ${base.name.toUpperCase()} HELP.`,
          ),
        }
      }
      spec = sub
    }
    if ((spec.arity > 0 && argv.length !== spec.arity) || argv.length < -spec.arity) {
      return { error: new ReplyError(`ERR wrong number of arguments for '${fullNameOf(spec)}' command`) }
    }
    return { spec }
  }
}

function fullNameOf(spec: CommandSpec): string {
  return spec.container ? `${spec.container}|${spec.name}` : spec.name
}

/** C's `%.Ns` of an argument: stops at the first NUL byte, at most `max` bytes. */
function cString(buf: Buffer, max: number): string {
  let end = buf.indexOf(0)
  if (end === -1) end = buf.length
  return buf.toString('latin1', 0, Math.min(end, max))
}

/**
 * Redis 7.0's unknown-command error: the name (at most 128 bytes) and the arguments, each quoted with a trailing
 * space, until the argument text reaches 128 bytes.
 */
export function unknownCommandError(argv: Buffer[]): ReplyError {
  let args = ''
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += `'${cString(argv[i], 128 - args.length)}' `
  }
  return new ReplyError(`ERR unknown command '${cString(argv[0], 128)}', with args beginning with: ${args}`)
}
